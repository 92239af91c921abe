using CsmPayments.Accounts;

namespace CsmPayments.Segments;

/// <summary>
/// An account's segments from <see cref="EffectiveOn"/> until its next assignment: the history keeps one row per change,
/// so the segments on any day are those of the latest row on or before it.
/// </summary>
public sealed class SegmentAssignment
{
    private SegmentAssignment() { Cohort = ""; }

    public SegmentAssignment(long accountId, DateOnly effectiveOn, SegmentResult segments)
    {
        AccountId = accountId;
        EffectiveOn = effectiveOn;
        Cohort = Guard.Required(segments.Cohort, "cohort");
        ServiceTier = segments.ServiceTier;
        RiskTier = segments.RiskTier;
        PaymentBehaviour = segments.PaymentBehaviour;
        CreditRisk = segments.CreditRisk;
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public DateOnly EffectiveOn { get; private set; }
    public string Cohort { get; private set; }
    public ServiceTier ServiceTier { get; private set; }
    public RiskTier RiskTier { get; private set; }
    public PaymentBehaviour PaymentBehaviour { get; private set; }
    public CreditRisk CreditRisk { get; private set; }

    public SegmentResult ToResult() => new(Cohort, ServiceTier, RiskTier, PaymentBehaviour, CreditRisk);
}
