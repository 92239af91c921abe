using CsmPayments.Billing;
using CsmPayments.Organisation;

namespace CsmPayments.Metrics;

public enum MrrMovement { Unchanged, Expanded, Contracted, Churned }

/// <summary>
/// One account counted in a retention period: its MRR at the start and at the end in the base currency (each rounded
/// for display; the totals are summed from exact values), and whether its churn was delinquent.
/// </summary>
public sealed record RetentionAccount(long AccountId, Money MrrAtStart, Money MrrAtEnd, MrrMovement Movement, bool DelinquentChurn);

/// <summary>
/// GRR, NRR, logo churn and delinquent churn for [S, E] (DESIGN §3), over the accounts with MRR(S) &gt; 0.
/// Ratios are fractions (0.93), exact and unrounded; each is null when no account had MRR at the start.
/// </summary>
public sealed record RetentionFigures(
    ReportPeriod Period,
    string Currency,
    int AccountsCounted,
    int AccountsChurned,
    int AccountsChurnedDelinquent,
    Money MrrAtStart,
    Money MrrAtEnd,
    Money Expansion,
    Money Contraction,
    Money Churned,
    decimal? Grr,
    decimal? Nrr,
    decimal? LogoChurn,
    decimal? DelinquentChurn,
    IReadOnlyList<RetentionAccount> Accounts);

public static class RetentionMetrics
{
    /// <summary>
    /// MRR(account, D) sums the subscriptions active on D (start ≤ D and no end or end &gt; D), each converted to the
    /// base currency; sums stay exact and are rounded once. An account counts when MRR(S) &gt; 0; it churned when
    /// MRR(E) = 0, contracted when 0 &lt; MRR(E) &lt; MRR(S), expanded when MRR(E) &gt; MRR(S). A cancel and a
    /// resubscribe inside the period is therefore judged only by MRR(S) against MRR(E).
    /// <para>
    /// Delinquent churn counts a churned account when its ending subscription was cancelled as
    /// <see cref="CancellationReason.Delinquent"/>. The ending subscription is the account's subscription whose end
    /// date is the latest in (S, E] — the one whose end left the account without MRR, including one started inside
    /// the period after a resubscribe. When several end on that same latest date, the churn is delinquent if any of
    /// them was cancelled as delinquent.
    /// </para>
    /// </summary>
    public static RetentionFigures Compute(ReportPeriod period, IEnumerable<SubscriptionFacts> subscriptions, ExchangeRates rates)
    {
        var currency = rates.BaseCurrency;
        decimal start = 0m, end = 0m, expansion = 0m, contraction = 0m, churned = 0m;
        int counted = 0, churnedCount = 0, delinquentCount = 0;
        var accounts = new List<RetentionAccount>();

        foreach (var account in subscriptions.GroupBy(s => s.AccountId).OrderBy(g => g.Key))
        {
            var mrrStart = Mrr(account, period.From, rates);
            if (mrrStart <= 0m) continue;
            var mrrEnd = Mrr(account, period.AsOf, rates);
            counted++;
            start += mrrStart;
            end += mrrEnd;

            var movement = MrrMovement.Unchanged;
            var delinquent = false;
            if (mrrEnd == 0m)
            {
                movement = MrrMovement.Churned;
                churned += mrrStart;
                churnedCount++;
                delinquent = EndedAsDelinquent(account, period);
                if (delinquent) delinquentCount++;
            }
            else if (mrrEnd < mrrStart)
            {
                movement = MrrMovement.Contracted;
                contraction += mrrStart - mrrEnd;
            }
            else if (mrrEnd > mrrStart)
            {
                movement = MrrMovement.Expanded;
                expansion += mrrEnd - mrrStart;
            }
            accounts.Add(new RetentionAccount(account.Key, new Money(mrrStart, currency), new Money(mrrEnd, currency), movement, delinquent));
        }

        decimal? grr = null, nrr = null, logo = null, delinquentChurn = null;
        if (counted > 0)
        {
            grr = (start - contraction - churned) / start;
            nrr = (start + expansion - contraction - churned) / start;
            logo = (decimal)churnedCount / counted;
            delinquentChurn = (decimal)delinquentCount / counted;
        }

        return new RetentionFigures(period, currency, counted, churnedCount, delinquentCount,
            new Money(start, currency), new Money(end, currency), new Money(expansion, currency), new Money(contraction, currency),
            new Money(churned, currency), grr, nrr, logo, delinquentChurn, accounts);
    }

    /// <summary>MRR(account, D) in the base currency, exact: per currency first, then converted.</summary>
    private static decimal Mrr(IEnumerable<SubscriptionFacts> subscriptions, DateOnly date, ExchangeRates rates)
    {
        var perCurrency = new Dictionary<string, decimal>(1, StringComparer.Ordinal);
        foreach (var s in subscriptions)
            if (s.IsActiveOn(date))
                perCurrency[s.Currency] = perCurrency.GetValueOrDefault(s.Currency) + s.Mrr;
        var total = 0m;
        foreach (var (currency, amount) in perCurrency) total += rates.ToBase(amount, currency);
        return total;
    }

    private static bool EndedAsDelinquent(IEnumerable<SubscriptionFacts> subscriptions, ReportPeriod period)
    {
        DateOnly? lastEnd = null;
        var delinquent = false;
        foreach (var s in subscriptions)
        {
            if (s.EndDate is not { } ended || ended <= period.From || ended > period.AsOf) continue;
            var isDelinquent = s.CancellationReason == CancellationReason.Delinquent;
            if (lastEnd is null || ended > lastEnd)
            {
                lastEnd = ended;
                delinquent = isDelinquent;
            }
            else if (ended == lastEnd)
            {
                delinquent |= isDelinquent;
            }
        }
        return delinquent;
    }
}
