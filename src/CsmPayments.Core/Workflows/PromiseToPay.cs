namespace CsmPayments.Workflows;

public enum PromiseState { Open, Kept, Broken }

/// <summary>
/// The customer's word that it will pay an amount by a date. While open it pauses the account's reminders; it is kept
/// when payments received since it was made reach the amount, and broken when they have not by the date plus the grace
/// period — then the reminders resume at the step they have reached and the CSM gets a task.
/// </summary>
public sealed class PromiseToPay
{
    private PromiseToPay() { Currency = RecordedBy = Note = ""; }

    public PromiseToPay(long accountId, long ownerUserId, Money amount, DateOnly promisedFor, DateOnly recordedOn, string recordedBy, string? note)
    {
        if (!amount.IsPositive) throw new WorkflowException("a promise to pay must be for a positive amount");
        if (promisedFor < recordedOn) throw new WorkflowException($"a promise to pay by {promisedFor:yyyy-MM-dd} is in the past on {recordedOn:yyyy-MM-dd}");
        AccountId = accountId;
        OwnerUserId = ownerUserId;
        AmountValue = amount.Amount;
        Currency = amount.Currency;
        PromisedFor = promisedFor;
        RecordedOn = recordedOn;
        RecordedBy = Guard.Required(recordedBy, nameof(recordedBy));
        Note = note?.Trim() ?? "";
        State = PromiseState.Open;
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public long OwnerUserId { get; private set; }
    public decimal AmountValue { get; private set; }
    public string Currency { get; private set; }
    public DateOnly PromisedFor { get; private set; }
    public DateOnly RecordedOn { get; private set; }
    public string RecordedBy { get; private set; }
    public string Note { get; private set; }
    public PromiseState State { get; private set; }
    public DateOnly? ClosedOn { get; private set; }

    public Money Amount => new(AmountValue, Currency);

    /// <summary>The state the promise should be in on <paramref name="today"/>, given what was paid since it was made.</summary>
    public PromiseState Evaluate(Money paidSinceRecorded, DateOnly today, int graceDays) =>
        State != PromiseState.Open ? State
        : paidSinceRecorded >= Amount ? PromiseState.Kept
        : today > PromisedFor.AddDays(graceDays) ? PromiseState.Broken
        : PromiseState.Open;

    public void Keep(DateOnly on) => Close(PromiseState.Kept, on);

    public void Break(DateOnly on) => Close(PromiseState.Broken, on);

    private void Close(PromiseState to, DateOnly on)
    {
        if (State != PromiseState.Open) throw new WorkflowException($"promise {Id} is already {State.ToString().ToLowerInvariant()}");
        State = to;
        ClosedOn = on;
    }
}
