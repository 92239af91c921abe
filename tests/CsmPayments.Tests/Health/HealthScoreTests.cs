using CsmPayments.Accounts;
using CsmPayments.Health;
using static CsmPayments.Tests.Health.Healthy;

namespace CsmPayments.Tests.Health;

public sealed class HealthScoreTests
{
    [Fact]
    public void A_healthy_account_is_green_with_no_warning_signs()
    {
        var result = Evaluate(Facts());
        Assert.Equal(HealthBand.Green, result.Band);
        Assert.True(result.Score >= 90, $"score {result.Score}");
        Assert.Equal(HealthSignals.None, result.Signals);
        Assert.Equal("no warning signs", result.Explanation);
    }

    [Theory]
    [InlineData(10, 100)]
    [InlineData(7, 50)]
    [InlineData(4, 0)]
    [InlineData(12, 100)]
    public void Usage_scores_the_last_30_days_against_the_previous_60(int recentUsers, int expected)
    {
        var result = Evaluate(Facts() with { Usage = UsageFalling(before: 10, recentUsers: recentUsers) });
        Assert.Equal(expected, result.Components[HealthComponent.Usage]);
    }

    [Fact]
    public void Usage_down_thirty_percent_raises_usage_decline_and_says_by_how_much()
    {
        var at30 = Evaluate(Facts() with { Usage = UsageFalling(10, 7) });
        var at20 = Evaluate(Facts() with { Usage = UsageFalling(10, 8) });
        Assert.True(at30.Signals.HasFlag(HealthSignals.UsageDecline));
        Assert.False(at20.Signals.HasFlag(HealthSignals.UsageDecline));
        Assert.Contains("usage −30% against its baseline", at30.Explanation);
    }

    [Fact]
    public void An_account_that_sends_no_usage_is_not_judged_on_usage()
    {
        var result = Evaluate(Facts() with { Usage = default });
        Assert.Null(result.Components[HealthComponent.Usage]);
        Assert.False(result.Signals.HasFlag(HealthSignals.SilentChurn));
    }

    [Theory]
    [InlineData(ServiceTier.High, 14)]
    [InlineData(ServiceTier.Medium, 30)]
    [InlineData(ServiceTier.Low, 90)]
    public void Engagement_is_full_within_the_tier_cadence_and_an_overdue_follow_up_just_after(ServiceTier tier, int cadence)
    {
        var within = Evaluate(Facts(tier) with { LastTouchpoint = AsOf.AddDays(-cadence) });
        var after = Evaluate(Facts(tier) with { LastTouchpoint = AsOf.AddDays(-cadence - 1) });
        var gone = Evaluate(Facts(tier) with { LastTouchpoint = AsOf.AddDays(-3 * cadence) });
        Assert.Equal(100, within.Components[HealthComponent.Engagement]);
        Assert.False(within.Signals.HasFlag(HealthSignals.OverdueFollowUp));
        Assert.True(after.Signals.HasFlag(HealthSignals.OverdueFollowUp));
        Assert.True(after.Components[HealthComponent.Engagement] < 100);
        Assert.Equal(0, gone.Components[HealthComponent.Engagement]);
        Assert.Contains($"no touchpoint for {3 * cadence} days (cadence {cadence})", gone.Explanation);
    }

    [Fact]
    public void Cadences_come_from_configuration()
    {
        var options = new HealthOptions { Cadence = { Medium = 10 } };
        var result = Evaluate(Facts() with { LastTouchpoint = AsOf.AddDays(-11) }, options);
        Assert.True(result.Signals.HasFlag(HealthSignals.OverdueFollowUp));
    }

    [Fact]
    public void Support_loses_points_for_open_severe_tickets_their_age_and_spikes()
    {
        var two = Evaluate(Facts() with { Support = new SupportFacts(2, 0, 9, 9, 2, 3) });
        Assert.Equal(100 - 40 - 9, two.Components[HealthComponent.Support]);
        Assert.True(two.Signals.HasFlag(HealthSignals.UrgentTicket));
        Assert.Contains("2 urgent tickets open 9 days", two.Explanation);

        var spike = Evaluate(Facts() with { Support = new SupportFacts(0, 1, 2, 2, 7, 3) });
        Assert.Equal(100 - 10 - 2 - 20, spike.Components[HealthComponent.Support]);
        var noSpike = Evaluate(Facts() with { Support = new SupportFacts(0, 0, 0, 0, 3, 9) });
        Assert.Equal(100, noSpike.Components[HealthComponent.Support]);
    }

