using System.Globalization;

namespace CsmPayments;

/// <summary>
/// An exact amount in one ISO-4217 currency, always rounded to the currency's minor unit.
/// Arithmetic across currencies is refused: convert first with <see cref="Organisation.ExchangeRates"/>.
/// </summary>
public readonly record struct Money
{
    public Money(decimal amount, string currency)
    {
        Currency = Currencies.Normalise(currency);
        Amount = Math.Round(amount, Currencies.MinorDigits(Currency), MidpointRounding.ToEven);
    }

    public decimal Amount { get; }
    public string Currency { get; }

    public static Money Zero(string currency) => new(0m, currency);

    public bool IsZero => Amount == 0m;
    public bool IsPositive => Amount > 0m;
    public bool IsNegative => Amount < 0m;

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount, SameCurrency(a, b, "add"));
    public static Money operator -(Money a, Money b) => new(a.Amount - b.Amount, SameCurrency(a, b, "subtract"));
    public static Money operator -(Money a) => new(-a.Amount, a.Currency);
    public static Money operator *(Money a, decimal factor) => new(a.Amount * factor, a.Currency);
    public static bool operator >(Money a, Money b) => Compare(a, b) > 0;
    public static bool operator <(Money a, Money b) => Compare(a, b) < 0;
    public static bool operator >=(Money a, Money b) => Compare(a, b) >= 0;
    public static bool operator <=(Money a, Money b) => Compare(a, b) <= 0;

    public static Money Max(Money a, Money b) => a >= b ? a : b;
    public static Money Min(Money a, Money b) => a <= b ? a : b;

    public override string ToString() =>
        Amount.ToString("N" + Currencies.MinorDigits(Currency), CultureInfo.InvariantCulture) + " " + Currency;

    private static int Compare(Money a, Money b)
    {
        SameCurrency(a, b, "compare");
        return a.Amount.CompareTo(b.Amount);
    }

    private static string SameCurrency(Money a, Money b, string operation) =>
        a.Currency == b.Currency
            ? a.Currency
            : throw new CurrencyMismatchException($"cannot {operation} {a.Currency} and {b.Currency}: convert to one currency first");
}

public sealed class CurrencyMismatchException(string message) : InvalidOperationException(message);

/// <summary>ISO-4217 codes this product knows, with their minor units.</summary>
public static class Currencies
{
    // Minor units per ISO 4217; currencies not listed here use two.
    private static readonly Dictionary<string, int> ZeroOrThreeDigits = new(StringComparer.Ordinal)
    {
        ["JPY"] = 0, ["KRW"] = 0, ["ISK"] = 0, ["CLP"] = 0, ["VND"] = 0, ["XOF"] = 0, ["XAF"] = 0,
        ["UGX"] = 0, ["PYG"] = 0, ["RWF"] = 0, ["KMF"] = 0, ["GNF"] = 0, ["VUV"] = 0, ["XPF"] = 0, ["DJF"] = 0,
        ["BHD"] = 3, ["KWD"] = 3, ["OMR"] = 3, ["JOD"] = 3, ["TND"] = 3, ["LYD"] = 3, ["IQD"] = 3,
    };

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "AED", "ARS", "AUD", "BGN", "BHD", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DJF", "DKK", "EGP", "EUR",
        "GBP", "GNF", "HKD", "HUF", "IDR", "ILS", "INR", "IQD", "ISK", "JOD", "JPY", "KES", "KMF", "KRW", "KWD", "LYD",
        "MXN", "MYR", "NGN", "NOK", "NZD", "OMR", "PEN", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RWF", "SAR", "SEK",
        "SGD", "THB", "TND", "TRY", "TWD", "UAH", "UGX", "USD", "VND", "VUV", "XAF", "XOF", "XPF", "ZAR",
    };

    public static bool IsKnown(string? code) => code is not null && Known.Contains(code);

    public static int MinorDigits(string currency) => ZeroOrThreeDigits.TryGetValue(currency, out var digits) ? digits : 2;

    public static string Normalise(string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var code = currency.Trim().ToUpperInvariant();
        return IsKnown(code) ? code : throw new ArgumentException($"'{currency}' is not an ISO-4217 currency this product knows", nameof(currency));
    }
}
