using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Demo;
using CsmPayments.Health;
using CsmPayments.Tests.Demo;

namespace CsmPayments.Tests.Cycle;

/// <summary>The demo company's churners show warning signs before they leave: the health score must rank them low.</summary>
public sealed class DemoBacktestTests(Demo300 demo) : IClassFixture<Demo300>
{
    /// <summary>The generated rows as the loader would read them, ids given in order.</summary>
    private static AccountHistory History(DemoAccount a, long id, ref long invoiceIds)
    {
        var h = new AccountHistory(new AccountRow(id, a.ExternalId, 1, a.ExplicitTier, a.Employees, a.Industry, a.Country, a.Plan, a.Currency));
        foreach (var s in a.Subscriptions) h.Subscriptions.Add(new SubscriptionRow(s.Mrr.Amount, s.Mrr.Currency, s.StartDate, s.EndDate, s.RenewalDate));
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var i in a.Invoices)
        {
            numbers[i.Number] = ++invoiceIds;
            h.Invoices.Add(new InvoiceFacts(invoiceIds, id, i.IssueDate, i.DueDate, i.Amount.Amount, i.Amount.Currency, i.Status));
        }
        foreach (var p in a.Payments)
            h.Payments.Add(new PaymentRow(p.InvoiceNumber is null ? null : numbers[p.InvoiceNumber], p.Amount.Amount, p.PaidOn, p.Status == PaymentStatus.Succeeded, false));
        foreach (var c in a.CreditNotes) h.CreditNotes.Add(new CreditNoteFacts(id, numbers[c.InvoiceNumber], c.Amount.Amount, c.Amount.Currency, c.IssuedOn));
        foreach (var u in a.Usage) h.UsageDays.Add((u.Date, u.ActiveUsers));
        foreach (var t in a.Tickets) h.Tickets.Add(new TicketRow(t.OpenedOn, t.Priority, t.Status, t.SolvedOn, t.Subject.Contains("dispute", StringComparison.OrdinalIgnoreCase)));
        foreach (var n in a.NpsResponses) h.Nps.Add(new NpsFact(n.Score, n.RespondedOn));
        foreach (var t in a.Touchpoints) h.Touchpoints.Add(t.OccurredOn);
        h.Touchpoints.Sort();
        return h;
    }

    [Fact]
    public void The_health_score_predicts_the_demo_companys_churn_within_90_days()
    {
        var asOf = Demo300.AsOf;
        var rates = CycleBook.DemoRates;
        var tally = new HealthBacktest.Tally(asOf.AddDays(-150), asOf.AddDays(-90), CycleBook.Settings with { Rates = rates });
        long invoiceIds = 0;
        var none = new Dictionary<(long, DateOnly), (int, HealthBand)>();
        for (var i = 0; i < demo.Accounts.Count; i++) tally.Add(History(demo.Accounts[i], i + 1, ref invoiceIds), none);
        var result = tally.Result(asOf);

        Assert.True(result.Churned > 0 && result.Churned < result.Observations);
        Assert.True(result.Auc >= 0.8, $"AUC {result.Auc}");
        var green = result.Bands.Single(b => b.Band == HealthBand.Green);
        var yellow = result.Bands.Single(b => b.Band == HealthBand.Yellow);
        Assert.True(yellow.ChurnRate > 3 * green.ChurnRate, $"yellow {yellow.ChurnRate}, green {green.ChurnRate}");
    }
}
