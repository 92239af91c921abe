using CsmPayments.Billing;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>credit_notes.csv: number, account_external_id, invoice_number, amount, currency, issued_on. Matched on number.</summary>
internal sealed class CreditNotesFile(CsmDbContext db) : ImportFile<CreditNote>(db)
{
    private static readonly ImportColumn Number = new("number");
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn InvoiceNumber = new("invoice_number");
    private static readonly ImportColumn Amount = new("amount");
    private static readonly ImportColumn Currency = new("currency");
    private static readonly ImportColumn IssuedOn = new("issued_on");

    private readonly KeySet<string> _numbers = new(StringComparer.Ordinal);
    private Dictionary<string, AccountRef> _accounts = [];
    private Dictionary<string, InvoiceRef> _invoices = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } = [Number, Account, InvoiceNumber, Amount, Currency, IssuedOn];

    public override async Task LoadAsync(CancellationToken ct)
    {
        _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);
        _invoices = await Lookups.InvoicesAsync(Db, Named(InvoiceNumber), ct);
    }

    protected override BulkUpsert<CreditNote> Writer() => new(Db, nameof(CreditNote.Number));

    protected override CreditNote? Read(ImportRow row)
    {
        var number = row.Required(Number, Limit(nameof(CreditNote.Number)));
        var account = row.Account(Account, _accounts, int.MaxValue);
        var invoiceNumber = row.Required(InvoiceNumber, int.MaxValue);
        InvoiceRef? invoice = null;
        if (invoiceNumber.Length > 0)
        {
            if (!_invoices.TryGetValue(invoiceNumber, out var found))
                row.Error(InvoiceNumber, $"no invoice has number {ImportRow.Quote(invoiceNumber)}");
            else if (account is { } a && found.AccountId != a.Id)
                row.Error(InvoiceNumber, $"invoice {invoiceNumber} belongs to account {found.AccountExternalId}, not {a.ExternalId}");
            else
                invoice = found;
        }
        var currency = row.Currency(Currency, account);
        var amount = row.Amount(Amount, currency, mustBePositive: true);
        var issuedOn = row.Date(IssuedOn);
        if (invoice is { } i && row.Ok(IssuedOn) && issuedOn < i.IssueDate)
            row.Error(IssuedOn, $"{ImportRow.Iso(issuedOn)} is before invoice {invoiceNumber} was issued ({ImportRow.Iso(i.IssueDate)})");
        if (number.Length > 0) row.Unique(_numbers, number, Number, $"credit note {number}");
        return row.HasErrors || account is not { } owner || invoice is not { } credited
            ? null
            : new CreditNote(number, owner.Id, credited.Id, new Money(amount, currency), issuedOn);
    }
}
