namespace CsmPayments.Workflows;

public enum DisputeState { Open, Resolved, Credited }

/// <summary>
/// The customer contests an invoice. While open, that invoice's reminders wait; resolved, they resume (the invoice
/// stands); credited, a credit note reduces the invoice and reminders continue for whatever is still owed.
/// </summary>
public sealed class Dispute
{
    private Dispute() { Reason = OpenedBy = ""; }

    public Dispute(long accountId, long invoiceId, long ownerUserId, string reason, DateOnly openedOn, string openedBy)
    {
        AccountId = accountId;
        InvoiceId = invoiceId;
        OwnerUserId = ownerUserId;
        Reason = Guard.Required(reason, nameof(reason));
        OpenedOn = openedOn;
        OpenedBy = Guard.Required(openedBy, nameof(openedBy));
        State = DisputeState.Open;
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public long InvoiceId { get; private set; }
    public long OwnerUserId { get; private set; }
    public string Reason { get; private set; }
    public DateOnly OpenedOn { get; private set; }
    public string OpenedBy { get; private set; }
    public DisputeState State { get; private set; }
    public string? Resolution { get; private set; }
    public DateOnly? ResolvedOn { get; private set; }
    public string? ResolvedBy { get; private set; }
    public long? CreditNoteId { get; private set; }

    /// <summary>The invoice stands; reminders resume.</summary>
    public void Resolve(string resolution, DateOnly on, string by) => Close(DisputeState.Resolved, resolution, on, by);

    /// <summary>The customer was right, in part or in full: a credit note is issued against the invoice.</summary>
    public void Credit(string resolution, DateOnly on, string by) => Close(DisputeState.Credited, resolution, on, by);

    internal void LinkCreditNote(long creditNoteId) => CreditNoteId = creditNoteId;

    private void Close(DisputeState to, string resolution, DateOnly on, string by)
    {
        if (State != DisputeState.Open) throw new WorkflowException($"dispute {Id} is already {State.ToString().ToLowerInvariant()}");
        if (on < OpenedOn) throw new WorkflowException("a dispute cannot be resolved before it was opened");
        State = to;
        Resolution = Guard.Required(resolution, nameof(resolution));
        ResolvedOn = on;
        ResolvedBy = Guard.Required(by, nameof(by));
    }
}
