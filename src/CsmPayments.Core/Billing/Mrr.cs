namespace CsmPayments.Billing;

public readonly record struct SubscriptionFacts(long AccountId, decimal Mrr, string Currency, DateOnly StartDate, DateOnly? EndDate,
    CancellationReason? CancellationReason)
{
    public static SubscriptionFacts Of(Subscription s) => new(s.AccountId, s.MrrAmount, s.Currency, s.StartDate, s.EndDate, s.CancellationReason);

    public bool IsActiveOn(DateOnly date) => StartDate <= date && (EndDate is null || EndDate > date);
}

public static class MonthlyRecurringRevenue
{
    /// <summary>MRR(account, D): the MRR of the subscriptions with start ≤ D and (no end or end > D).</summary>
    public static Money Of(IEnumerable<SubscriptionFacts> subscriptions, DateOnly date, string currency)
    {
        var total = Money.Zero(currency);
        foreach (var s in subscriptions)
            if (s.IsActiveOn(date))
                total += new Money(s.Mrr, s.Currency);
        return total;
    }
}
