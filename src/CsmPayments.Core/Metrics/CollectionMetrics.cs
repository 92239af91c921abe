using CsmPayments.Billing;
using CsmPayments.Organisation;

namespace CsmPayments.Metrics;

/// <summary>
/// How well receivables are collected over a period (DESIGN §3), in the base currency. The money figures are each
/// rounded once to the base currency's minor unit; DSO, CEI and average days delinquent are computed from the exact
/// (unrounded) values and left unrounded for the report to round. A figure whose denominator is zero (or, for CEI,
/// not positive) is null: not applicable, never a made-up number.
/// </summary>
public sealed record CollectionFigures(
    ReportPeriod Period,
    int DsoDays,
    string Currency,
    Money ArAtStart,
    Money ArAtEnd,
    Money CurrentArAtEnd,
    Money InvoicedInPeriod,
    Money InvoicedInDsoWindow,
    decimal? Dso,
    decimal? BestPossibleDso,
    decimal? AverageDaysDelinquent,
    decimal? Cei);

public static class CollectionMetrics
{
    public const int DefaultDsoDays = 90;

    /// <summary>
    /// DSO over the <paramref name="dsoDays"/> days ending on the period's end date D:
    /// AR(D) / invoiced in (D−N, D] × N. Best possible DSO: current AR(D) / invoiced in (D−N, D] × N.
    /// Average days delinquent: DSO − best possible DSO. All three are null when nothing was invoiced in (D−N, D].
    /// CEI for [S, E]: (AR(S) + invoiced in (S, E] − AR(E)) / (AR(S) + invoiced in (S, E] − current AR(E)) × 100,
    /// null when that denominator is not positive (there was nothing to collect).
    /// </summary>
    public static CollectionFigures Compute(ReportPeriod period, int dsoDays, MetricsFacts facts, ExchangeRates rates)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dsoDays);
        var atStart = ArAging.Compute(period.From, facts, rates);
        var atEnd = ArAging.Compute(period.AsOf, facts, rates);
        return Compute(period, dsoDays, atStart, atEnd, facts.Invoices, rates);
    }

    /// <summary>The same from agings already computed as of the period's start and end.</summary>
    public static CollectionFigures Compute(ReportPeriod period, int dsoDays, AgingReport atStart, AgingReport atEnd,
        IEnumerable<InvoiceFacts> invoices, ExchangeRates rates)
    {
        if (atStart.AsOf != period.From || atEnd.AsOf != period.AsOf)
            throw new ArgumentException("the agings must be as of the period's start and end");
        var dsoWindowStart = period.AsOf.AddDays(-dsoDays);
        var invoicedInPeriod = InvoicedIn(period.From, period.AsOf, invoices, rates);
        var invoicedInWindow = InvoicedIn(dsoWindowStart, period.AsOf, invoices, rates);

        var arStart = atStart.ExactTotal;
        var arEnd = atEnd.ExactTotal;
        var currentEnd = atEnd.Exact(AgingBucket.Current);

        decimal? dso = null, best = null, delinquent = null;
        if (invoicedInWindow != 0m)
        {
            dso = arEnd * dsoDays / invoicedInWindow;
            best = currentEnd * dsoDays / invoicedInWindow;
            delinquent = dso - best;
        }

        var collectible = arStart + invoicedInPeriod - currentEnd;
        decimal? cei = collectible > 0m ? (arStart + invoicedInPeriod - arEnd) * 100m / collectible : null;

        var currency = rates.BaseCurrency;
        return new CollectionFigures(period, dsoDays, currency, atStart.Total, atEnd.Total, atEnd[AgingBucket.Current],
            new Money(invoicedInPeriod, currency), new Money(invoicedInWindow, currency), dso, best, delinquent, cei);
    }

    /// <summary>
    /// Invoiced in (A, B]: the amounts of the invoices issued after A and on or before B, void ones excluded,
    /// summed exactly per currency and converted to the base currency, not rounded.
    /// </summary>
    public static decimal InvoicedIn(DateOnly after, DateOnly upTo, IEnumerable<InvoiceFacts> invoices, ExchangeRates rates)
    {
        var perCurrency = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var i in invoices)
            if (i.IssueDate > after && i.IssueDate <= upTo && i.Status != InvoiceStatus.Void)
                perCurrency[i.Currency] = perCurrency.GetValueOrDefault(i.Currency) + i.Amount;
        var total = 0m;
        foreach (var (currency, amount) in perCurrency) total += rates.ToBase(amount, currency);
        return total;
    }
}