    [Theory]
    [InlineData(6, false)]
    [InlineData(7, true)]
    public void An_urgent_ticket_raises_its_signal_after_seven_days(int days, bool raised) =>
        Assert.Equal(raised, Evaluate(Facts() with { Support = new SupportFacts(1, 0, days, days, 1, 0) }).Signals.HasFlag(HealthSignals.UrgentTicket));

    [Fact]
    public void Sentiment_is_the_latest_nps_drawn_back_to_neutral_as_it_ages()
    {
        Assert.Equal(0, Evaluate(Facts() with { LatestNps = new NpsFact(0, AsOf) }).Components[HealthComponent.Sentiment]);
        Assert.Equal(25, Evaluate(Facts() with { LatestNps = new NpsFact(0, AsOf.AddDays(-180)) }).Components[HealthComponent.Sentiment]);
        Assert.Equal(75, Evaluate(Facts() with { LatestNps = new NpsFact(10, AsOf.AddDays(-180)) }).Components[HealthComponent.Sentiment]);
        var detractor = Evaluate(Facts() with { LatestNps = new NpsFact(3, AsOf.AddDays(-45)) });
        Assert.True(detractor.Signals.HasFlag(HealthSignals.Detractor));
        Assert.Contains("latest NPS 3 (45 days ago)", detractor.Explanation);
        Assert.Null(Evaluate(Facts() with { LatestNps = null }).Components[HealthComponent.Sentiment]);
    }

    [Fact]
    public void Components_are_weighted_and_a_missing_one_leaves_its_weight_to_the_others()
    {
        // Usage 0, everything else 100, no NPS: established weights 0.30 usage of 0.90 → 100 × 0.6/0.9.
        var facts = Facts() with { Usage = UsageFalling(10, 0, recentDays: 30), LatestNps = null, CustomerSince = AsOf.AddYears(-3) };
        var result = Evaluate(facts, new HealthOptions { SilentChurn = { NoActiveUsersDays = 14, DropFromBaseline = 1.0, ScoreCap = 100 } });
        Assert.Equal(67, result.Score);
    }

    [Fact]
    public void Onboarding_accounts_use_their_own_weights_for_the_first_90_days()
    {
        var options = new HealthOptions
        {
            Established = new HealthWeights { Usage = 0, Engagement = 0, Support = 0, Sentiment = 0, Payment = 1 },
            Onboarding = new HealthWeights { Usage = 0, Engagement = 1, Support = 0, Sentiment = 0, Payment = 0 },
        };
        var neglected = Facts() with { LastTouchpoint = AsOf.AddDays(-90) };
        var day89 = Evaluate(neglected with { CustomerSince = AsOf.AddDays(-89) }, options);
        var day90 = Evaluate(neglected with { CustomerSince = AsOf.AddDays(-90) }, options);
        Assert.True(day89.Onboarding);
        Assert.True(day89.Signals.HasFlag(HealthSignals.Onboarding));
        Assert.Equal(0, day89.Score);
        Assert.False(day90.Onboarding);
        Assert.Equal(100, day90.Score);
    }

    [Fact]
    public void A_service_tier_can_have_weights_of_its_own()
    {
        var options = new HealthOptions
        {
            Tiers = { [ServiceTier.High] = new TierWeights { Established = new HealthWeights { Engagement = 1 } } },
        };
        var neglected = Facts(ServiceTier.High) with { LastTouchpoint = AsOf.AddDays(-60) };
        Assert.Equal(0, Evaluate(neglected, options).Score);
        Assert.True(Evaluate(neglected with { Tier = ServiceTier.Low }, options).Score > 80);
    }

    [Theory]
    [InlineData(49, HealthBand.Red)]
    [InlineData(50, HealthBand.Yellow)]
    [InlineData(74, HealthBand.Yellow)]
    [InlineData(75, HealthBand.Green)]
    public void Bands_follow_the_configured_thresholds(int score, HealthBand band) =>
        Assert.Equal(band, HealthScore.BandOf(score, new HealthBandOptions()));

    [Fact]
    public void Silent_churn_is_no_active_users_for_14_days_while_billing_continues()
    {
        var fourteen = Facts() with { Usage = UsageFalling(10, 0, recentDays: 14) };
        var result = Evaluate(fourteen);
        Assert.True(result.Signals.HasFlag(HealthSignals.SilentChurn));
        Assert.Equal(HealthBand.Red, result.Band);
        Assert.True(result.Score <= 30);
        Assert.StartsWith("no active users for 14 days while billing continues", result.Explanation);
        Assert.False(Evaluate(fourteen with { CustomerSince = AsOf.AddDays(-13) }).Signals.HasFlag(HealthSignals.SilentChurn)); // too new to tell
        Assert.False(Evaluate(fourteen with { Billing = false }).Signals.HasFlag(HealthSignals.SilentChurn));
    }

