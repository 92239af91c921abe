using BenchmarkDotNet.Attributes;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Organisation;
using CsmPayments.Segments;

namespace CsmPayments.Bench.Kernels;

/// <summary>
/// The daily cycle's per-account work: <see cref="AccountEvaluator.Evaluate"/> over a synthetic book loaded the way the
/// cycle loads one day (usage summed, last touchpoint found). Accounts have 12–24 monthly invoices, most paid (some late
/// or partly), a few credit notes, failed attempts some with a dispute code, tickets, NPS answers and two currencies;
/// about one in eight is in trouble so that signals and explanations have something to say. Figures are per call of
/// <see cref="EvaluateAll"/>: divide by <see cref="Accounts"/> for one account.
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);
    private AccountHistory[] _histories = [];
    private HealthResult?[] _earlier = [];

    private readonly EvaluationSettings _settings =
        new(new HealthOptions(), new SegmentOptions(), new ExchangeRates("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m }));

    [Params(4_000)]
    public int Accounts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // A week-old snapshot for most accounts, as the cycle has once it has run for a week; from its own copy of the book
        // so that nothing the evaluation caches on a history is warm before the measured run.
        var week = Book();
        _earlier = new HealthResult?[Accounts];
        var random = new Random(3);
        for (var i = 0; i < week.Length; i++)
            if (random.Next(5) != 0) _earlier[i] = AccountEvaluator.Evaluate(week[i], AsOf.AddDays(-7), _settings).Health;
    }

    /// <summary>A fresh book for each iteration: the cycle evaluates each loaded history once, so none may be warm.</summary>
    [IterationSetup]
    public void Load() => _histories = Book();

    private AccountHistory[] Book()
    {
        var random = new Random(11);
        var histories = new AccountHistory[Accounts];
        long invoiceId = 0;
        for (var n = 0; n < Accounts; n++)
        {
            var id = n + 1L;
            var currency = id % 5 == 0 ? "EUR" : "USD";
            var troubled = random.Next(8) == 0;
            ServiceTier? tier = random.Next(10) == 0 ? ServiceTier.High : null;
            var h = new AccountHistory(new AccountRow(id, $"acc-{id}", 1 + id % 20, tier, random.Next(5, 2000), "software", "US", "pro", currency));
            var mrr = Math.Round((decimal)(50 + random.NextDouble() * 3000), 2);
            var months = random.Next(12, 25);
            var start = AsOf.AddMonths(-months).AddDays(-random.Next(0, 28));
            h.Subscriptions.Add(new SubscriptionRow(mrr, currency, start, troubled && random.Next(4) == 0 ? AsOf.AddDays(-random.Next(1, 60)) : null,
                AsOf.AddDays(random.Next(1, 365))));
            if (random.Next(4) == 0) h.Subscriptions.Add(new SubscriptionRow(Math.Round(mrr / 3, 2), currency, start.AddMonths(3), null, AsOf.AddDays(random.Next(1, 200))));
            for (var month = months - 1; month >= 0; month--)
            {
                var issued = AsOf.AddMonths(-month).AddDays(-random.Next(0, 28));
                var status = random.Next(60) == 0 ? InvoiceStatus.Void : troubled && random.Next(30) == 0 ? InvoiceStatus.Uncollectible : InvoiceStatus.Open;
                var amount = random.Next(15) == 0 ? mrr * 6 : mrr;
                h.Invoices.Add(new InvoiceFacts(++invoiceId, id, issued, issued.AddDays(30), amount, currency, status));
                var roll = random.Next(100);
                // Most pay within the terms; some a month or two late; a troubled account leaves its latest invoices unpaid.
                var lateBy = random.Next(100) < (troubled ? 50 : 12) ? random.Next(30, 90) : random.Next(0, 28);
                if (troubled && month < 3 && roll < 60) { }
                else if (roll < 84) h.Payments.Add(new PaymentRow(invoiceId, amount, issued.AddDays(5 + lateBy), true, false));
                else if (roll < 94)
                {
                    h.Payments.Add(new PaymentRow(invoiceId, Math.Round(amount / 2, 2), issued.AddDays(5 + lateBy), true, false));
                    if (!troubled || random.Next(2) == 0) h.Payments.Add(new PaymentRow(invoiceId, amount - Math.Round(amount / 2, 2), issued.AddDays(20 + lateBy), true, false));
                }
                else
                {
                    h.CreditNotes.Add(new CreditNoteFacts(id, invoiceId, Math.Round(amount / 4, 2), currency, issued.AddDays(10)));
                    h.Payments.Add(new PaymentRow(invoiceId, amount - Math.Round(amount / 4, 2), issued.AddDays(12 + lateBy), true, false));
                }
                if (random.Next(100) < (troubled ? 30 : 5))
                    h.Payments.Add(new PaymentRow(invoiceId, amount, issued.AddDays(random.Next(1, 40)), false, random.Next(6) == 0));
            }
            if (random.Next(20) == 0) h.Payments.Add(new PaymentRow(null, Math.Round(mrr / 5, 2), AsOf.AddDays(-random.Next(1, 60)), true, false));
            var tickets = troubled ? random.Next(2, 9) : random.Next(0, 4);
            for (var t = 0; t < tickets; t++)
            {
                var opened = AsOf.AddDays(-random.Next(0, 200));
                var priority = (TicketPriority)random.Next(Enum.GetValues<TicketPriority>().Length);
                var solved = random.Next(3) == 0 ? (DateOnly?)null : opened.AddDays(random.Next(0, 20));
                h.Tickets.Add(new TicketRow(opened, priority, solved is null ? TicketStatus.Open : TicketStatus.Solved, solved, random.Next(25) == 0));
            }
            for (var a = random.Next(0, 3); a > 0; a--) h.Nps.Add(new NpsFact(troubled ? random.Next(0, 8) : random.Next(5, 11), AsOf.AddDays(-random.Next(0, 400))));
            var daily = random.Next(1, 200);
            var recent = troubled ? random.Next(0, 3) * daily / 4 : daily;
            h.UsageSummary = random.Next(12) == 0
                ? new UsageSummary(0, 0, 0, 0, 0, null)
                : new UsageSummary(recent * 30L, daily * 60L, recent * 14L, daily * 90L, 104, recent > 0 ? AsOf : AsOf.AddDays(-random.Next(15, 80)));
            h.LastTouchpoint = random.Next(10) == 0 ? null : AsOf.AddDays(-random.Next(0, troubled ? 150 : 60));
            histories[n] = h;
        }
        return histories;
    }

    [Benchmark]
    public int EvaluateAll()
    {
        var sum = 0;
        for (var i = 0; i < _histories.Length; i++) sum += AccountEvaluator.Evaluate(_histories[i], AsOf, _settings, _earlier[i]).Health.Score;
        return sum;
    }

    /// <summary>
    /// Every result of the book on three days, one line an account: a change to the evaluation that keeps every result
    /// keeps this text byte for byte.
    /// </summary>
    public string Fingerprint()
    {
        if (_earlier.Length == 0) Setup();
        var text = new System.Text.StringBuilder();
        foreach (var day in new[] { AsOf, AsOf.AddDays(-45), AsOf.AddDays(-200) })
        {
            var book = Book();
            for (var i = 0; i < book.Length; i++)
            {
                var e = AccountEvaluator.Evaluate(book[i], day, _settings, day == AsOf ? _earlier[i] : null);
                var r = e.Health;
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{e.AccountId} {e.CsmId} {e.Billing} {e.Segments} {r.Score} {r.Band} {r.PaymentHealth} {r.Onboarding} {r.Signals} ");
                foreach (var (component, value) in r.Components) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{component}={value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} ");
                text.Append(r.Explanation).Append('\n');
            }
        }
        return text.ToString();
    }
}
