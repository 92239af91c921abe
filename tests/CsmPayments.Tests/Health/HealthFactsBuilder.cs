using CsmPayments.Accounts;
using CsmPayments.Health;

namespace CsmPayments.Tests.Health;

/// <summary>A healthy established medium-touch account on <see cref="AsOf"/>, which each test spoils in one way.</summary>
internal static class Healthy
{
    public static readonly DateOnly AsOf = new(2026, 6, 30);

    /// <summary>Ten active users every day for the last 104 days.</summary>
    public static UsageSummary SteadyUsage(int usersPerDay = 10) => UsageSummary.From(
        Enumerable.Range(0, 104).Select(i => (AsOf.AddDays(-i), usersPerDay)), AsOf, 14, 90);

    public static HealthFacts Facts(ServiceTier tier = ServiceTier.Medium) => new(
        tier,
        CustomerSince: AsOf.AddYears(-2),
        Billing: true,
        NextRenewal: AsOf.AddDays(200),
        Payment: new PaymentHealthFacts(24_000m, [], [0, 0, 0, 0, 0, 0], 0, 0, 0, 0),
        Usage: SteadyUsage(),
        LastTouchpoint: AsOf.AddDays(-5),
        Support: SupportFacts.None,
        LatestNps: new NpsFact(9, AsOf.AddDays(-20)),
        Currency: "USD");

    /// <summary>Usage at <paramref name="recentUsers"/> a day over the last 30 days after <paramref name="before"/> a day for the 74 days before.</summary>
    public static UsageSummary UsageFalling(int before, int recentUsers, int recentDays = 30) => UsageSummary.From(
        Enumerable.Range(0, 104).Select(i => (AsOf.AddDays(-i), i < recentDays ? recentUsers : before)), AsOf, 14, 90);

    public static HealthResult Evaluate(HealthFacts facts, HealthOptions? options = null) => HealthScore.Evaluate(facts, AsOf, options ?? new HealthOptions());
}
