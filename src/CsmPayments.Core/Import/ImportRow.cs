using System.Globalization;
using System.Text.Unicode;

namespace CsmPayments.Import;

/// <summary>A column of an import file. An optional column may be left out of the header, and its values empty.</summary>
internal sealed record ImportColumn(string Name, bool Optional = false)
{
    public override string ToString() => Optional ? Name + " (optional)" : Name;
}

/// <summary>A reference to an account, resolved from its external id.</summary>
internal readonly record struct AccountRef(long Id, string ExternalId, string Currency);

/// <summary>
/// The current record of a file being imported (or of a JSON body, see <see cref="JsonRecords"/>), read one typed value at a time. A value that cannot be read is
/// reported as <c>file:line: column: reason</c> and a neutral value is returned, so a row is read to its end and every
/// problem in it is reported; callers build nothing from a row that <see cref="HasErrors"/>.
/// </summary>
internal sealed class ImportRow(RowValues values, ImportErrors errors, Func<int, string>? place = null)
{
    private const int QuotedLength = 60;
    private const NumberStyles AmountStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    // decimal(19, 4) holds 15 digits before the point.
    private const decimal AmountLimit = 1_000_000_000_000_000m;

    private readonly List<string> _failed = [];

    /// <summary>The physical line of the file where the record starts; the header is line 1.</summary>
    public int Line { get; private set; }

    public bool HasErrors => _failed.Count > 0;

    internal void MoveTo(int line)
    {
        Line = line;
        _failed.Clear();
    }

    public void Error(string column, string reason)
    {
        _failed.Add(column);
        errors.Add(Line, column, reason);
    }

    public void Error(ImportColumn column, string reason) => Error(column.Name, reason);

    /// <summary>True when none of the columns had an error, so values read from them can be compared.</summary>
    public bool Ok(params ReadOnlySpan<ImportColumn> columns)
    {
        foreach (var column in columns)
            if (_failed.Contains(column.Name)) return false;
        return true;
    }

    /// <summary>Reports the key unless an earlier row of the file had it.</summary>
    public void Unique<TKey>(KeySet<TKey> keys, TKey key, ImportColumn column, string description) where TKey : notnull
    {
        if (!keys.Add(key, Line, out var first)) Error(column, $"{description} already appears {place?.Invoke(first) ?? $"on line {first}"}");
    }

    public string? Text(ImportColumn column, int maxLength)
    {
        if (!values.TryField(column.Name, out var field)) return null;
        var bytes = values.Span(field);
        if (bytes.IsEmpty) return null;
        if (!Utf8.IsValid(bytes))
        {
            Error(column, "is not UTF-8 text; save the file as UTF-8");
            return null;
        }
        if (bytes.Contains((byte)0))
        {
            // PostgreSQL cannot store a NUL character, and no real value holds one: the file is damaged.
            Error(column, "contains a NUL character; the file may be damaged or not a text file");
            return null;
        }
        var text = values.Text(field);
        if (text.Length > maxLength)
        {
            Error(column, $"is {text.Length:N0} characters long; at most {maxLength:N0} fit");
            return null;
        }
        return text;
    }

    public string Required(ImportColumn column, int maxLength)
    {
        var text = Text(column, maxLength);
        if (text is null && Ok(column)) Error(column, "a value is required");
        return text ?? "";
    }

    /// <summary>An email address, lower-cased as <see cref="Accounts.User"/> and <see cref="Accounts.Contact"/> store it.</summary>
    public string Email(ImportColumn column, int maxLength)
    {
        var text = Required(column, maxLength);
        if (text.Length == 0) return "";
        var at = text.IndexOf('@');
        if (at > 0 && at < text.Length - 1 && !text.Contains(' ')) return text.ToLowerInvariant();
        Error(column, $"{Quote(text)} is not an email address");
        return "";
    }

    public DateOnly Date(ImportColumn column) => OptionalDate(column) ?? Missing<DateOnly>(column);

    public DateOnly? OptionalDate(ImportColumn column)
    {
        if (!values.TryField(column.Name, out var field)) return null;
        var bytes = values.Span(field);
        if (bytes.IsEmpty) return null;
        if (IsoDates.TryParse(bytes, out var date)) return date;
        Error(column, $"{Quote(field)} is not a date (expected yyyy-MM-dd)");
        return null;
    }

