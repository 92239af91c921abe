namespace CsmPayments.Organisation;

/// <summary>Converts money into the base currency with the configured rates.</summary>
public sealed class ExchangeRates
{
    private readonly Dictionary<string, decimal> _rates = new(StringComparer.Ordinal);

    public ExchangeRates(string baseCurrency, IReadOnlyDictionary<string, decimal> rates)
    {
        BaseCurrency = Currencies.Normalise(baseCurrency);
        foreach (var (currency, rate) in rates)
        {
            if (rate <= 0m) throw new ArgumentException($"the exchange rate for {currency} must be positive, not {rate}");
            _rates[Currencies.Normalise(currency)] = rate;
        }
        _rates[BaseCurrency] = 1m;
    }

    public string BaseCurrency { get; }

    public bool Knows(string currency) => _rates.ContainsKey(currency);

    /// <summary>Exact product, rounded only at the end to the base currency's minor unit.</summary>
    public Money ToBase(Money money) => new(ToBase(money.Amount, money.Currency), BaseCurrency);

    /// <summary>The unrounded base-currency value, for summing many amounts before rounding once.</summary>
    public decimal ToBase(decimal amount, string currency) =>
        _rates.TryGetValue(currency, out var rate)
            ? amount * rate
            : throw new InvalidOperationException($"no exchange rate from {currency} to {BaseCurrency} is configured (Organisation:ExchangeRates:{currency})");
}
