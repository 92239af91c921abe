using CsmPayments.Billing;

namespace CsmPayments.Tests.Billing;

public sealed class SubscriptionTests
{
    private static SubscriptionFacts Sub(decimal mrr, string start, string? end) =>
        new(1, mrr, "USD", DateOnly.Parse(start), end is null ? null : DateOnly.Parse(end), null);

    [Fact]
    public void Mrr_counts_subscriptions_started_on_or_before_the_date_and_not_yet_ended()
    {
        SubscriptionFacts[] subscriptions = [Sub(100m, "2026-01-01", null), Sub(50m, "2026-03-01", "2026-06-01"), Sub(25m, "2026-06-01", null)];

        Assert.Equal(new Money(0m, "USD"), MonthlyRecurringRevenue.Of(subscriptions, new DateOnly(2025, 12, 31), "USD"));
        Assert.Equal(new Money(100m, "USD"), MonthlyRecurringRevenue.Of(subscriptions, new DateOnly(2026, 1, 1), "USD"));
        Assert.Equal(new Money(150m, "USD"), MonthlyRecurringRevenue.Of(subscriptions, new DateOnly(2026, 5, 31), "USD"));
        // The end date is the first day without the subscription: on 2026-06-01 the old one is gone, the new one counts.
        Assert.Equal(new Money(125m, "USD"), MonthlyRecurringRevenue.Of(subscriptions, new DateOnly(2026, 6, 1), "USD"));
    }

    [Fact]
    public void A_subscription_cannot_end_before_it_starts_or_carry_negative_mrr()
    {
        Assert.Throws<ArgumentException>(() => new Subscription("S-1", 1, "Pro", new Money(10m, "USD"), new DateOnly(2026, 2, 1), new DateOnly(2026, 1, 1), null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subscription("S-1", 1, "Pro", new Money(-10m, "USD"), new DateOnly(2026, 2, 1), null, null, null));
    }

    [Fact]
    public void An_invoice_cannot_fall_due_before_it_is_issued()
    {
        Assert.Throws<ArgumentException>(() => new Invoice("INV-1", 1, new DateOnly(2026, 2, 1), new DateOnly(2026, 1, 31), new Money(10m, "USD"), null, InvoiceStatus.Open));
    }
}
