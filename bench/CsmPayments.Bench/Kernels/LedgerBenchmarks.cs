using BenchmarkDotNet.Attributes;
using CsmPayments.Billing;
using CsmPayments.Metrics;
using CsmPayments.Organisation;

namespace CsmPayments.Bench.Kernels;

/// <summary>
/// The kernels under every AR figure: balances as of a date (<see cref="Ledger.Position"/>), aging on top of them, and
/// GRR/NRR over subscriptions. The ledger is synthetic but shaped like a book: twelve monthly invoices per account,
/// most paid (some late or partly), a few credit notes, two currencies.
/// </summary>
[MemoryDiagnoser]
public class LedgerBenchmarks
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);
    private MetricsFacts _facts = MetricsFacts.Empty;
    private readonly ExchangeRates _rates = new("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m });

    [Params(10_000, 100_000)]
    public int Accounts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var invoices = new List<InvoiceFacts>();
        var payments = new List<PaymentFacts>();
        var credits = new List<CreditNoteFacts>();
        var subscriptions = new List<SubscriptionFacts>();
        long id = 0;
        for (var account = 1L; account <= Accounts; account++)
        {
            var currency = account % 5 == 0 ? "EUR" : "USD";
            var mrr = Math.Round((decimal)(50 + random.NextDouble() * 2000), 2);
            var end = random.Next(10) == 0 ? AsOf.AddDays(-random.Next(1, 200)) : (DateOnly?)null;
            subscriptions.Add(new SubscriptionFacts(account, mrr, currency, AsOf.AddDays(-400), end, end is null ? null : CancellationReason.Voluntary));
            for (var month = 0; month < 12; month++)
            {
                var issued = AsOf.AddMonths(-month).AddDays(-random.Next(0, 28));
                var invoice = new InvoiceFacts(++id, account, issued, issued.AddDays(30), mrr, currency, InvoiceStatus.Open);
                invoices.Add(invoice);
                var roll = random.Next(100);
                if (roll < 80) payments.Add(new PaymentFacts(account, id, mrr, currency, issued.AddDays(random.Next(5, 60)), true));
                else if (roll < 90) payments.Add(new PaymentFacts(account, id, Math.Round(mrr / 2, 2), currency, issued.AddDays(random.Next(5, 90)), true));
                else if (roll < 93) credits.Add(new CreditNoteFacts(account, id, Math.Round(mrr / 4, 2), currency, issued.AddDays(10)));
            }
        }
        _facts = new MetricsFacts(invoices, payments, credits, subscriptions);
    }

    [Benchmark]
    public LedgerPosition Position() => Ledger.Position(AsOf, _facts.Invoices, _facts.Payments, _facts.CreditNotes);

    [Benchmark]
    public AgingReport Aging() => ArAging.Compute(AsOf, _facts, _rates);

    [Benchmark]
    public RetentionFigures Retention() => RetentionMetrics.Compute(new ReportPeriod(AsOf.AddDays(-90), AsOf), _facts.Subscriptions, _rates);
}
