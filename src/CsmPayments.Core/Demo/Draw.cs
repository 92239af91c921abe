namespace CsmPayments.Demo;

/// <summary>
/// Deterministic random draws for the demo company. Every account draws from its own <see cref="Random"/> streams,
/// seeded from the company seed, the account's index and the stream, so an account does not depend on how many
/// accounts come after it, and a change to one part of the generator does not reshuffle the others.
/// </summary>
internal static class Draw
{
    public const int Blocks = 0;
    public const int Firmographics = 1;
    public const int Contracts = 2;
    public const int Billing = 3;
    public const int UsageStream = 4;
    public const int Support = 5;
    public const int Survey = 6;
    public const int Engagement = 7;
    public const int People = 8;

    /// <summary>A seed for one stream. SplitMix64 rather than <see cref="HashCode"/>, whose output changes per process.</summary>
    public static int Seed(int seed, long index, int stream)
    {
        unchecked
        {
            var z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
            z ^= (ulong)index + 0x632BE59BD9B4E019UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z ^= (ulong)(uint)stream * 0x94D049BB133111EBUL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }

    public static Random Stream(int seed, long index, int stream) => new(Seed(seed, index, stream));

    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static double Between(this Random random, double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>An integer in [low, high], both included.</summary>
    public static int Between(this Random random, int low, int high) => random.Next(low, high + 1);

    /// <summary>A date in [from, to], both included.</summary>
    public static DateOnly Between(this Random random, DateOnly from, DateOnly to) =>
        to < from ? from : from.AddDays(random.Next(0, to.DayNumber - from.DayNumber + 1));

    public static double Normal(this Random random, double mean, double deviation)
    {
        // Box–Muller: two uniform draws give one normal draw; 1 − u keeps the logarithm finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + deviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double LogNormal(this Random random, double mu, double sigma) => Math.Exp(random.Normal(mu, sigma));

    public static double Exponential(this Random random, double mean) => -mean * Math.Log(1.0 - random.NextDouble());

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static T Pick<T>(this Random random, IReadOnlyList<(T Item, double Weight)> items)
    {
        var total = 0.0;
        foreach (var (_, weight) in items) total += weight;
        var target = random.NextDouble() * total;
        foreach (var (item, weight) in items)
        {
            target -= weight;
            if (target < 0) return item;
        }
        return items[^1].Item;
    }
}
