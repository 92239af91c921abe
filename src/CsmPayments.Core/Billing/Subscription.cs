namespace CsmPayments.Billing;

/// <summary>Why a subscription ended: the customer chose to leave, or it was ended for non-payment.</summary>
public enum CancellationReason { Voluntary, Delinquent }

/// <summary>A recurring contract; its MRR counts from <see cref="StartDate"/> up to, not including, <see cref="EndDate"/>.</summary>
public sealed class Subscription
{
    private Subscription() { ExternalId = Plan = Currency = ""; }

    public Subscription(string externalId, long accountId, string plan, Money mrr, DateOnly startDate, DateOnly? endDate,
        DateOnly? renewalDate, CancellationReason? cancellationReason)
    {
        ExternalId = Guard.Required(externalId, nameof(externalId));
        AccountId = accountId;
        Plan = Guard.Required(plan, nameof(plan));
        Guard.NotNegative(mrr, nameof(mrr));
        MrrAmount = mrr.Amount;
        Currency = mrr.Currency;
        StartDate = startDate;
        EndDate = endDate is null || endDate >= startDate ? endDate : throw new ArgumentException("end date is before the start date", nameof(endDate));
        RenewalDate = renewalDate;
        CancellationReason = cancellationReason;
    }

    public long Id { get; private set; }
    public string ExternalId { get; private set; }
    public long AccountId { get; private set; }
    public string Plan { get; private set; }
    public decimal MrrAmount { get; private set; }
    public string Currency { get; private set; }
    public DateOnly StartDate { get; private set; }

    /// <summary>First day without the subscription; empty while it runs.</summary>
    public DateOnly? EndDate { get; private set; }

    public DateOnly? RenewalDate { get; private set; }
    public CancellationReason? CancellationReason { get; private set; }

    public Money Mrr => new(MrrAmount, Currency);

    /// <summary>Ends the subscription: <paramref name="endDate"/> is its first day without it. A subscription ends once.</summary>
    public void End(DateOnly endDate, CancellationReason? reason)
    {
        if (EndDate is not null) throw new WorkflowException($"subscription {ExternalId} has already ended on {EndDate:yyyy-MM-dd}");
        if (endDate < StartDate) throw new WorkflowException($"subscription {ExternalId} cannot end before it started on {StartDate:yyyy-MM-dd}");
        EndDate = endDate;
        CancellationReason = reason;
    }

    /// <summary>Active on <paramref name="date"/>: start ≤ D and (no end or end > D), as DESIGN §3 defines MRR.</summary>
    public bool IsActiveOn(DateOnly date) => StartDate <= date && (EndDate is null || EndDate > date);
}
