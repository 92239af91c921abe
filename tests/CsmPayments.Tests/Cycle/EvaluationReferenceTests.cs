using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Organisation;
using CsmPayments.Segments;

namespace CsmPayments.Tests.Cycle;

/// <summary>
/// The evaluation the cycle runs gives, on a varied synthetic book and many days, exactly what the plain reference
/// (<see cref="ReferenceEvaluator"/>) gives: segments, score, band, components, signals and the explanation's words.
/// </summary>
public sealed class EvaluationReferenceTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    private static readonly EvaluationSettings Settings =
        new(new HealthOptions(), new SegmentOptions(), new ExchangeRates("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m }));

    /// <summary>Accounts of every shape: late, partly paid, credited, failed and disputed, silent, quiet, noisy, and healthy.</summary>
    private static List<AccountHistory> Book(int accounts, int seed)
    {
        var random = new Random(seed);
        var book = new List<AccountHistory>();
        long invoiceId = 0;
        for (var id = 1L; id <= accounts; id++)
        {
            var currency = id % 4 == 0 ? "EUR" : "USD";
            var troubled = random.Next(4) == 0;
            ServiceTier? tier = random.Next(8) == 0 ? (ServiceTier)random.Next(3) : null;
            var h = new AccountHistory(new AccountRow(id, $"ACC-{id}", id % 7, tier, random.Next(1, 500), "Retail", "DE", "Growth", currency));
            var mrr = Math.Round((decimal)(20 + random.NextDouble() * 6000), 2);
            var months = random.Next(1, 25);
            var start = AsOf.AddMonths(-months).AddDays(-random.Next(0, 28));
            h.Subscriptions.Add(new SubscriptionRow(mrr, currency, start, random.Next(10) == 0 ? AsOf.AddDays(-random.Next(1, 90)) : null,
                random.Next(3) == 0 ? null : AsOf.AddDays(random.Next(-10, 300))));
            for (var month = months; month >= 0; month--)
            {
                var issued = AsOf.AddMonths(-month).AddDays(-random.Next(0, 28));
                var status = random.Next(30) == 0 ? InvoiceStatus.Void : random.Next(40) == 0 ? InvoiceStatus.Uncollectible : InvoiceStatus.Open;
                var amount = random.Next(25) == 0 ? 0m : random.Next(10) == 0 ? mrr * 5 : mrr;
                // Some invoices share a due date, so that the order of equal days matters to the days-to-pay trend.
                var due = random.Next(6) == 0 && h.Invoices.Count > 0 ? h.Invoices[^1].DueDate : issued.AddDays(30);
                if (due < issued) issued = due;
                h.Invoices.Add(new InvoiceFacts(++invoiceId, id, issued, due, amount, currency, status));
                var lateBy = random.Next(100) < (troubled ? 50 : 15) ? random.Next(20, 120) : random.Next(-10, 30);
                var roll = random.Next(100);
                if (troubled && month < 4 && roll < 50) { }
                else if (roll < 70) h.Payments.Add(new PaymentRow(invoiceId, amount, due.AddDays(lateBy), true, false));
                else if (roll < 85)
                {
                    var part = Math.Round(amount / 3, 2);
                    h.Payments.Add(new PaymentRow(invoiceId, part, due.AddDays(lateBy), true, false));
                    h.Payments.Add(new PaymentRow(invoiceId, part, due.AddDays(lateBy), true, false));
                    if (random.Next(2) == 0) h.Payments.Add(new PaymentRow(invoiceId, amount - 2 * part, due.AddDays(lateBy + random.Next(0, 30)), true, false));
                }
                else if (roll < 93)
                {
                    h.CreditNotes.Add(new CreditNoteFacts(id, invoiceId, Math.Round(amount / 4, 2), currency, issued.AddDays(random.Next(0, 40))));
                    h.Payments.Add(new PaymentRow(invoiceId, amount - Math.Round(amount / 4, 2), due.AddDays(lateBy), true, false));
                }
                else if (roll < 96) h.CreditNotes.Add(new CreditNoteFacts(id, invoiceId, amount, currency, issued.AddDays(random.Next(0, 60))));
                if (random.Next(100) < (troubled ? 35 : 6))
                    h.Payments.Add(new PaymentRow(random.Next(10) == 0 ? null : invoiceId, amount, issued.AddDays(random.Next(0, 70)), false, random.Next(4) == 0));
            }
            if (random.Next(10) == 0) h.Payments.Add(new PaymentRow(null, Math.Round(mrr / 5, 2), AsOf.AddDays(-random.Next(1, 200)), true, false));
            if (random.Next(20) == 0) h.Payments.Add(new PaymentRow(-id, mrr, AsOf.AddDays(-random.Next(1, 200)), true, false));
            for (var t = troubled ? random.Next(0, 10) : random.Next(0, 4); t > 0; t--)
            {
                var opened = AsOf.AddDays(-random.Next(0, 300));
                var solved = random.Next(3) == 0 ? (DateOnly?)null : opened.AddDays(random.Next(0, 40));
                h.Tickets.Add(new TicketRow(opened, (TicketPriority)random.Next(4), solved is null ? (TicketStatus)random.Next(3) : TicketStatus.Solved, solved,
                    random.Next(15) == 0));
            }
            for (var n = random.Next(0, 4); n > 0; n--) h.Nps.Add(new NpsFact(random.Next(0, 11), AsOf.AddDays(-random.Next(0, 500))));
            var daily = random.Next(0, 100);
            var recent = troubled ? random.Next(0, 4) * daily / 4 : daily;
            if (random.Next(3) == 0)
                for (var d = 0; d < 120; d++)
                    if (random.Next(5) != 0) h.UsageDays.Add((AsOf.AddDays(-d), d < 20 ? recent : daily));
            h.UsageSummary = h.UsageDays.Count > 0 ? null : random.Next(10) == 0 ? new UsageSummary(0, 0, 0, 0, 0, null)
                : new UsageSummary(recent * 30L, daily * 60L, recent * 14L, daily * 90L, 104, recent > 0 ? AsOf : AsOf.AddDays(-random.Next(15, 80)));
            if (random.Next(2) == 0) h.LastTouchpoint = random.Next(8) == 0 ? null : AsOf.AddDays(-random.Next(0, 200));
            else for (var k = random.Next(0, 5); k > 0; k--) h.Touchpoints.Add(AsOf.AddDays(-random.Next(0, 300)));
            h.Touchpoints.Sort();
            book.Add(h);
        }
        return book;
    }

    private static string Describe(AccountEvaluation e) =>
        $"{e.AccountId} {e.CsmId} {e.Billing} {e.Segments} {e.Health.Score} {e.Health.Band} {e.Health.PaymentHealth} {e.Health.Onboarding} " +
        $"{e.Health.Signals} {string.Join(" ", e.Health.Components.Select(c => $"{c.Key}={c.Value}"))} | {e.Health.Explanation}";

    [Fact]
    public void Every_account_on_every_day_evaluates_as_the_reference_does()
    {
        var settings = Settings with { BrokenPromises = (id, _) => (int)(id % 9 == 0 ? id % 3 : 0), OpenDisputes = (id, _) => id % 13 == 0 ? 1 : 0 };
        var compared = 0;
        // Separate copies: the reference caches on the history what the fast path does not, and vice versa.
        var fast = Book(600, 5);
        var reference = Book(600, 5);
        for (var i = 0; i < fast.Count; i++)
        {
            HealthResult? weekBefore = null;
            for (var day = AsOf.AddDays(-280); day <= AsOf; day = day.AddDays(7))
            {
                var expected = ReferenceEvaluator.Evaluate(reference[i], day, settings, weekBefore);
                var actual = AccountEvaluator.Evaluate(fast[i], day, settings, weekBefore);
                Assert.Equal(Describe(expected), Describe(actual));
                Assert.Equal(expected.Segments, actual.Segments);
                weekBefore = i % 2 == 0 ? expected.Health : new HealthSnapshot(expected.AccountId, day, expected.Segments.ServiceTier, expected.Health).ToResult();
                compared++;
            }
        }
        Assert.Equal(600 * 41, compared);
    }

    [Fact]
    public void Payment_health_gives_the_reference_penalties_in_the_reference_order()
    {
        var options = new HealthOptions();
        var penalised = 0;
        foreach (var h in Book(400, 9))
        {
            var facts = AccountEvaluator.Facts(h, AsOf, Settings).Health.Payment;
            var expected = ReferencePaymentHealth.Evaluate(facts, AsOf, options.Payment, "USD");
            var actual = PaymentHealth.Evaluate(facts, AsOf, options.Payment, "USD");
            Assert.Equal(expected.Penalties, actual.Penalties);
            Assert.Equal((expected.Score, expected.Overdue, expected.WeightedDaysPastDue, expected.OverdueShareOfArr, expected.DaysToPayTrend),
                (actual.Score, actual.Overdue, actual.WeightedDaysPastDue, actual.OverdueShareOfArr, actual.DaysToPayTrend));
            if (actual.Penalties.Count > 1) penalised++;
        }
        Assert.True(penalised > 40, $"only {penalised} accounts with two penalties or more");
    }

    [Fact]
    public void The_book_has_the_shapes_the_comparison_needs()
    {
        var results = Book(600, 5).Select(h => ReferenceEvaluator.Evaluate(h, AsOf, Settings)).ToList();
        Assert.Contains(results, r => r.Health.Explanation == "no warning signs");
        Assert.Contains(results, r => r.Health.Explanation.Count(c => c == ';') == 2);
        Assert.Contains(results, r => r.Health.Signals.HasFlag(HealthSignals.SilentChurn));
        Assert.Contains(results, r => r.Health.Signals.HasFlag(HealthSignals.OpenDispute));
        Assert.Contains(results, r => r.Health.Explanation.Contains("slower than before"));
        Assert.Contains(results, r => r.Segments.PaymentBehaviour == PaymentBehaviour.ChronicallyLate);
        Assert.Contains(results, r => r.Health.Band == HealthBand.Red);
        Assert.Contains(results, r => r.Health.Band == HealthBand.Green);
    }
}
