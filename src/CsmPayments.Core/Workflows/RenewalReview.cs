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

    /// <summary>The amount the review approved for the renewal invoice, when it is not the subscription's MRR × term.</summary>
    public decimal? ApprovedAmountValue { get; private set; }

    public string? ApprovedCurrency { get; private set; }

    /// <summary>The renewal invoice the cycle issued for this review, once it has.</summary>
    public long? InvoiceId { get; private set; }

    public DateOnly? InvoiceIssuedOn { get; private set; }

    /// <summary>The renewal invoice may go out.</summary>
    public bool InvoiceMayGoOut => State == RenewalReviewState.Approved;

    public Money? ApprovedAmount => ApprovedAmountValue is { } v && ApprovedCurrency is { } c ? new Money(v, c) : null;

    /// <summary>Approves the renewal invoice, optionally for another amount than the subscription's MRR × term.</summary>
    public void Approve(string by, DateOnly on, string? note, Money? amount = null)
    {
        if (State == RenewalReviewState.Approved) throw new WorkflowException($"renewal review {Id} is already approved");
        if (amount is { } a && !a.IsPositive) throw new WorkflowException($"a renewal invoice of {a} is not possible; the amount must be above zero");
        State = RenewalReviewState.Approved;
        DecidedBy = Guard.Required(by, nameof(by));
        DecidedOn = on;
        Reason = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        ApprovedAmountValue = amount?.Amount;
        ApprovedCurrency = amount?.Currency;
    }

    /// <summary>Records the renewal invoice issued for this approved review; a review issues one invoice, once.</summary>
    public void RecordInvoice(long invoiceId, DateOnly issuedOn)
    {
        if (State != RenewalReviewState.Approved) throw new WorkflowException($"renewal review {Id} is not approved; no renewal invoice goes out");
        if (InvoiceId is not null) throw new WorkflowException($"renewal review {Id} has already issued its invoice");
        InvoiceId = invoiceId;
        InvoiceIssuedOn = issuedOn;
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
