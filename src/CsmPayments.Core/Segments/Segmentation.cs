using CsmPayments.Accounts;

namespace CsmPayments.Segments;

/// <summary>
/// What an account's segments are decided from. Amounts are in the base currency. <see cref="LateShare"/> is the share of
/// the invoices due in the history window that were paid (or are still open) more than the grace days after their due date.
/// </summary>
public sealed record SegmentFacts(
    ServiceTier? ExplicitTier,
    decimal Arr,
    decimal LargestInvoice,
    int InvoicesJudged,
    int InvoicesLate,
    int UncollectibleInvoices,
    int FailedAttempts90Days,
    int MaxDaysPastDue,
    string Plan,
    int Employees,
    string Industry,
    string Country)
{
    public PaymentBehaviour Behaviour { get; init; }
    public CreditRisk CreditRisk { get; init; }
}

/// <summary>An account's segments on one day.</summary>
public sealed record SegmentResult(string Cohort, ServiceTier ServiceTier, RiskTier RiskTier, PaymentBehaviour PaymentBehaviour, CreditRisk CreditRisk);

/// <summary>Cohort, service tier and risk tier from the account's facts and the configured rules.</summary>
public static class Segmentation
{
    public static SegmentResult Assign(SegmentFacts facts, SegmentOptions options)
    {
        var behaviour = BehaviourOf(facts, options);
        var credit = CreditRiskOf(facts);
        // A copy only when the judgement differs from what the facts already say (most accounts pay on time at low risk).
        var judged = facts.Behaviour == behaviour && facts.CreditRisk == credit ? facts : facts with { Behaviour = behaviour, CreditRisk = credit };
        string? cohort = null;
        var rules = options.CohortRules;
        for (var i = 0; i < rules.Count && cohort is null; i++)
            if (rules[i].Matches(judged))
                cohort = rules[i].Name.Trim();
        return new SegmentResult(cohort ?? options.DefaultCohort, ServiceTierOf(facts.ExplicitTier, facts.Arr, options), RiskTierOf(judged, options), behaviour, credit);
    }

    /// <summary>The explicit tier when the account has one, else from ARR [002].</summary>
    public static ServiceTier ServiceTierOf(ServiceTier? explicitTier, decimal arr, SegmentOptions options) =>
        explicitTier ?? (arr >= options.HighTouchArrFrom ? ServiceTier.High : arr >= options.MediumTouchArrFrom ? ServiceTier.Medium : ServiceTier.Low);

    public static PaymentBehaviour BehaviourOf(SegmentFacts facts, SegmentOptions options)
    {
        if (facts.InvoicesJudged == 0) return PaymentBehaviour.OnTime;
        var share = facts.InvoicesLate / (double)facts.InvoicesJudged;
        return share >= options.ChronicallyLateShare ? PaymentBehaviour.ChronicallyLate
            : share >= options.LateShare ? PaymentBehaviour.Late
            : PaymentBehaviour.OnTime;
    }

    /// <summary>
    /// High after a write-off, three or more failed attempts in 90 days or an invoice over 90 days past due; medium after
    /// any failed attempt in 90 days or an invoice over 30 days past due; low otherwise.
    /// </summary>
    public static CreditRisk CreditRiskOf(SegmentFacts facts) =>
        facts.UncollectibleInvoices > 0 || facts.FailedAttempts90Days >= 3 || facts.MaxDaysPastDue > 90 ? CreditRisk.High
        : facts.FailedAttempts90Days > 0 || facts.MaxDaysPastDue > 30 ? CreditRisk.Medium
        : CreditRisk.Low;

    /// <summary>
    /// Points for payment behaviour (late 1, chronically late 2) and credit risk (medium 1, high 2), one more for a high-value
    /// invoice: 0 is low risk, 1 medium, 2 or more high. A large invoice from an account that pays on time is medium: it
    /// gets personal reminders, not the gentle default [004].
    /// </summary>
    public static RiskTier RiskTierOf(SegmentFacts facts, SegmentOptions options)
    {
        var points = (int)facts.Behaviour + (int)facts.CreditRisk + (facts.LargestInvoice >= options.HighValueInvoiceFrom ? 1 : 0);
        return points >= 2 ? RiskTier.High : points == 1 ? RiskTier.Medium : RiskTier.Low;
    }
}
