using CsmPayments.Billing;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>
/// payments.csv: external_id, account_external_id, invoice_number (optional: unapplied when empty), amount, currency,
/// paid_on, method, status, failure_code (optional). Matched on external_id. Failed attempts are recorded too.
/// </summary>
internal sealed class PaymentsFile(CsmDbContext db) : ImportFile<Payment>(db)
{
    private static readonly ImportColumn ExternalId = new("external_id");
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn InvoiceNumber = new("invoice_number", Optional: true);
    private static readonly ImportColumn Amount = new("amount");
    private static readonly ImportColumn Currency = new("currency");
    private static readonly ImportColumn PaidOn = new("paid_on");
    private static readonly ImportColumn Method = new("method");
    private static readonly ImportColumn Status = new("status");
    private static readonly ImportColumn FailureCode = new("failure_code", Optional: true);

    private readonly KeySet<string> _externalIds = new(StringComparer.Ordinal);
    private Dictionary<string, AccountRef> _accounts = [];
    private Dictionary<string, InvoiceRef> _invoices = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } =
        [ExternalId, Account, InvoiceNumber, Amount, Currency, PaidOn, Method, Status, FailureCode];

    public override async Task LoadAsync(CancellationToken ct)
    {
        _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);
        _invoices = await Lookups.InvoicesAsync(Db, Named(InvoiceNumber), ct);
    }

    protected override BulkUpsert<Payment> Writer() => new(Db, nameof(Payment.ExternalId));

    protected override Payment? Read(ImportRow row)
    {
        var externalId = row.Required(ExternalId, Limit(nameof(Payment.ExternalId)));
        var account = row.Account(Account, _accounts, int.MaxValue);
        var invoice = InvoiceOf(row, account);
        var currency = row.Currency(Currency, account);
        var amount = row.Amount(Amount, currency, mustBePositive: true);
        var paidOn = row.Date(PaidOn);
        var method = row.Choice<PaymentMethod>(Method);
        var status = row.Choice<PaymentStatus>(Status);
        var failureCode = row.Text(FailureCode, Limit(nameof(Payment.FailureCode)));
        if (row.Ok(Status) && status == PaymentStatus.Succeeded && failureCode is not null)
            row.Error(FailureCode, $"a succeeded payment has no failure code, but this one has {ImportRow.Quote(failureCode)}");
        if (externalId.Length > 0) row.Unique(_externalIds, externalId, ExternalId, $"payment {externalId}");
        return row.HasErrors || account is not { } a
            ? null
            : new Payment(externalId, a.Id, invoice?.Id, new Money(amount, currency), paidOn, method, status, failureCode);
    }

    private InvoiceRef? InvoiceOf(ImportRow row, AccountRef? account)
    {
        var number = row.Text(InvoiceNumber, int.MaxValue);
        if (number is null) return null;
        if (!_invoices.TryGetValue(number, out var invoice))
        {
            row.Error(InvoiceNumber, $"no invoice has number {ImportRow.Quote(number)}");
            return null;
        }
        if (account is { } a && invoice.AccountId != a.Id)
            row.Error(InvoiceNumber, $"invoice {number} belongs to account {invoice.AccountExternalId}, not {a.ExternalId}");
        return invoice;
    }
}