    /// <summary>
    /// A non-negative amount in <paramref name="currency"/> with no more decimals than the currency has: rounding
    /// someone's money silently is not ours to do. An empty currency (itself reported) skips the decimals check.
    /// </summary>
    public decimal Amount(ImportColumn column, string currency, bool mustBePositive = false)
    {
        if (!values.TryField(column.Name, out var field) || values.Span(field).IsEmpty) return Missing<decimal>(column);
        if (!decimal.TryParse(values.Span(field), AmountStyle, CultureInfo.InvariantCulture, out var amount))
            Error(column, $"{Quote(field)} is not an amount (expected digits with '.' for decimals, such as 1234.50)");
        else if (amount < 0m)
            Error(column, $"{Quote(field)} is negative; an amount cannot be negative");
        else if (amount == 0m && mustBePositive)
            Error(column, $"{Quote(field)} is zero; the amount must be more than zero");
        else if (amount >= AmountLimit)
            Error(column, $"{Quote(field)} is too large; amounts go up to 999,999,999,999,999.99");
        else if (Currencies.IsKnown(currency) && Math.Round(amount, Currencies.MinorDigits(currency)) != amount)
            Error(column, Currencies.MinorDigits(currency) == 0
                ? $"{Quote(field)} has decimals, but {currency} amounts have none"
                : $"{Quote(field)} has more decimals than {currency} has ({Currencies.MinorDigits(currency)})");
        else
            return amount;
        return 0m;
    }

    /// <summary>
    /// A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>; a maximum below
    /// <see cref="int.MaxValue"/> is a range the message names (a score of 0–10), a larger one only the column's size.
    /// </summary>
    public long Whole(ImportColumn column, long minimum, long maximum = long.MaxValue) =>
        OptionalWhole(column, minimum, maximum) ?? Missing<long>(column);

    public long? OptionalWhole(ImportColumn column, long minimum, long maximum = long.MaxValue)
    {
        if (!values.TryField(column.Name, out var field)) return null;
        var bytes = values.Span(field);
        if (bytes.IsEmpty) return null;
        if (!long.TryParse(bytes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            Error(column, $"{Quote(field)} is not a whole number");
        else if (value >= minimum && value <= maximum)
            return value;
        else if (maximum < int.MaxValue)
            Error(column, $"{Quote(field)} is outside {minimum}–{maximum}");
        else if (value < 0)
            Error(column, $"{Quote(field)} is negative; expected a whole number of {minimum} or more");
        else if (value < minimum)
            Error(column, $"{Quote(field)} is less than {minimum}; expected a whole number of {minimum} or more");
        else
            Error(column, $"{Quote(field)} is too large");
        return null;
    }

    public TEnum Choice<TEnum>(ImportColumn column) where TEnum : struct, Enum =>
        OptionalChoice<TEnum>(column) ?? Missing<TEnum>(column);

    public TEnum? OptionalChoice<TEnum>(ImportColumn column) where TEnum : struct, Enum
    {
        var word = Text(column, int.MaxValue);
        if (word is null) return null;
        if (Choices<TEnum>.TryParse(word, out var value)) return value;
        Error(column, $"{Quote(word)} is not one of: {Choices<TEnum>.Allowed}");
        return null;
    }

    /// <summary>
    /// An ISO-4217 code, which must be the account's currency: an account is billed in one currency. Returns the code
    /// even when it is not the account's, so the amount's decimals can still be checked; empty when it is unknown.
    /// </summary>
    public string Currency(ImportColumn column, AccountRef? account)
    {
        var text = Required(column, int.MaxValue);
        if (text.Length == 0) return "";
        var code = text.ToUpperInvariant();
        if (!Currencies.IsKnown(code))
        {
            Error(column, $"{Quote(text)} is not an ISO-4217 currency code");
            return "";
        }
        if (account is { } a && a.Currency != code)
            Error(column, $"{Quote(text)} is not the currency of account {a.ExternalId}, which is billed in {a.Currency}");
        return code;
    }

    /// <summary>The account an external id names; null (reported) when none does.</summary>
    public AccountRef? Account(ImportColumn column, IReadOnlyDictionary<string, AccountRef> accounts, int maxLength)
    {
        var externalId = Required(column, maxLength);
        if (externalId.Length == 0) return null;
        if (accounts.TryGetValue(externalId, out var account)) return account;
        Error(column, $"no account has external_id {Quote(externalId)}");
        return null;
    }

    /// <summary>The id of the user an email names; 0 (reported) when none does.</summary>
    public long User(ImportColumn column, IReadOnlyDictionary<string, long> users, int maxLength)
    {
        var email = Email(column, maxLength);
        if (email.Length == 0) return 0;
        if (users.TryGetValue(email, out var id)) return id;
        Error(column, $"no user has email {Quote(email)}");
        return 0;
    }

    /// <summary>A date as files and messages write it.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string Quote(int field) => Quote(Utf8.IsValid(values.Span(field)) ? values.Text(field) : "(not UTF-8)");

    /// <summary>A value as messages show it: quoted, and cut short so a runaway field cannot flood the report.</summary>
    public static string Quote(string value) =>
        value.Length <= QuotedLength ? $"'{value}'" : $"'{value[..QuotedLength]}…'";

    private T Missing<T>(ImportColumn column) where T : struct
    {
        if (Ok(column)) Error(column, "a value is required");
        return default;
    }
}
