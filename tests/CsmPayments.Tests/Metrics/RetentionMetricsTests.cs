using CsmPayments.Billing;
using CsmPayments.Metrics;
using static CsmPayments.Tests.Metrics.LedgerBuilder;

namespace CsmPayments.Tests.Metrics;

public sealed class RetentionMetricsTests
{
    private static readonly ReportPeriod Quarter = new(D("2026-01-01"), D("2026-03-31"));

    [Fact]
    public void Grr_nrr_and_churn_with_plan_changes_a_resubscribe_and_both_cancellation_reasons()
    {
        var ledger = new LedgerBuilder()
            .Subscription(1, 1000m, "2025-06-01")                                                  // unchanged
            .Subscription(2, 500m, "2025-06-01", "2026-02-01").Subscription(2, 800m, "2026-02-01") // upgrade: +300
            .Subscription(3, 1000m, "2025-06-01", "2026-02-15").Subscription(3, 600m, "2026-02-15") // downgrade: −400
            .Subscription(4, 700m, "2025-06-01", "2026-03-31", CancellationReason.Voluntary)       // ends on E: churned
            .Subscription(5, 300m, "2025-06-01", "2026-03-10", CancellationReason.Delinquent)      // churned for non-payment
            .Subscription(6, 400m, "2025-06-01", "2026-01-20", CancellationReason.Voluntary)       // cancels, comes back: unchanged
            .Subscription(6, 400m, "2026-02-05")
            .Subscription(7, 200m, "2025-06-01", "2026-01-10", CancellationReason.Voluntary)       // cancels, comes back, then
            .Subscription(7, 250m, "2026-01-20", "2026-03-20", CancellationReason.Delinquent)      // ends for non-payment
            .Subscription(8, 900m, "2026-02-01")                                                   // new in the period: not counted
            .Subscription(9, 350m, "2025-06-01", "2026-01-01", CancellationReason.Voluntary)       // ended on S: not counted
            .Subscription(11, 100m, "2026-01-01");                                                 // started on S: counted

        var figures = RetentionMetrics.Compute(Quarter, ledger.Subscriptions, Rates);

        // Counted: 1, 2, 3, 4, 5, 6, 7, 11 → ΣMRR(S) = 1000 + 500 + 1000 + 700 + 300 + 400 + 200 + 100 = 4200.
        // Expansion 300 (2); contraction 400 (3); churned 700 + 300 + 200 = 1200 (4, 5, 7); 5 and 7 delinquent.
        Assert.Equal(8, figures.AccountsCounted);
        Assert.Equal(4200m, figures.MrrAtStart.Amount);
        Assert.Equal(2900m, figures.MrrAtEnd.Amount); // 1000 + 800 + 600 + 400 + 100
        Assert.Equal(300m, figures.Expansion.Amount);
        Assert.Equal(400m, figures.Contraction.Amount);
        Assert.Equal(1200m, figures.Churned.Amount);
        Assert.Equal(3, figures.AccountsChurned);
        Assert.Equal(2, figures.AccountsChurnedDelinquent);

        Assert.Equal(2600m / 4200m, figures.Grr);  // (4200 − 400 − 1200) / 4200 = 0.6190…
        Assert.Equal(2900m / 4200m, figures.Nrr);  // (4200 + 300 − 400 − 1200) / 4200 = 0.6904…
        Assert.Equal(0.375m, figures.LogoChurn);   // 3 / 8
        Assert.Equal(0.25m, figures.DelinquentChurn); // 2 / 8

        Assert.Equal(
            [(1L, MrrMovement.Unchanged, false), (2, MrrMovement.Expanded, false), (3, MrrMovement.Contracted, false),
             (4, MrrMovement.Churned, false), (5, MrrMovement.Churned, true), (6, MrrMovement.Unchanged, false),
             (7, MrrMovement.Churned, true), (11, MrrMovement.Unchanged, false)],
            figures.Accounts.Select(a => (a.AccountId, a.Movement, a.DelinquentChurn)));
    }

    [Fact]
    public void The_ending_subscription_is_the_one_that_ended_last_and_a_tie_is_delinquent_if_any_is()
    {
        var ledger = new LedgerBuilder()
            // Ended for non-payment first, the last one left voluntarily: voluntary churn.
            .Subscription(1, 100m, "2025-01-01", "2026-01-15", CancellationReason.Delinquent)
            .Subscription(1, 100m, "2025-01-01", "2026-03-01", CancellationReason.Voluntary)
            // Both ended on the same last day, one for non-payment: delinquent churn.
            .Subscription(2, 100m, "2025-01-01", "2026-02-01", CancellationReason.Voluntary)
            .Subscription(2, 100m, "2025-01-01", "2026-02-01", CancellationReason.Delinquent)
            // Ended without a recorded reason: churn, not delinquent.
            .Subscription(3, 100m, "2025-01-01", "2026-02-01")
            // Still running.
            .Subscription(4, 100m, "2025-01-01");

        var figures = RetentionMetrics.Compute(Quarter, ledger.Subscriptions, Rates);

        Assert.Equal([false, true, false], figures.Accounts.Where(a => a.Movement == MrrMovement.Churned).Select(a => a.DelinquentChurn));
        Assert.Equal(0.75m, figures.LogoChurn);       // 3 of 4
        Assert.Equal(0.25m, figures.DelinquentChurn); // 1 of 4
        Assert.Equal(100m / 600m, figures.Grr);       // ΣMRR(S) 600 (200 + 200 + 100 + 100), churned 500
    }

    [Fact]
    public void Mrr_in_two_currencies_is_converted_to_the_base_currency()
    {
        var ledger = new LedgerBuilder()
            .Subscription(1, 1000m, "2025-01-01", "2026-02-01", currency: "EUR") // 1080 USD
            .Subscription(1, 500m, "2026-02-01", currency: "EUR")                // 540 USD: contraction 540
            .Subscription(2, 1000m, "2025-01-01")                                // USD, unchanged
            .Subscription(3, 100m, "2025-01-01", "2026-03-01", CancellationReason.Delinquent, "GBP"); // 127 USD churned

        var figures = RetentionMetrics.Compute(Quarter, ledger.Subscriptions, Rates);

        Assert.Equal(2207m, figures.MrrAtStart.Amount); // 1080 + 1000 + 127
        Assert.Equal(540m, figures.Contraction.Amount);
        Assert.Equal(127m, figures.Churned.Amount);
        Assert.Equal(1540m / 2207m, figures.Grr);       // (2207 − 540 − 127) / 2207 = 0.6977…
        Assert.Equal(1540m / 2207m, figures.Nrr);       // no expansion
        Assert.Equal(new Money(1080m, "USD"), figures.Accounts[0].MrrAtStart);
    }

    [Fact]
    public void Without_accounts_paying_at_the_start_no_ratio_applies()
    {
        var ledger = new LedgerBuilder()
            .Subscription(1, 900m, "2026-02-01")                // starts inside the period
            .Subscription(2, 0m, "2025-01-01")                  // free plan: MRR(S) = 0
            .Subscription(3, 500m, "2025-01-01", "2025-12-01"); // gone before the period

        var figures = RetentionMetrics.Compute(Quarter, ledger.Subscriptions, Rates);

        Assert.Equal(0, figures.AccountsCounted);
        Assert.Null(figures.Grr);
        Assert.Null(figures.Nrr);
        Assert.Null(figures.LogoChurn);
        Assert.Null(figures.DelinquentChurn);
        Assert.True(figures.MrrAtStart.IsZero);
    }
}
