namespace CsmPayments.Billing;

/// <summary>
/// A note that the ledger of an account changed: a payment or credit note written, corrected or deleted, or an invoice's
/// amount, status or account changed. Written by the database itself (triggers on <c>payments</c>, <c>credit_notes</c>
/// and <c>invoices</c>, whatever wrote the rows: the API, an import, a webhook, a correction by hand) and read by the
/// daily cycle, which trusts the day each invoice was settled on, as it last found it (<see cref="Invoice.SettledOnColumn"/>),
/// only for accounts without a note. A whole run deletes the notes it read once it has written what it found for those
/// accounts. No foreign key: a note of an account deleted since is read and deleted like any other.
/// </summary>
public sealed class LedgerChange
{
    private LedgerChange() { }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
}
