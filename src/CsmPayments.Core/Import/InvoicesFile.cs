using CsmPayments.Billing;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>
/// invoices.csv: number, account_external_id, issue_date, due_date, amount, currency, po_number (optional),
/// status (optional, open by default). Matched on number.
/// </summary>
internal sealed class InvoicesFile(CsmDbContext db) : ImportFile<Invoice>(db)
{
    private static readonly ImportColumn Number = new("number");
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn IssueDate = new("issue_date");
    private static readonly ImportColumn DueDate = new("due_date");
    private static readonly ImportColumn Amount = new("amount");
    private static readonly ImportColumn Currency = new("currency");
    private static readonly ImportColumn PoNumber = new("po_number", Optional: true);
    private static readonly ImportColumn Status = new("status", Optional: true);

    private readonly KeySet<string> _numbers = new(StringComparer.Ordinal);
    private Dictionary<string, AccountRef> _accounts = [];
    private Dictionary<string, InvoiceRef> _recorded = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } = [Number, Account, IssueDate, DueDate, Amount, Currency, PoNumber, Status];

    public override async Task LoadAsync(CancellationToken ct)
    {
        _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);
        _recorded = await Lookups.InvoicesAsync(Db, Named(Number), ct);
    }

    protected override BulkUpsert<Invoice> Writer() => new(Db, nameof(Invoice.Number));

    protected override Invoice? Read(ImportRow row)
    {
        var number = row.Required(Number, Limit(nameof(Invoice.Number)));
        var account = row.Account(Account, _accounts, int.MaxValue);
        var issued = row.Date(IssueDate);
        var due = row.Date(DueDate);
        var currency = row.Currency(Currency, account);
        var amount = row.Amount(Amount, currency);
        var poNumber = row.Text(PoNumber, Limit(nameof(Invoice.PoNumber)));
        var status = row.OptionalChoice<InvoiceStatus>(Status) ?? InvoiceStatus.Open;
        if (row.Ok(IssueDate, DueDate) && due < issued)
            row.Error(DueDate, $"{ImportRow.Iso(due)} is before the issue date {ImportRow.Iso(issued)}");
        // Payments and credit notes of the first account may point at the invoice: moving it would make them
        // pay another customer's invoice.
        if (account is { } a && _recorded.TryGetValue(number, out var recorded) && recorded.AccountId != a.Id)
            row.Error(Account, $"invoice {number} is recorded for account {recorded.AccountExternalId}; an invoice cannot move to another account");
        if (number.Length > 0) row.Unique(_numbers, number, Number, $"invoice {number}");
        return row.HasErrors || account is not { } owner
            ? null
            : new Invoice(number, owner.Id, issued, due, new Money(amount, currency), poNumber, status);
    }
}
