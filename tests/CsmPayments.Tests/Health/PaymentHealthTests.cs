using CsmPayments.Health;

namespace CsmPayments.Tests.Health;

public sealed class PaymentHealthTests
{
    private static readonly DateOnly AsOf = Healthy.AsOf;
    private static readonly PaymentHealthOptions Options = new();

    private static PaymentHealthResult Evaluate(PaymentHealthFacts facts) => PaymentHealth.Evaluate(facts, AsOf, Options, "USD");

    private static PaymentHealthFacts Facts(decimal arr = 120_000m, OpenBalance[]? open = null, int[]? daysToPay = null, int failed = 0,
        int disputes = 0, int promises = 0) => new(arr, open ?? [], daysToPay ?? [], failed, failed, disputes, promises);

    [Fact]
    public void An_account_that_owes_nothing_overdue_and_pays_steadily_scores_100()
    {
        var result = Evaluate(Facts(open: [new OpenBalance(5_000m, AsOf.AddDays(10)), new OpenBalance(1_000m, AsOf)]));
        Assert.Equal(100, result.Score);
        Assert.Empty(result.Penalties);
    }

    [Fact]
    public void Days_past_due_are_weighted_by_amount_over_everything_owed()
    {
        // 1,000 at 90 days and 3,000 not yet due: weighted 22.5 days; 35 × 22.5 / 90 = 8.75 points; overdue 1,000 of 120,000 ARR.
        var result = Evaluate(Facts(open: [new OpenBalance(1_000m, AsOf.AddDays(-90)), new OpenBalance(3_000m, AsOf.AddDays(5))]));
        Assert.Equal(22.5, result.WeightedDaysPastDue, 6);
        Assert.Equal(1_000m, result.Overdue);
        var expected = 100 - 8.75 - 20 * (1_000 / 120_000.0) / 0.25;
        Assert.Equal((int)Math.Round(expected, MidpointRounding.AwayFromZero), result.Score);
    }

    [Fact]
    public void Weighted_days_past_due_lose_at_most_their_points_at_the_configured_days()
    {
        var at90 = Evaluate(Facts(arr: 1_000_000_000m, open: [new OpenBalance(100m, AsOf.AddDays(-90))]));
        var at200 = Evaluate(Facts(arr: 1_000_000_000m, open: [new OpenBalance(100m, AsOf.AddDays(-200))]));
        Assert.Equal(65, at90.Score);
        Assert.Equal(65, at200.Score);
    }

    [Fact]
    public void Overdue_share_of_arr_loses_its_full_points_at_a_quarter_of_arr()
    {
        // Due yesterday so days past due cost almost nothing: 35 × 1/90.
        var quarter = Evaluate(Facts(arr: 4_000m, open: [new OpenBalance(1_000m, AsOf.AddDays(-1))]));
        var half = Evaluate(Facts(arr: 4_000m, open: [new OpenBalance(2_000m, AsOf.AddDays(-1))]));
        Assert.Equal(0.25, quarter.OverdueShareOfArr, 6);
        Assert.Equal(80, quarter.Score);
        Assert.Equal(80, half.Score);
    }

    [Fact]
    public void Overdue_money_from_an_account_without_arr_counts_as_all_of_it()
    {
        var result = Evaluate(Facts(arr: 0m, open: [new OpenBalance(10m, AsOf.AddDays(-1))]));
        Assert.Equal(1.0, result.OverdueShareOfArr);
    }

    [Theory]
    [InlineData(1, 90)]
    [InlineData(2, 80)]
    [InlineData(5, 80)]
    public void Failed_attempts_cost_ten_points_each_up_to_twenty(int failed, int score) =>
        Assert.Equal(score, Evaluate(Facts(failed: failed)).Score);

    [Theory]
    [InlineData(1, 0, 90)]
    [InlineData(3, 0, 80)]
    [InlineData(0, 1, 85)]
    [InlineData(0, 4, 70)]
    public void Disputes_and_broken_promises_cost_their_points_up_to_their_caps(int disputes, int promises, int score) =>
        Assert.Equal(score, Evaluate(Facts(disputes: disputes, promises: promises)).Score);

    [Fact]
    public void Paying_slower_than_before_costs_points_in_proportion_up_to_thirty_days()
    {
        // The three before paid on the due date, the last three 10 days late: 15 × 10/30 = 5 points.
        var slower = Evaluate(Facts(daysToPay: [0, 0, 0, 10, 10, 10]));
        Assert.Equal(10, slower.DaysToPayTrend, 6);
        Assert.Equal(95, slower.Score);
        Assert.Contains(slower.Penalties, p => p.Reason == "paying 10 days slower than before");
        Assert.Equal(85, Evaluate(Facts(daysToPay: [0, 0, 0, 60, 60, 60])).Score);
        Assert.Equal(100, Evaluate(Facts(daysToPay: [30, 30, 30, 0, 0, 0])).Score);
    }

    [Fact]
    public void The_trend_needs_four_paid_invoices()
    {
        Assert.Equal(0, PaymentHealth.DaysToPayTrend([0, 40, 40]));
        Assert.Equal(40, PaymentHealth.DaysToPayTrend([0, 40, 40, 40]));
    }

    [Fact]
    public void The_score_never_goes_below_zero()
    {
        var result = Evaluate(Facts(arr: 10m, open: [new OpenBalance(1_000m, AsOf.AddDays(-300))], daysToPay: [0, 0, 0, 90, 90, 90], failed: 9, disputes: 9, promises: 9));
        Assert.Equal(0, result.Score);
        Assert.Equal("USD 1,000 overdue, 300 days past due weighted by amount", result.Penalties[0].Reason);
    }
}