    [Fact]
    public void Silent_churn_is_also_usage_seventy_percent_below_the_accounts_own_baseline()
    {
        Assert.True(Evaluate(Facts() with { Usage = UsageFalling(10, 3, recentDays: 14) }).Signals.HasFlag(HealthSignals.SilentChurn));
        Assert.False(Evaluate(Facts() with { Usage = UsageFalling(10, 4, recentDays: 14) }).Signals.HasFlag(HealthSignals.SilentChurn));
        var configured = new HealthOptions { SilentChurn = { DropFromBaseline = 0.5 } };
        Assert.True(Evaluate(Facts() with { Usage = UsageFalling(10, 5, recentDays: 14) }, configured).Signals.HasFlag(HealthSignals.SilentChurn));
    }

    [Fact]
    public void Early_warning_is_usage_down_thirty_percent_with_a_renewal_within_90_days()
    {
        var falling = Facts() with { Usage = UsageFalling(10, 7) };
        Assert.True(Evaluate(falling with { NextRenewal = AsOf.AddDays(90) }).Signals.HasFlag(HealthSignals.EarlyWarning));
        Assert.False(Evaluate(falling with { NextRenewal = AsOf.AddDays(91) }).Signals.HasFlag(HealthSignals.EarlyWarning));
        Assert.False(Evaluate(Facts() with { Usage = UsageFalling(10, 8), NextRenewal = AsOf.AddDays(10) }).Signals.HasFlag(HealthSignals.EarlyWarning));
    }

    [Fact]
    public void Early_warning_is_also_usage_down_thirty_percent_with_an_invoice_due_within_30_days()
    {
        var falling = Facts() with { Usage = UsageFalling(10, 7) };
        PaymentHealthFacts Due(int days) => falling.Payment with { Open = [new OpenBalance(100m, AsOf.AddDays(days))] };
        Assert.True(Evaluate(falling with { Payment = Due(30) }).Signals.HasFlag(HealthSignals.EarlyWarning));
        Assert.False(Evaluate(falling with { Payment = Due(31) }).Signals.HasFlag(HealthSignals.EarlyWarning));
    }

    [Fact]
    public void Payment_trouble_shows_in_the_signals_and_the_explanation()
    {
        var facts = Facts() with
        {
            Payment = new PaymentHealthFacts(24_000m, [new OpenBalance(6_000m, AsOf.AddDays(-60))], [], 2, 1, 1, 1),
        };
        var result = Evaluate(facts);
        Assert.Equal(HealthSignals.FailedPayment | HealthSignals.OverdueInvoice | HealthSignals.OpenDispute | HealthSignals.BrokenPromise, result.Signals);
        Assert.True(result.PaymentHealth < 20, $"payment health {result.PaymentHealth}");
        Assert.StartsWith("USD 6,000 overdue, 60 days past due weighted by amount", result.Explanation);
        Assert.Equal(["failed_payment", "overdue_invoice", "open_dispute", "broken_promise"], HealthSignalNames.Of(result.Signals));
    }

    [Fact]
    public void The_explanation_leads_with_what_moved_since_the_week_before()
    {
        var before = Evaluate(Facts() with { Support = new SupportFacts(1, 0, 20, 20, 1, 0) });
        var now = HealthScore.Evaluate(Facts() with { Support = new SupportFacts(1, 0, 27, 27, 1, 0), Usage = UsageFalling(10, 4) }, AsOf, new HealthOptions(), before);
        Assert.StartsWith($"down {before.Score - now.Score} points in 7 days: usage −60% against its baseline", now.Explanation);
        Assert.Contains("1 urgent ticket open 27 days", now.Explanation);
    }

    [Fact]
    public void Signal_names_read_back_to_the_same_signals()
    {
        var all = Enum.GetValues<HealthSignals>().Aggregate(HealthSignals.None, (a, b) => a | b);
        Assert.Equal(all, HealthSignalNames.Parse(HealthSignalNames.Join(all)));
        Assert.Throws<FormatException>(() => HealthSignalNames.Parse("churny"));
    }

    [Fact]
    public void Settings_that_make_no_sense_are_named_by_their_key()
    {
        var options = new HealthOptions { Bands = { RedBelow = 80, GreenFrom = 60 }, Established = new HealthWeights { Usage = -1 } };
        var problems = options.Problems();
        Assert.Contains(problems, p => p.StartsWith("Health:Bands:RedBelow (80)", StringComparison.Ordinal));
        Assert.Contains("Health:Established: weights cannot be negative", problems);
        Assert.Empty(new HealthOptions().Problems());
    }
}
