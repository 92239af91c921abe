using CsmPayments.Accounts;

namespace CsmPayments.Health;

/// <summary>How health is scored: bound from the <c>Health</c> configuration section. Every threshold has a default.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>An account is onboarding for this many days after its first subscription starts.</summary>
    public int OnboardingDays { get; set; } = 90;

    public HealthBandOptions Bands { get; set; } = new();

    /// <summary>Days between touchpoints each service tier expects [002].</summary>
    public CadenceOptions Cadence { get; set; } = new();

    /// <summary>Weights of the components for established accounts.</summary>
    public HealthWeights Established { get; set; } = HealthWeights.EstablishedDefaults();

    /// <summary>Weights of the components during onboarding, when engagement matters more and payment history is short.</summary>
    public HealthWeights Onboarding { get; set; } = HealthWeights.OnboardingDefaults();

    /// <summary>Weights for one service tier, replacing <see cref="Established"/> and <see cref="Onboarding"/> for its accounts.</summary>
    public Dictionary<ServiceTier, TierWeights> Tiers { get; set; } = [];

    public SilentChurnOptions SilentChurn { get; set; } = new();
    public EarlyWarningOptions EarlyWarning { get; set; } = new();

    /// <summary>Usage down this fraction (last 30 days against the previous 60) raises <c>usage_decline</c>.</summary>
    public double UsageDecline { get; set; } = 0.30;

    public SupportOptions Support { get; set; } = new();

    /// <summary>An NPS answer counts half as much after this many days, and less still after that.</summary>
    public int SentimentHalfLifeDays { get; set; } = 180;

    public PaymentHealthOptions Payment { get; set; } = new();

    public int CadenceDays(ServiceTier tier) => tier switch
    {
        ServiceTier.High => Cadence.High,
        ServiceTier.Medium => Cadence.Medium,
        _ => Cadence.Low,
    };

    public HealthWeights WeightsFor(ServiceTier tier, bool onboarding)
    {
        var own = Tiers.TryGetValue(tier, out var t) ? onboarding ? t.Onboarding : t.Established : null;
        return own ?? (onboarding ? Onboarding : Established);
    }

    /// <summary>Every setting that makes no sense, named by its configuration key; empty when all is well.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok) problems.Add(message);
        }
        Check(OnboardingDays >= 0, "Health:OnboardingDays cannot be negative");
        Check(Bands.RedBelow is >= 0 and <= 100 && Bands.GreenFrom is >= 0 and <= 100, "Health:Bands thresholds are scores from 0 to 100");
        Check(Bands.RedBelow <= Bands.GreenFrom, $"Health:Bands:RedBelow ({Bands.RedBelow}) must not be above Health:Bands:GreenFrom ({Bands.GreenFrom})");
        Check(Cadence.High > 0 && Cadence.Medium > 0 && Cadence.Low > 0, "Health:Cadence days must be positive");
        Established.Check("Health:Established", problems);
        Onboarding.Check("Health:Onboarding", problems);
        foreach (var (tier, weights) in Tiers)
        {
            weights.Established?.Check($"Health:Tiers:{tier}:Established", problems);
            weights.Onboarding?.Check($"Health:Tiers:{tier}:Onboarding", problems);
        }
        Check(SilentChurn.NoActiveUsersDays > 0, "Health:SilentChurn:NoActiveUsersDays must be positive");
        Check(SilentChurn.DropFromBaseline is > 0 and <= 1, "Health:SilentChurn:DropFromBaseline is a fraction above 0 and at most 1");
        Check(SilentChurn.ScoreCap is >= 0 and <= 100, "Health:SilentChurn:ScoreCap is a score from 0 to 100");
        Check(EarlyWarning.UsageDrop is > 0 and <= 1, "Health:EarlyWarning:UsageDrop is a fraction above 0 and at most 1");
        Check(EarlyWarning.RenewalWithinDays >= 0 && EarlyWarning.InvoiceDueWithinDays >= 0, "Health:EarlyWarning days cannot be negative");
        Check(UsageDecline is > 0 and <= 1, "Health:UsageDecline is a fraction above 0 and at most 1");
        Check(Support.UrgentTicketDays >= 0, "Health:Support:UrgentTicketDays cannot be negative");
        Check(SentimentHalfLifeDays > 0, "Health:SentimentHalfLifeDays must be positive");
        Check(Payment.FailedPaymentWindowDays > 0, "Health:Payment:FailedPaymentWindowDays must be positive");
        Check(Payment.DaysPastDueFullPenaltyDays > 0 && Payment.OverdueShareFullPenalty > 0 && Payment.DaysToPayTrendFullPenaltyDays > 0,
            "Health:Payment scales (DaysPastDueFullPenaltyDays, OverdueShareFullPenalty, DaysToPayTrendFullPenaltyDays) must be positive");
        return problems;
    }
}

public sealed class HealthBandOptions
{
    /// <summary>Scores below this are red.</summary>
    public int RedBelow { get; set; } = 50;

    /// <summary>Scores from this up are green; between the two, yellow.</summary>
    public int GreenFrom { get; set; } = 75;
}

public sealed class CadenceOptions
{
    public int High { get; set; } = 14;
    public int Medium { get; set; } = 30;
    public int Low { get; set; } = 90;
}

