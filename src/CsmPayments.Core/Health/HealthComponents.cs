using System.Diagnostics.CodeAnalysis;

namespace CsmPayments.Health;

/// <summary>
/// The five component values of one health result, read as a dictionary in the order Usage, Engagement, Support,
/// Sentiment, Payment. Fields instead of a hash table: the cycle builds one per account, and a dictionary of five
/// entries cost it more than the rest of the result.
/// </summary>
public sealed class HealthComponents(int? usage, int? engagement, int? support, int? sentiment, int? payment)
    : IReadOnlyDictionary<HealthComponent, int?>
{
    private static readonly HealthComponent[] All =
        [HealthComponent.Usage, HealthComponent.Engagement, HealthComponent.Support, HealthComponent.Sentiment, HealthComponent.Payment];

    public int? Usage { get; } = usage;
    public int? Engagement { get; } = engagement;
    public int? Support { get; } = support;
    public int? Sentiment { get; } = sentiment;
    public int? Payment { get; } = payment;

    public int? this[HealthComponent key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The given key '{key}' was not present in the dictionary.");

    public IEnumerable<HealthComponent> Keys => All;

    public IEnumerable<int?> Values => [Usage, Engagement, Support, Sentiment, Payment];

    public int Count => All.Length;

    public bool ContainsKey(HealthComponent key) => key is >= HealthComponent.Usage and <= HealthComponent.Payment;

    public bool TryGetValue(HealthComponent key, [MaybeNullWhen(false)] out int? value)
    {
        value = key switch
        {
            HealthComponent.Usage => Usage,
            HealthComponent.Engagement => Engagement,
            HealthComponent.Support => Support,
            HealthComponent.Sentiment => Sentiment,
            HealthComponent.Payment => Payment,
            _ => null,
        };
        return ContainsKey(key);
    }

    public IEnumerator<KeyValuePair<HealthComponent, int?>> GetEnumerator()
    {
        yield return new(HealthComponent.Usage, Usage);
        yield return new(HealthComponent.Engagement, Engagement);
        yield return new(HealthComponent.Support, Support);
        yield return new(HealthComponent.Sentiment, Sentiment);
        yield return new(HealthComponent.Payment, Payment);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
