using CsmPayments.Accounts;

namespace CsmPayments.Health;

public enum HealthComponent { Usage, Engagement, Support, Sentiment, Payment }

public enum HealthBand { Red, Yellow, Green }

/// <summary>An unpaid balance of one invoice, in the base currency.</summary>
public readonly record struct OpenBalance(decimal Balance, DateOnly DueDate);

/// <summary>
/// What payment health is computed from, amounts in the base currency. <see cref="BrokenPromises"/> and
/// <see cref="OpenDisputes"/> are plain counts so that collections can supply them; until it does, disputes are what
/// the ledger shows (failed attempts with a dispute code, open tickets about a billing dispute) and promises are none.
/// </summary>
public sealed record PaymentHealthFacts(
    decimal Arr,
    IReadOnlyList<OpenBalance> Open,
    IReadOnlyList<int> DaysToPay,
    int FailedAttempts,
    int UnresolvedFailedAttempts,
    int OpenDisputes,
    int BrokenPromises)
{
    public static PaymentHealthFacts None { get; } = new(0m, [], [], 0, 0, 0, 0);
}

/// <summary>
/// Active-user days (the sum of daily active users) over the windows the rules compare, counted back from the as-of
/// date D: the last 30 days (D−29…D), the 60 before them, the last <c>R</c> recent days and the baseline days before
/// those (silent churn). <see cref="DaysRecorded"/> counts the usage rows in the whole span; zero means the account
/// sends no usage, so usage is not judged.
/// </summary>
public readonly record struct UsageSummary(
    long Last30, long Previous60, long Recent, long Baseline, int DaysRecorded, DateOnly? LastActiveDay)
{
    /// <summary>The first day the summary reads, for a recent window and baseline of the given lengths.</summary>
    public static DateOnly SpanStart(DateOnly asOf, int recentDays, int baselineDays) =>
        asOf.AddDays(-Math.Max(89, recentDays + baselineDays - 1));

    /// <summary>Sums the days in C#, with the same windows the cycle's SQL uses.</summary>
    public static UsageSummary From(IEnumerable<(DateOnly Date, int ActiveUsers)> days, DateOnly asOf, int recentDays, int baselineDays)
    {
        long last30 = 0, previous60 = 0, recent = 0, baseline = 0;
        var recorded = 0;
        DateOnly? lastActive = null;
        var start = SpanStart(asOf, recentDays, baselineDays);
        foreach (var (date, users) in days)
        {
            if (date > asOf || date < start) continue;
            recorded++;
            var ago = asOf.DayNumber - date.DayNumber;
            if (ago < 30) last30 += users;
            else if (ago < 90) previous60 += users;
            if (ago < recentDays) recent += users;
            else if (ago < recentDays + baselineDays) baseline += users;
            if (users > 0 && (lastActive is null || date > lastActive)) lastActive = date;
        }
        return new UsageSummary(last30, previous60, recent, baseline, recorded, lastActive);
    }
}

/// <summary>Open high and urgent tickets with the age of the oldest, and how many were opened lately against before.</summary>
public readonly record struct SupportFacts(
    int OpenUrgent, int OpenHigh, int OldestUrgentDays, int OldestSevereDays, int OpenedLast30, int OpenedPrevious90)
{
    public static SupportFacts None { get; } = new(0, 0, 0, 0, 0, 0);
}

public readonly record struct NpsFact(int Score, DateOnly RespondedOn);

/// <summary>Everything one account's health on one day is computed from; built by the loader or by a test.</summary>
public sealed record HealthFacts(
    ServiceTier Tier,
    DateOnly? CustomerSince,
    bool Billing,
    DateOnly? NextRenewal,
    PaymentHealthFacts Payment,
    UsageSummary Usage,
    DateOnly? LastTouchpoint,
    SupportFacts Support,
    NpsFact? LatestNps,
    string Currency);
