using CsmPayments.Billing;

namespace CsmPayments.Workflows;

public enum CancellationState { AwaitingSaveCall, Saved, Downgraded, Cancelled, CarriedOut }

public enum CancellationOutcome { Saved, Downgraded, Cancelled }

/// <summary>
/// A customer asks to cancel [001]: logged with its reason, the CSM makes a save call within the configured days, the
/// outcome is saved, downgraded or cancelled, and finance carries out a downgrade or cancellation. A cancellation for
/// non-payment ends the subscription with the reason <c>delinquent</c>.
/// </summary>
public sealed class CancellationRequest
{
    private CancellationRequest() { Reason = RequestedBy = ""; }

    public CancellationRequest(long accountId, long subscriptionId, long ownerUserId, string reason, bool forNonPayment,
        DateOnly requestedOn, string requestedBy, int saveCallDays)
    {
        AccountId = accountId;
        SubscriptionId = subscriptionId;
        OwnerUserId = ownerUserId;
        Reason = Guard.Required(reason, nameof(reason));
        ForNonPayment = forNonPayment;
        RequestedOn = requestedOn;
        RequestedBy = Guard.Required(requestedBy, nameof(requestedBy));
        SaveCallDueOn = requestedOn.AddDays(saveCallDays);
        State = CancellationState.AwaitingSaveCall;
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public long SubscriptionId { get; private set; }
    public long OwnerUserId { get; private set; }
    public string Reason { get; private set; }
    public bool ForNonPayment { get; private set; }
    public DateOnly RequestedOn { get; private set; }
    public string RequestedBy { get; private set; }
    public DateOnly SaveCallDueOn { get; private set; }
    public CancellationState State { get; private set; }
    public string? OutcomeBy { get; private set; }
    public DateOnly? OutcomeOn { get; private set; }
    public string? OutcomeNote { get; private set; }

    /// <summary>For a downgrade: the new MRR.</summary>
    public decimal? NewMrrValue { get; private set; }

    /// <summary>For a downgrade or cancellation: the first day without the old subscription.</summary>
    public DateOnly? EffectiveOn { get; private set; }

    public string? CarriedOutBy { get; private set; }
    public DateOnly? CarriedOutOn { get; private set; }

    public CancellationReason SubscriptionReason => ForNonPayment ? CancellationReason.Delinquent : CancellationReason.Voluntary;

    /// <summary>What the save call achieved.</summary>
    public void RecordOutcome(CancellationOutcome outcome, string by, DateOnly on, string? note, decimal? newMrr, DateOnly? effectiveOn)
    {
        if (State != CancellationState.AwaitingSaveCall) throw new WorkflowException($"cancellation request {Id} already has its outcome ({State.ToString().ToLowerInvariant()})");
        if (outcome == CancellationOutcome.Downgraded && newMrr is not > 0m) throw new WorkflowException("a downgrade needs the new MRR, above zero");
        if (outcome != CancellationOutcome.Saved && effectiveOn is null) throw new WorkflowException("a downgrade or cancellation needs the date it takes effect");
        if (effectiveOn < RequestedOn) throw new WorkflowException("the change cannot take effect before it was requested");
        State = outcome switch
        {
            CancellationOutcome.Saved => CancellationState.Saved,
            CancellationOutcome.Downgraded => CancellationState.Downgraded,
            _ => CancellationState.Cancelled,
        };
        OutcomeBy = Guard.Required(by, nameof(by));
        OutcomeOn = on;
        OutcomeNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        NewMrrValue = outcome == CancellationOutcome.Downgraded ? newMrr : null;
        EffectiveOn = outcome == CancellationOutcome.Saved ? null : effectiveOn;
    }

    /// <summary>Finance has carried out the downgrade or cancellation.</summary>
    public void CarryOut(string by, DateOnly on)
    {
        if (State is not (CancellationState.Downgraded or CancellationState.Cancelled))
            throw new WorkflowException($"cancellation request {Id} is {State.ToString().ToLowerInvariant()}: only a downgrade or cancellation is carried out");
        State = CancellationState.CarriedOut;
        CarriedOutBy = Guard.Required(by, nameof(by));
        CarriedOutOn = on;
    }
}
