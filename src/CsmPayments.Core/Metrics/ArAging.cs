using CsmPayments.Billing;
using CsmPayments.Organisation;

namespace CsmPayments.Metrics;

/// <summary>Aging buckets of DESIGN §3, by days past due (as-of date − due date).</summary>
public enum AgingBucket { Current, Days1To30, Days31To60, Days61To90, Over90 }

public static class AgingBuckets
{
    public static IReadOnlyList<AgingBucket> All { get; } =
        [AgingBucket.Current, AgingBucket.Days1To30, AgingBucket.Days31To60, AgingBucket.Days61To90, AgingBucket.Over90];

    /// <summary><c>current</c> ≤ 0, <c>1-30</c>, <c>31-60</c>, <c>61-90</c>, <c>90+</c> &gt; 90.</summary>
    public static AgingBucket For(int daysPastDue) => daysPastDue switch
    {
        <= 0 => AgingBucket.Current,
        <= 30 => AgingBucket.Days1To30,
        <= 60 => AgingBucket.Days31To60,
        <= 90 => AgingBucket.Days61To90,
        _ => AgingBucket.Over90,
    };

    /// <summary>The bucket's name in DESIGN §3 and in the JSON and CSV exports.</summary>
    public static string Key(this AgingBucket bucket) => bucket switch
    {
        AgingBucket.Current => "current",
        AgingBucket.Days1To30 => "1-30",
        AgingBucket.Days31To60 => "31-60",
        AgingBucket.Days61To90 => "61-90",
        AgingBucket.Over90 => "90+",
        _ => throw new ArgumentOutOfRangeException(nameof(bucket), bucket, null),
    };
}

/// <summary>What one account owed as of the aging date, per bucket, in one currency (the invoices' currency).</summary>
public sealed record AgingAccount(long AccountId, string Currency, IReadOnlyList<Money> Buckets)
{
    public Money this[AgingBucket bucket] => Buckets[(int)bucket];

    public Money Total => Buckets.Aggregate(Money.Zero(Currency), (sum, amount) => sum + amount);
}

/// <summary>
/// AR aging as of one date in the base currency. <see cref="Buckets"/> and <see cref="Total"/> are each rounded once,
/// from exact sums, to the base currency's minor unit; with several currencies the rounded buckets can therefore
/// differ from the rounded total by a minor unit or two. Ratios use the exact values.
/// </summary>
public sealed class AgingReport
{
    private readonly decimal[] _exact;

    internal AgingReport(DateOnly asOf, string currency, decimal[] exactBuckets, IReadOnlyList<AgingAccount> accounts)
    {
        AsOf = asOf;
        Currency = currency;
        _exact = exactBuckets;
        ExactTotal = exactBuckets.Sum();
        Buckets = [.. exactBuckets.Select(x => new Money(x, currency))];
        Total = new Money(ExactTotal, currency);
        Accounts = accounts;
    }

    public DateOnly AsOf { get; }

    /// <summary>The base currency.</summary>
    public string Currency { get; }

    public IReadOnlyList<Money> Buckets { get; }
    public Money Total { get; }

    /// <summary>The accounts behind the figures: one line per account (and currency) with a balance, by account id.</summary>
    public IReadOnlyList<AgingAccount> Accounts { get; }

    public Money this[AgingBucket bucket] => Buckets[(int)bucket];

    /// <summary>AR(D) converted to the base currency, not rounded.</summary>
    public decimal ExactTotal { get; }

    /// <summary>One bucket converted to the base currency, not rounded.</summary>
    public decimal Exact(AgingBucket bucket) => _exact[(int)bucket];

    /// <summary>The bucket's share of the total as a fraction; null when nothing is owed.</summary>
    public decimal? ShareOf(AgingBucket bucket) => ExactTotal == 0m ? null : _exact[(int)bucket] / ExactTotal;
}

/// <summary>AR aging (DESIGN §3): balances as of D of the invoices issued on or before D, by days past due.</summary>
public static class ArAging
{
    public static AgingReport Compute(DateOnly asOf, MetricsFacts facts, ExchangeRates rates) =>
        Of(Ledger.Position(asOf, facts.Invoices, facts.Payments, facts.CreditNotes), rates);

    /// <summary>
    /// Sums balances exactly per currency and bucket, converts each currency's sums, and leaves rounding to the
    /// report. Only invoices with a balance &gt; 0 count; credit on an account never offsets what it owes.
    /// </summary>
    public static AgingReport Of(LedgerPosition position, ExchangeRates rates)
    {
        var bucketCount = AgingBuckets.All.Count;
        var perCurrency = new Dictionary<string, decimal[]>(StringComparer.Ordinal);
        var perAccount = new Dictionary<(long AccountId, string Currency), decimal[]>();
        foreach (var line in position.Invoices)
        {
            if (!line.Balance.IsPositive) continue;
            var bucket = (int)AgingBuckets.For(line.DaysPastDue(position.AsOf));
            var currency = line.Balance.Currency;
            if (!perCurrency.TryGetValue(currency, out var sums)) perCurrency[currency] = sums = new decimal[bucketCount];
            sums[bucket] += line.Balance.Amount;
            var key = (line.Invoice.AccountId, currency);
            if (!perAccount.TryGetValue(key, out var accountSums)) perAccount[key] = accountSums = new decimal[bucketCount];
            accountSums[bucket] += line.Balance.Amount;
        }

        var exact = new decimal[bucketCount];
        foreach (var (currency, sums) in perCurrency)
            for (var b = 0; b < bucketCount; b++)
                exact[b] += rates.ToBase(sums[b], currency);

        var accounts = perAccount
            .OrderBy(a => a.Key.AccountId).ThenBy(a => a.Key.Currency, StringComparer.Ordinal)
            .Select(a => new AgingAccount(a.Key.AccountId, a.Key.Currency, [.. a.Value.Select(x => new Money(x, a.Key.Currency))]))
            .ToList();
        return new AgingReport(position.AsOf, rates.BaseCurrency, exact, accounts);
    }
}
