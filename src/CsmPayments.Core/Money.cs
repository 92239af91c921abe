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
    // Minor units per ISO 4217; currencies not listed in either group use two.
    private static readonly HashSet<string> NoMinorUnit = Codes("CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF");
    private static readonly HashSet<string> ThreeMinorDigits = Codes("BHD IQD JOD KWD LYD OMR TND");

    private static readonly HashSet<string> Known = Codes(
        "AED ARS AUD BGN BHD BRL CAD CHF CLP CNY COP CZK DJF DKK EGP EUR GBP GNF HKD HUF IDR ILS INR IQD ISK JOD JPY KES " +
        "KMF KRW KWD LYD MXN MYR NGN NOK NZD OMR PEN PHP PKR PLN PYG QAR RON RWF SAR SEK SGD THB TND TRY TWD UAH UGX USD " +
        "VND VUV XAF XOF XPF ZAR");

    private static HashSet<string> Codes(string list) => new(list.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    public static bool IsKnown(string? code) => code is not null && Known.Contains(code);

    public static int MinorDigits(string currency) => NoMinorUnit.Contains(currency) ? 0 : ThreeMinorDigits.Contains(currency) ? 3 : 2;

    public static string Normalise(string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var code = currency.Trim().ToUpperInvariant();
        return IsKnown(code) ? code : throw new ArgumentException($"'{currency}' is not an ISO-4217 currency this product knows", nameof(currency));
    }
}
