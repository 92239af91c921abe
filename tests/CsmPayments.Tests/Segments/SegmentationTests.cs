using CsmPayments.Accounts;
using CsmPayments.Segments;

namespace CsmPayments.Tests.Segments;

public sealed class SegmentationTests
{
    private static readonly SegmentOptions Options = new();

    private static SegmentFacts Facts(decimal arr = 20_000m, decimal largest = 2_000m, int judged = 10, int late = 0, int uncollectible = 0,
        int failed = 0, int maxDays = 0, ServiceTier? tier = null, int employees = 200, string plan = "Growth", string industry = "Software",
        string country = "US") =>
        new(tier, arr, largest, judged, late, uncollectible, failed, maxDays, plan, employees, industry, country);

    [Theory]
    [InlineData(48_000, ServiceTier.High)]
    [InlineData(47_999.99, ServiceTier.Medium)]
    [InlineData(12_000, ServiceTier.Medium)]
    [InlineData(11_999.99, ServiceTier.Low)]
    public void Without_an_explicit_tier_the_service_tier_follows_from_arr(decimal arr, ServiceTier tier) =>
        Assert.Equal(tier, Segmentation.ServiceTierOf(null, arr, Options));

    [Fact]
    public void An_explicit_tier_wins_over_arr() =>
        Assert.Equal(ServiceTier.High, Segmentation.Assign(Facts(arr: 100m, tier: ServiceTier.High), Options).ServiceTier);

    [Fact]
    public void Arr_thresholds_come_from_configuration() =>
        Assert.Equal(ServiceTier.High, Segmentation.ServiceTierOf(null, 5_000m, new SegmentOptions { HighTouchArrFrom = 5_000m, MediumTouchArrFrom = 1_000m }));

    [Theory]
    [InlineData(0, PaymentBehaviour.OnTime)]
    [InlineData(1, PaymentBehaviour.OnTime)]
    [InlineData(2, PaymentBehaviour.Late)]
    [InlineData(4, PaymentBehaviour.Late)]
    [InlineData(5, PaymentBehaviour.ChronicallyLate)]
    public void Payment_behaviour_is_the_share_of_invoices_paid_late(int late, PaymentBehaviour behaviour) =>
        Assert.Equal(behaviour, Segmentation.BehaviourOf(Facts(judged: 10, late: late), Options));

    [Fact]
    public void An_account_without_invoice_history_pays_on_time() =>
        Assert.Equal(PaymentBehaviour.OnTime, Segmentation.BehaviourOf(Facts(judged: 0), Options));

    [Theory]
    [InlineData(0, 0, 0, CreditRisk.Low)]
    [InlineData(0, 1, 0, CreditRisk.Medium)]
    [InlineData(0, 0, 31, CreditRisk.Medium)]
    [InlineData(0, 0, 30, CreditRisk.Low)]
    [InlineData(0, 3, 0, CreditRisk.High)]
    [InlineData(0, 0, 91, CreditRisk.High)]
    [InlineData(1, 0, 0, CreditRisk.High)]
    public void Credit_risk_follows_write_offs_failed_attempts_and_days_past_due(int uncollectible, int failed, int maxDays, CreditRisk risk) =>
        Assert.Equal(risk, Segmentation.CreditRiskOf(Facts(uncollectible: uncollectible, failed: failed, maxDays: maxDays)));

    [Fact]
    public void Risk_tier_adds_behaviour_credit_risk_and_invoice_value()
    {
        Assert.Equal(RiskTier.Low, Segmentation.Assign(Facts(), Options).RiskTier);
        Assert.Equal(RiskTier.Medium, Segmentation.Assign(Facts(largest: 10_000m), Options).RiskTier);
        Assert.Equal(RiskTier.Medium, Segmentation.Assign(Facts(late: 3), Options).RiskTier);
        Assert.Equal(RiskTier.High, Segmentation.Assign(Facts(late: 3, largest: 10_000m), Options).RiskTier);
        Assert.Equal(RiskTier.High, Segmentation.Assign(Facts(late: 6), Options).RiskTier);
        Assert.Equal(RiskTier.High, Segmentation.Assign(Facts(failed: 1, late: 2), Options).RiskTier);
    }

    [Fact]
    public void The_first_cohort_whose_every_rule_holds_takes_the_account()
    {
        var options = new SegmentOptions
        {
            Cohorts =
            [
                new() { Name = "eu-enterprise", Countries = ["de", "FR"], MinEmployees = 1000 },
                new() { Name = "late-retail", Industries = ["Retail"], PaymentBehaviours = [PaymentBehaviour.Late, PaymentBehaviour.ChronicallyLate] },
                new() { Name = "big-invoices", MinInvoiceAmount = 5_000m, Plans = ["Enterprise"] },
                new() { Name = "risky", CreditRisks = [CreditRisk.High] },
                new() { Name = "mid", MinInvoiceAmount = 1_000m, MaxInvoiceAmount = 5_000m },
            ],
            DefaultCohort = "everyone else",
        };
        Assert.Equal("eu-enterprise", Segmentation.Assign(Facts(country: "DE", employees: 1000), options).Cohort);
        Assert.Equal("mid", Segmentation.Assign(Facts(country: "DE", employees: 999), options).Cohort);
        Assert.Equal("late-retail", Segmentation.Assign(Facts(industry: "retail", late: 3), options).Cohort);
        Assert.Equal("mid", Segmentation.Assign(Facts(industry: "Retail", late: 1), options).Cohort);
        Assert.Equal("big-invoices", Segmentation.Assign(Facts(largest: 5_000m, plan: "enterprise"), options).Cohort);
        Assert.Equal("risky", Segmentation.Assign(Facts(largest: 500m, uncollectible: 1), options).Cohort);
        Assert.Equal("everyone else", Segmentation.Assign(Facts(largest: 500m), options).Cohort);
    }

    [Fact]
    public void The_default_cohorts_put_chronically_late_payers_first()
    {
        Assert.Equal("chronically-late", Segmentation.Assign(Facts(late: 9, largest: 50_000m), Options).Cohort);
        Assert.Equal("enterprise", Segmentation.Assign(Facts(largest: 50_000m), Options).Cohort);
        Assert.Equal("small-business", Segmentation.Assign(Facts(employees: 50), Options).Cohort);
        Assert.Equal("standard", Segmentation.Assign(Facts(employees: 51), Options).Cohort);
    }

    [Fact]
    public void Settings_that_make_no_sense_are_named()
    {
        var problems = new SegmentOptions { HighTouchArrFrom = 10m, MediumTouchArrFrom = 20m, Cohorts = [new() { Name = " " }] }.Problems();
        Assert.Contains(problems, p => p.StartsWith("Segments:MediumTouchArrFrom", StringComparison.Ordinal));
        Assert.Contains("Segments:Cohorts:0:Name is required", problems);
    }
}
