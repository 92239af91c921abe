using CsmPayments.Accounts;
using CsmPayments.Collections;
using CsmPayments.Organisation;
using CsmPayments.Segments;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Collections;

public sealed class CollectionDecisionTests
{
    private static readonly Playbook Playbook = ShippedPlaybook();
    private static readonly ExchangeRates Rates = new("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m });
    private static readonly DateOnly Due = D("2026-02-01");

    private static CollectionInvoice Invoice(long id, decimal balance, DateOnly? due = null, decimal? amount = null, params PauseReason[] pauses) =>
        new(id, $"INV-{id}", (due ?? Due).AddDays(-30), due ?? Due, new Money(amount ?? balance, "USD"), new Money(balance, "USD"), null, pauses);

    private static CollectionDay Decide(DateOnly today, RiskTier tier, IReadOnlyList<CollectionInvoice> invoices, bool billingContact = true,
        bool cancelled = false, IEnumerable<(long, string)>? done = null) =>
        CollectionDecision.Decide(Playbook, new AccountCollectionState(1, tier, billingContact, cancelled, invoices, (done ?? []).ToHashSet()), today, Rates);

    [Fact]
    public void Ladder_reaches_csm_controller_and_cfo_at_30_60_and_90_days()
    {
        var invoice = Invoice(1, 800m);
        var at30 = Decide(Due.AddDays(30), RiskTier.Low, [invoice]);
        Assert.Equal(("ladder-30-csm", UserRole.Csm), (at30.Reminder!.Step.Id, at30.Reminder.Step.Role));
        Assert.Equal(["ladder-30-csm-task"], at30.Work.Select(w => w.Step.Id));
        Assert.Equal(UserRole.Controller, Decide(Due.AddDays(60), RiskTier.Medium, [invoice]).Reminder!.Step.Role);
        Assert.Equal(UserRole.Cfo, Decide(Due.AddDays(90), RiskTier.High, [invoice]).Reminder!.Step.Role);
    }

    [Fact]
    public void One_message_covers_every_invoice_at_that_stage_and_settles_the_others()
    {
        var today = Due.AddDays(3);
        var day = Decide(today, RiskTier.Low, [Invoice(1, 100m), Invoice(2, 200m), Invoice(3, 50m, due: today.AddDays(-60))]);

        Assert.Equal("ladder-60-controller", day.Reminder!.Step.Id);
        Assert.Equal(["INV-3"], day.Reminder.Invoices.Select(i => i.Number));
        Assert.Equal(new HashSet<(long, string)> { (1, "low-gentle"), (2, "low-gentle"), (3, "ladder-60-controller") }, day.Reminder.Covers.ToHashSet());

        var twoAtOneStage = Decide(today, RiskTier.Low, [Invoice(1, 100m), Invoice(2, 200m)]);
        Assert.Equal(["INV-1", "INV-2"], twoAtOneStage.Reminder!.Invoices.Select(i => i.Number));
    }

    [Fact]
    public void Zero_balance_void_and_cancelled_stop_the_ladder_but_a_partial_payment_does_not()
    {
        var today = Due.AddDays(30);
        Assert.True(Decide(today, RiskTier.Low, [Invoice(1, 0m, amount: 500m)]).IsQuiet);
        Assert.True(Decide(today, RiskTier.Low, [Invoice(1, 500m)], cancelled: true).IsQuiet);
        var partial = Decide(today, RiskTier.Low, [Invoice(1, 120m, amount: 500m)]);
        Assert.Equal(new Money(120m, "USD"), partial.Reminder!.Invoices.Single().Balance);
    }

    [Fact]
    public void A_step_already_done_is_not_due_again_and_the_next_one_is_reported()
    {
        var today = Due.AddDays(31);
        var day = Decide(today, RiskTier.Low, [Invoice(1, 500m)], done: [(1, "ladder-30-csm"), (1, "ladder-30-csm-task")]);
        Assert.Null(day.Reminder);
        Assert.Empty(day.Work);
        Assert.Equal(("ladder-60-controller", Due.AddDays(60)), (day.Next!.Step.Id, day.Next.On));
        Assert.Equal("ladder-30-csm", day.Stage!.Id);
    }

    [Theory]
    [InlineData(PauseKind.Disputed)]
    [InlineData(PauseKind.Promised)]
    [InlineData(PauseKind.OnPlan)]
    public void Pauses_hold_reminders_and_are_reported(PauseKind kind)
    {
        var paused = Invoice(1, 500m, pauses: new PauseReason(kind, "because"));
        var day = Decide(Due.AddDays(30), RiskTier.Low, [paused, Invoice(2, 300m)]);
        Assert.Equal(["INV-2"], day.Reminder!.Invoices.Select(i => i.Number));
        Assert.Equal([("INV-1", new PauseReason(kind, "because"))], day.Pauses);
    }

    [Fact]
    public void Cadence_differs_by_tier_before_the_ladder()
    {
        static IEnumerable<string> Reminders(RiskTier tier) =>
            Enumerable.Range(-10, 41).Select(n => Decide(Due.AddDays(n), tier, [Invoice(1, 500m)]))
                .Select(d => d.Reminder?.Step.Id).OfType<string>().Distinct();

        // The pure function alone would repeat a step every day; what makes it once is the done set, tested in scenarios.
        Assert.Equal(["low-gentle", "ladder-30-csm"], Reminders(RiskTier.Low));
        Assert.Equal(["medium-first", "medium-second", "medium-third", "ladder-30-csm"], Reminders(RiskTier.Medium));
        Assert.Equal(["high-first", "high-second", "ladder-30-csm"], Reminders(RiskTier.High));
    }

    [Fact]
    public void An_invoice_is_delivered_on_its_issue_date_or_a_few_days_late_but_not_weeks_later()
    {
        var invoice = Invoice(1, 500m);
        Assert.Equal("invoice-delivery", Decide(invoice.IssueDate, RiskTier.Low, [invoice]).Delivery!.Step.Id);
        Assert.NotNull(Decide(invoice.IssueDate.AddDays(CollectionDecision.DeliveryCatchUpDays), RiskTier.Low, [invoice]).Delivery);
        Assert.Null(Decide(invoice.IssueDate.AddDays(CollectionDecision.DeliveryCatchUpDays + 1), RiskTier.Low, [invoice]).Delivery);
    }

    [Fact]
    public void Large_invoices_get_a_reminder_before_they_are_due_small_ones_do_not()
    {
        var sevenBefore = Due.AddDays(-7);
        Assert.Equal("pre-due-large", Decide(sevenBefore, RiskTier.Low, [Invoice(1, 12_000m)]).Reminder!.Step.Id);
        Assert.Null(Decide(sevenBefore, RiskTier.Low, [Invoice(1, 9_000m)]).Reminder);
    }

    [Fact]
    public void Without_a_billing_contact_reminders_wait_and_the_csm_is_asked_before_the_first_one()
    {
        var invoice = Invoice(1, 500m);
        var delivered = new[] { (1L, "invoice-delivery") };
        var beforeLead = Decide(Due.AddDays(-10), RiskTier.Low, [invoice], billingContact: false, done: delivered);
        Assert.False(beforeLead.BillingContactNeeded);
        var withinLead = Decide(Due.AddDays(-4), RiskTier.Low, [invoice], billingContact: false, done: delivered);
        Assert.True(withinLead.BillingContactNeeded);
        var due = Decide(Due.AddDays(3), RiskTier.Low, [invoice], billingContact: false);
        Assert.True(due.BillingContactNeeded);
        Assert.Null(due.Reminder);
    }

    [Fact]
    public void Risk_tier_rule_follows_value_and_lateness()
    {
        Assert.Equal(RiskTier.Low, RiskTierRule.Derive(4_999m, 0));
        Assert.Equal(RiskTier.Medium, RiskTierRule.Derive(5_000m, 0));
        Assert.Equal(RiskTier.Medium, RiskTierRule.Derive(100m, 1));
        Assert.Equal(RiskTier.Medium, RiskTierRule.Derive(100_000m, 1));
        Assert.Equal(RiskTier.High, RiskTierRule.Derive(25_000m, 2));
    }
}
