using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Segments;

namespace CsmPayments.Tests.Cycle;

public sealed class EvaluatedTiersTests
{
    private static AccountOutcome Outcome(long id, RiskTier tier) => new(id, 1, HealthBand.Green, null, HealthSignals.None, tier, true);

    [Fact]
    public async Task A_range_waits_until_the_health_stage_has_evaluated_its_last_account()
    {
        var tiers = new EvaluatedTiers();
        var upTo20 = tiers.ReadyThroughAsync(20, CancellationToken.None);
        var upTo10 = tiers.ReadyThroughAsync(10, CancellationToken.None);
        Assert.False(upTo10.IsCompleted);

        tiers.Add([Outcome(3, RiskTier.High), Outcome(7, RiskTier.Medium)], through: 12);
        await upTo10.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(upTo20.IsCompleted);
        Assert.True(tiers.ReadyThroughAsync(12, CancellationToken.None).IsCompleted);
        Assert.Equal((RiskTier.High, RiskTier.Medium, (RiskTier?)null), (tiers.TierOf(3), tiers.TierOf(7), tiers.TierOf(5)));

        // An account added after the health stage read its ids has no tier; the end lets its range go on.
        tiers.Add([Outcome(15, RiskTier.Low)], through: 15);
        Assert.False(upTo20.IsCompleted);
        tiers.End();
        await upTo20.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((RiskTier?)RiskTier.Low, tiers.TierOf(15));
        Assert.Null(tiers.TierOf(21));
        Assert.True(tiers.ReadyThroughAsync(long.MaxValue, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task When_the_health_stage_fails_the_ranges_waiting_and_those_still_to_come_fail()
    {
        var tiers = new EvaluatedTiers();
        tiers.Add([Outcome(1, RiskTier.Low)], through: 1);
        var waiting = tiers.ReadyThroughAsync(5, CancellationToken.None);
        tiers.End(new InvalidOperationException("snapshot refused"));
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting);
        Assert.Equal("snapshot refused", failed.InnerException!.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => tiers.ReadyThroughAsync(1, CancellationToken.None));
    }

    [Fact]
    public void Ranges_come_in_account_order_and_none_after_the_end()
    {
        var tiers = new EvaluatedTiers();
        tiers.Add([Outcome(5, RiskTier.Low)], through: 5);
        Assert.Throws<InvalidOperationException>(() => tiers.Add([Outcome(4, RiskTier.Low)], through: 6));
        tiers.End();
        Assert.Throws<InvalidOperationException>(() => tiers.Add([Outcome(9, RiskTier.Low)], through: 9));
    }
}
