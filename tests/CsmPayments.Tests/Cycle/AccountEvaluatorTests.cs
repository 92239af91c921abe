using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Segments;

namespace CsmPayments.Tests.Cycle;

public sealed class AccountEvaluatorTests
{
    private static readonly DateOnly D = CycleBook.AsOf;

    /// <summary>A 1,000-a-month account with one invoice 40 days overdue, part paid, and a chargeback on it.</summary>
    private static AccountHistory History()
    {
        var h = new AccountHistory(new AccountRow(1, "ACC-1", 9, null, 80, "Retail", "DE", "Growth", "EUR"));
        h.Subscriptions.Add(new SubscriptionRow(1_000m, "EUR", new DateOnly(2025, 1, 1), null, D.AddDays(60)));
        h.Invoices.Add(new InvoiceFacts(10, 1, D.AddDays(-70), D.AddDays(-40), 3_000m, "EUR", InvoiceStatus.Open));
        h.Payments.Add(new PaymentRow(10, 1_000m, D.AddDays(-30), true, false));
        h.Payments.Add(new PaymentRow(10, 2_000m, D.AddDays(-10), false, DisputeCode: true));
        h.Tickets.Add(new TicketRow(D.AddDays(-12), TicketPriority.High, TicketStatus.Open, null, Dispute: true));
        h.UsageSummary = Health.Healthy.SteadyUsage();
        h.LastTouchpoint = D.AddDays(-3);
        return h;
    }

    [Fact]
    public void The_ledger_gives_balances_in_the_base_currency_failed_attempts_and_disputes()
    {
        var (health, segments) = AccountEvaluator.Facts(History(), D, CycleBook.Settings);
        Assert.Equal([new OpenBalance(2_160m, D.AddDays(-40))], health.Payment.Open);
        Assert.Equal(12_960m, health.Payment.Arr);
        Assert.Equal((1, 1, 2), (health.Payment.FailedAttempts, health.Payment.UnresolvedFailedAttempts, health.Payment.OpenDisputes));
        Assert.Equal(ServiceTier.Medium, health.Tier);
        Assert.Equal(new DateOnly(2025, 1, 1), health.CustomerSince);
        Assert.Equal((1, 1, 40), (segments.InvoicesJudged, segments.InvoicesLate, segments.MaxDaysPastDue));
        Assert.Equal((1, 1, 0), (health.Support.OpenHigh, health.Support.OpenedLast30, health.Support.OpenUrgent));
    }

    [Fact]
    public void Collections_can_supply_broken_promises_and_disputes_it_knows_of()
    {
        var settings = CycleBook.Settings with { BrokenPromises = (id, day) => id == 1 && day == D ? 1 : 0, OpenDisputes = (_, _) => 1 };
        var plain = AccountEvaluator.Evaluate(History(), D, CycleBook.Settings);
        var withCollections = AccountEvaluator.Evaluate(History(), D, settings);
        Assert.False(plain.Health.Signals.HasFlag(HealthSignals.BrokenPromise));
        Assert.True(withCollections.Health.Signals.HasFlag(HealthSignals.BrokenPromise));
        Assert.True(withCollections.Health.PaymentHealth < plain.Health.PaymentHealth);
        Assert.Equal(RiskTier.High, withCollections.Segments.RiskTier);
    }
}
