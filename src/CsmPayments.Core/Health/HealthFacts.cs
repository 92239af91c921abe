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

/// <summary>
/// The usage windows of <see cref="UsageSummary"/> for one configuration: cumulative sums over the last 30, 90,
/// <c>R</c> (recent) and <c>R + B</c> (recent and baseline) days, and the span they all lie in, whose rows are counted.
/// The cycle keeps each window's sum over its days up to <see cref="FreshDays"/> before the day (its closed part) in
/// the day's snapshot and rolls those forward on the next day, reading only the days that enter or leave a window and
/// the fresh days, which late reports of usage still change.
/// </summary>
public readonly record struct UsageWindows(int RecentDays, int BaselineDays)
{
    /// <summary>The last days of the day's usage always read again: usage reported up to a week late is still counted.</summary>
    public const int FreshDays = 7;

    /// <summary>Days since the stored snapshot across which the sums are rolled; after a longer gap they are summed again.</summary>
    public const int MaxGap = 3;

    public static UsageWindows Of(SilentChurnOptions options) => new(options.NoActiveUsersDays, options.BaselineDays);

    /// <summary>Days in the span: from <see cref="UsageSummary.SpanStart"/> to the day, inclusive.</summary>
    public int SpanDays => Math.Max(90, RecentDays + BaselineDays);

    /// <summary>The windows' lengths in the order <see cref="UsageCarry"/> keeps their sums: 30, 90, recent, recent and baseline.</summary>
    public int[] Lengths => [30, 90, RecentDays, RecentDays + BaselineDays];

    /// <summary>
    /// Whether sums can be rolled at all: every window must be longer than the fresh days and the largest gap together,
    /// so that a day leaving a window is always one the stored sums hold.
    /// </summary>
    public bool CanRoll => Math.Min(30, RecentDays) > FreshDays + MaxGap && RecentDays < 1000 && BaselineDays < 1000;

    /// <summary>Names the windows and the fresh days a carry was summed with; a carry under another key is never rolled.</summary>
    public int Key => FreshDays * 1_000_000 + RecentDays * 1_000 + BaselineDays;

    /// <summary>The last day of the closed part of <paramref name="day"/>'s sums.</summary>
    public static DateOnly ClosedThrough(DateOnly day) => day.AddDays(-FreshDays);
}

/// <summary>
/// What a snapshot keeps of the usage it was computed from (see <see cref="UsageWindows"/>): each window's sum over its
/// days up to <see cref="UsageWindows.ClosedThrough"/>, the rows in the span up to then and the last active day among
/// them, under the windows' <see cref="UsageWindows.Key"/>.
/// </summary>
public readonly record struct UsageCarry(int Key, long Last30, long Last90, long Recent, long RecentAndBaseline, int DaysRecorded, DateOnly? LastActiveDay)
{
    /// <summary>The closed sum of the window at <paramref name="index"/> in <see cref="UsageWindows.Lengths"/>.</summary>
    public long Sum(int index) => index switch { 0 => Last30, 1 => Last90, 2 => Recent, 3 => RecentAndBaseline, _ => throw new ArgumentOutOfRangeException(nameof(index)) };
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
