namespace CsmPayments.Audit;

/// <summary>
/// One decision with money consequences: who made it, when, what, and for how much. Written in the same transaction
/// as the decision itself; never changed afterwards.
/// </summary>
public sealed class AuditEntry
{
    private AuditEntry() { Actor = Action = Detail = ""; }

    public AuditEntry(long accountId, DateTimeOffset at, string actor, string action, string detail, Money? amount = null)
    {
        AccountId = accountId;
        At = at.ToUniversalTime();
        Actor = Guard.Required(actor, nameof(actor));
        Action = Guard.Required(action, nameof(action));
        Detail = detail ?? "";
        AmountValue = amount?.Amount;
        Currency = amount?.Currency;
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public DateTimeOffset At { get; private set; }

    /// <summary>The user's email, or <c>system</c> for the collection cycle.</summary>
    public string Actor { get; private set; }

    /// <summary>What was decided, e.g. <c>reminder.sent</c>, <c>plan.approved</c>, <c>promise.broken</c>.</summary>
    public string Action { get; private set; }

    public string Detail { get; private set; }
    public decimal? AmountValue { get; private set; }
    public string? Currency { get; private set; }

    public Money? Amount => AmountValue is { } v && Currency is { } c ? new Money(v, c) : null;
}

/// <summary>The names of audited decisions, one place so reports and tests agree.</summary>
public static class AuditActions
{
    public const string ReminderQueued = "reminder.queued";
    public const string ReminderSent = "reminder.sent";
    public const string MessageUncertain = "message.uncertain";
    public const string MessageResent = "message.resent";
    public const string MessageMarkedSent = "message.marked_sent";
    public const string TaskCreated = "task.created";
    public const string PromiseRecorded = "promise.recorded";
    public const string PromiseKept = "promise.kept";
    public const string PromiseBroken = "promise.broken";
    public const string DisputeOpened = "dispute.opened";
    public const string DisputeResolved = "dispute.resolved";
    public const string CreditNoteIssued = "credit_note.issued";
    public const string PlanProposed = "plan.proposed";
    public const string PlanApproved = "plan.approved";
    public const string PlanRejected = "plan.rejected";
    public const string DiscountGranted = "discount.granted";
    public const string PlanBroken = "plan.broken";
    public const string PlanCompleted = "plan.completed";
    public const string RenewalReviewOpened = "renewal.review_opened";
    public const string RenewalApproved = "renewal.approved";
    public const string RenewalHeld = "renewal.held";
    public const string RenewalInvoiceIssued = "renewal.invoice_issued";
    public const string CancellationRequested = "cancellation.requested";
    public const string CancellationOutcome = "cancellation.outcome";
    public const string CancellationCarriedOut = "cancellation.carried_out";
}
