using System.Globalization;
using CsmPayments.Billing;
using CsmPayments.Metrics;
using CsmPayments.Organisation;

namespace CsmPayments.Tests.Metrics;

/// <summary>Builds ledger facts for the pure metric tests: invoices get ids in order; payments take the invoice's account and currency.</summary>
internal sealed class LedgerBuilder
{
    private readonly List<InvoiceFacts> _invoices = [];
    private readonly List<PaymentFacts> _payments = [];
    private readonly List<CreditNoteFacts> _creditNotes = [];
    private readonly List<SubscriptionFacts> _subscriptions = [];

    public static DateOnly D(string date) => DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>USD is the base; EUR at 1.08, GBP at 1.27, JPY at 0.0067.</summary>
    public static ExchangeRates Rates { get; } = new("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m, ["GBP"] = 1.27m, ["JPY"] = 0.0067m });

    public long Invoice(long account, string issued, string due, decimal amount, string currency = "USD", InvoiceStatus status = InvoiceStatus.Open)
    {
        var id = _invoices.Count + 1;
        _invoices.Add(new InvoiceFacts(id, account, D(issued), D(due), amount, currency, status));
        return id;
    }

    public LedgerBuilder Payment(long invoiceId, decimal amount, string paidOn, bool succeeded = true)
    {
        var invoice = _invoices.Single(i => i.Id == invoiceId);
        _payments.Add(new PaymentFacts(invoice.AccountId, invoiceId, amount, invoice.Currency, D(paidOn), succeeded));
        return this;
    }

    public LedgerBuilder UnappliedPayment(long account, decimal amount, string paidOn, string currency = "USD")
    {
        _payments.Add(new PaymentFacts(account, null, amount, currency, D(paidOn), true));
        return this;
    }

    public LedgerBuilder CreditNote(long invoiceId, decimal amount, string issuedOn)
    {
        var invoice = _invoices.Single(i => i.Id == invoiceId);
        _creditNotes.Add(new CreditNoteFacts(invoice.AccountId, invoiceId, amount, invoice.Currency, D(issuedOn)));
        return this;
    }

    public LedgerBuilder Subscription(long account, decimal mrr, string start, string? end = null, CancellationReason? reason = null, string currency = "USD")
    {
        _subscriptions.Add(new SubscriptionFacts(account, mrr, currency, D(start), end is null ? null : D(end), reason));
        return this;
    }

    public MetricsFacts Facts => new(_invoices, _payments, _creditNotes, _subscriptions);

    public IReadOnlyList<SubscriptionFacts> Subscriptions => _subscriptions;
}