/// <summary>Relative weights of the customer-health components; they need not add up to one.</summary>
public sealed class HealthWeights
{
    public double Usage { get; set; }
    public double Engagement { get; set; }
    public double Support { get; set; }
    public double Sentiment { get; set; }
    public double Payment { get; set; }

    public static HealthWeights EstablishedDefaults() => new() { Usage = 0.30, Engagement = 0.15, Support = 0.15, Sentiment = 0.10, Payment = 0.30 };

    public static HealthWeights OnboardingDefaults() => new() { Usage = 0.35, Engagement = 0.30, Support = 0.15, Sentiment = 0.05, Payment = 0.15 };

    public double Of(HealthComponent component) => component switch
    {
        HealthComponent.Usage => Usage,
        HealthComponent.Engagement => Engagement,
        HealthComponent.Support => Support,
        HealthComponent.Sentiment => Sentiment,
        _ => Payment,
    };

    internal void Check(string key, List<string> problems)
    {
        if (Usage < 0 || Engagement < 0 || Support < 0 || Sentiment < 0 || Payment < 0) problems.Add($"{key}: weights cannot be negative");
        else if (Usage + Engagement + Support + Payment <= 0) problems.Add($"{key}: at least one of Usage, Engagement, Support, Payment needs a weight above 0");
    }
}

public sealed class TierWeights
{
    public HealthWeights? Established { get; set; }
    public HealthWeights? Onboarding { get; set; }
}

public sealed class SilentChurnOptions
{
    /// <summary>No active users for this many days while a subscription bills is silent churn.</summary>
    public int NoActiveUsersDays { get; set; } = 14;

    /// <summary>…as is usage over those days this fraction below the account's own baseline.</summary>
    public double DropFromBaseline { get; set; } = 0.70;

    /// <summary>Days of the baseline, just before the recent days.</summary>
    public int BaselineDays { get; set; } = 90;

    /// <summary>A silently churning account scores no more than this, whatever else looks fine.</summary>
    public int ScoreCap { get; set; } = 30;
}

public sealed class EarlyWarningOptions
{
    /// <summary>Usage down at least this fraction…</summary>
    public double UsageDrop { get; set; } = 0.30;

    /// <summary>…while a renewal is this close…</summary>
    public int RenewalWithinDays { get; set; } = 90;

    /// <summary>…or an invoice falls due this soon [000].</summary>
    public int InvoiceDueWithinDays { get; set; } = 30;
}

public sealed class SupportOptions
{
    public double UrgentPenalty { get; set; } = 20;
    public double HighPenalty { get; set; } = 10;

    /// <summary>Points lost per day the oldest open high or urgent ticket has waited, up to <see cref="AgePenaltyMax"/>.</summary>
    public double AgePenaltyPerDay { get; set; } = 1;

    public double AgePenaltyMax { get; set; } = 30;

    /// <summary>A spike: at least <see cref="SpikeMinTickets"/> tickets in 30 days and more than this many times the usual month.</summary>
    public double SpikeFactor { get; set; } = 2;

    public int SpikeMinTickets { get; set; } = 3;
    public double SpikePenalty { get; set; } = 20;

    /// <summary>An urgent ticket open this many days raises <c>urgent_ticket</c>.</summary>
    public int UrgentTicketDays { get; set; } = 7;
}

/// <summary>Points payment health loses for each kind of trouble, from 100.</summary>
public sealed class PaymentHealthOptions
{
    /// <summary>Amount-weighted days past due reaching this loses the whole <see cref="DaysPastDuePenalty"/>.</summary>
    public double DaysPastDueFullPenaltyDays { get; set; } = 90;

    public double DaysPastDuePenalty { get; set; } = 35;

    /// <summary>Overdue balance reaching this share of ARR loses the whole <see cref="OverdueSharePenalty"/>.</summary>
    public double OverdueShareFullPenalty { get; set; } = 0.25;

    public double OverdueSharePenalty { get; set; } = 20;

    public int FailedPaymentWindowDays { get; set; } = 30;
    public double FailedPaymentPenalty { get; set; } = 10;
    public double FailedPaymentMax { get; set; } = 20;
    public double DisputePenalty { get; set; } = 10;
    public double DisputeMax { get; set; } = 20;
    public double BrokenPromisePenalty { get; set; } = 15;
    public double BrokenPromiseMax { get; set; } = 30;

    /// <summary>Paying this many days slower than before loses the whole <see cref="DaysToPayTrendPenalty"/>.</summary>
    public double DaysToPayTrendFullPenaltyDays { get; set; } = 30;

    public double DaysToPayTrendPenalty { get; set; } = 15;

    /// <summary>Failure codes of payment attempts that mean a dispute (chargeback); empty: <c>dispute</c>, <c>disputed</c>, <c>chargeback</c>.</summary>
    public string[]? DisputeFailureCodes { get; set; }

    /// <summary>Words in an open ticket's subject that make it a billing dispute; empty: <c>dispute</c>.</summary>
    public string[]? DisputeTicketWords { get; set; }

    public IReadOnlyList<string> DisputeCodes => DisputeFailureCodes is { Length: > 0 } c ? c : ["dispute", "disputed", "chargeback"];

    public IReadOnlyList<string> DisputeWords => DisputeTicketWords is { Length: > 0 } w ? w : ["dispute"];
}
