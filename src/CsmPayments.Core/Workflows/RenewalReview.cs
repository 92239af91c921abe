namespace CsmPayments.Workflows;

public enum RenewalReviewState { Pending, Approved, Held }

/// <summary>
/// Before each renewal, finance and the CSM decide together whether the renewal invoice goes out [001]. Opened by the
/// collection cycle the configured number of days (90) before the renewal date; approved, or held with a reason (a held
/// invoice may be approved later, once the extra steps are done).
/// </summary>
public sealed class RenewalReview
{
    private RenewalReview() { }

    public RenewalReview(long accountId, long subscriptionId, DateOnly renewalDate, DateOnly openedOn)
    {
        AccountId = accountId;
        SubscriptionId = subscriptionId;
        RenewalDate = renewalDate;
        OpenedOn = openedOn;
        State = RenewalReviewState.Pending;
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public long SubscriptionId { get; private set; }
    public DateOnly RenewalDate { get; private set; }
    public DateOnly OpenedOn { get; private set; }
    public RenewalReviewState State { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateOnly? DecidedOn { get; private set; }
    public string? Reason { get; private set; }

    /// <summary>The renewal invoice may go out.</summary>
    public bool InvoiceMayGoOut => State == RenewalReviewState.Approved;

    public void Approve(string by, DateOnly on, string? note)
    {
        if (State == RenewalReviewState.Approved) throw new WorkflowException($"renewal review {Id} is already approved");
        State = RenewalReviewState.Approved;
        DecidedBy = Guard.Required(by, nameof(by));
        DecidedOn = on;
        Reason = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
    }

    public void Hold(string by, DateOnly on, string reason)
    {
        if (State != RenewalReviewState.Pending) throw new WorkflowException($"renewal review {Id} is already {State.ToString().ToLowerInvariant()}");
        if (string.IsNullOrWhiteSpace(reason)) throw new WorkflowException("holding a renewal invoice needs a reason");
        State = RenewalReviewState.Held;
        DecidedBy = Guard.Required(by, nameof(by));
        DecidedOn = on;
        Reason = reason.Trim();
    }
}
