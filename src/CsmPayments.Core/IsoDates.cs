namespace CsmPayments;

/// <summary>Dates written <c>yyyy-MM-dd</c> read straight from UTF-8 bytes: the import's files and SQLite's stored dates.</summary>
internal static class IsoDates
{
    /// <summary>yyyy-MM-dd and nothing else: four-digit year, two-digit month and day, a real calendar date.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != (byte)'-' || text[7] != (byte)'-') return false;
        if (!TryDigits(text[..4], out var year) || !TryDigits(text[5..7], out var month) || !TryDigits(text[8..], out var day)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }
}
