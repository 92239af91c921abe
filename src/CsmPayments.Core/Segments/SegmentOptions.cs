using CsmPayments.Accounts;

namespace CsmPayments.Segments;

/// <summary>How a customer pays, judged from its history [004].</summary>
public enum PaymentBehaviour { OnTime, Late, ChronicallyLate }

/// <summary>Credit risk of an account; until a credit score is imported it follows from what the ledger shows.</summary>
public enum CreditRisk { Low, Medium, High }

/// <summary>Cohorts, service tiers and risk tiers: bound from the <c>Segments</c> configuration section.</summary>
public sealed class SegmentOptions
{
    public const string Section = "Segments";

    /// <summary>Rules in order; an account belongs to the first cohort whose every given condition it meets.</summary>
    public List<CohortRule>? Cohorts { get; set; }

    /// <summary>The cohort of an account no rule takes.</summary>
    public string DefaultCohort { get; set; } = "standard";

    /// <summary>ARR (base currency) from which an account without an explicit tier is high touch.</summary>
    public decimal HighTouchArrFrom { get; set; } = 48_000m;

    /// <summary>ARR (base currency) from which an account without an explicit tier is medium touch; below, low touch.</summary>
    public decimal MediumTouchArrFrom { get; set; } = 12_000m;

    /// <summary>Days after the due date a payment still counts as on time.</summary>
    public int GraceDays { get; set; } = 5;

    /// <summary>Invoices of this many past days decide the payment behaviour.</summary>
    public int HistoryDays { get; set; } = 365;

    /// <summary>At least this share of invoices paid late makes an account late…</summary>
    public double LateShare { get; set; } = 0.2;

    /// <summary>…and this share chronically late.</summary>
    public double ChronicallyLateShare { get; set; } = 0.5;

    /// <summary>An invoice at least this large (base currency) makes an account high value, one risk tier up.</summary>
    public decimal HighValueInvoiceFrom { get; set; } = 10_000m;

    /// <summary>Load each service tier puts on a CSM's capacity.</summary>
    public TierLoadOptions TierLoad { get; set; } = new();

    public IReadOnlyList<CohortRule> CohortRules => Cohorts ?? DefaultCohorts;

    public static IReadOnlyList<CohortRule> DefaultCohorts { get; } =
    [
        new() { Name = "chronically-late", PaymentBehaviours = [PaymentBehaviour.ChronicallyLate] },
        new() { Name = "enterprise", MinInvoiceAmount = 10_000m },
        new() { Name = "small-business", MaxEmployees = 50 },
    ];

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MediumTouchArrFrom < 0 || HighTouchArrFrom < MediumTouchArrFrom)
            problems.Add($"Segments:MediumTouchArrFrom ({MediumTouchArrFrom}) must be 0 or more and not above Segments:HighTouchArrFrom ({HighTouchArrFrom})");
        if (GraceDays < 0 || HistoryDays <= 0) problems.Add("Segments:GraceDays cannot be negative and Segments:HistoryDays must be positive");
        if (LateShare is < 0 or > 1 || ChronicallyLateShare is < 0 or > 1 || LateShare > ChronicallyLateShare)
            problems.Add("Segments:LateShare and Segments:ChronicallyLateShare are fractions from 0 to 1, LateShare not above ChronicallyLateShare");
        if (string.IsNullOrWhiteSpace(DefaultCohort)) problems.Add("Segments:DefaultCohort cannot be empty");
        var rules = CohortRules;
        for (var i = 0; i < rules.Count; i++)
            if (string.IsNullOrWhiteSpace(rules[i].Name)) problems.Add($"Segments:Cohorts:{i}:Name is required");
        return problems;
    }

    public int LoadOf(ServiceTier tier) => tier switch
    {
        ServiceTier.High => TierLoad.High,
        ServiceTier.Medium => TierLoad.Medium,
        _ => TierLoad.Low,
    };
}

public sealed class TierLoadOptions
{
    public int High { get; set; } = 3;
    public int Medium { get; set; } = 2;
    public int Low { get; set; } = 1;
}

/// <summary>One cohort's conditions; a condition left empty holds for every account.</summary>
public sealed class CohortRule
{
    public string Name { get; set; } = "";

    /// <summary>The account's largest recent invoice (base currency) is at least this.</summary>
    public decimal? MinInvoiceAmount { get; set; }

    /// <summary>…and below this.</summary>
    public decimal? MaxInvoiceAmount { get; set; }

    public string[]? Plans { get; set; }
    public PaymentBehaviour[]? PaymentBehaviours { get; set; }
    public CreditRisk[]? CreditRisks { get; set; }
    public int? MinEmployees { get; set; }
    public int? MaxEmployees { get; set; }
    public string[]? Industries { get; set; }

    /// <summary>ISO 3166 alpha-2 codes.</summary>
    public string[]? Countries { get; set; }

    public bool Matches(SegmentFacts a) =>
        (MinInvoiceAmount is not { } min || a.LargestInvoice >= min)
        && (MaxInvoiceAmount is not { } max || a.LargestInvoice < max)
        && In(Plans, a.Plan)
        && (PaymentBehaviours is not { Length: > 0 } b || b.Contains(a.Behaviour))
        && (CreditRisks is not { Length: > 0 } r || r.Contains(a.CreditRisk))
        && (MinEmployees is not { } fewest || a.Employees >= fewest)
        && (MaxEmployees is not { } most || a.Employees <= most)
        && In(Industries, a.Industry)
        && In(Countries, a.Country);

    private static bool In(string[]? allowed, string value) =>
        allowed is not { Length: > 0 } || allowed.Any(x => string.Equals(x.Trim(), value, StringComparison.OrdinalIgnoreCase));
}
