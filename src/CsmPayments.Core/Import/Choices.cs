using System.Text;

namespace CsmPayments.Import;

/// <summary>
/// The words a CSV file uses for the values of an enum: its member names in snake case (<c>CsLead</c> is
/// <c>cs_lead</c>), matched without regard to case.
/// </summary>
internal static class Choices<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<string, TEnum> ByWord =
        Enum.GetValues<TEnum>().ToDictionary(v => SnakeCase(v.ToString()), StringComparer.OrdinalIgnoreCase);

    /// <summary>The allowed words, comma separated, for messages.</summary>
    public static string Allowed { get; } = string.Join(", ", ByWord.Keys);

    public static bool TryParse(string word, out TEnum value) => ByWord.TryGetValue(word, out value);

    private static string SnakeCase(string name)
    {
        var words = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0) words.Append('_');
            words.Append(char.ToLowerInvariant(c));
        }
        return words.ToString();
    }
}
