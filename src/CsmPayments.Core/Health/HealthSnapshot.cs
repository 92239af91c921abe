using CsmPayments.Accounts;

namespace CsmPayments.Health;

/// <summary>
/// One account's health as of one day: the score, its components, the signals and the explanation. Keyed by the account
/// and the day, with no surrogate id: the cycle inserts a million a day, and each key costs an index entry per row.
/// </summary>
public sealed class HealthSnapshot
{
    /// <summary>
    /// The PostgreSQL advisory lock (its key: the bytes of "csm_snap") that a cycle writing snapshots holds shared for its
    /// whole transaction, from before it reads any account, and that the deletion of an account takes exclusively before
    /// it deletes the account's snapshots (migration <c>SnapshotsCascadeByTrigger</c>): no snapshot of a deleted account
    /// can be written, without a foreign-key check of every row.
    /// </summary>
    public const long WriteLock = 0x63736d5f736e6170;

    private HealthSnapshot() { Explanation = Signals = ""; }

    public HealthSnapshot(long accountId, DateOnly asOf, ServiceTier tier, HealthResult result, UsageCarry? usage = null)
    {
        AccountId = accountId;
        AsOf = asOf;
        Tier = tier;
        Score = result.Score;
        Band = result.Band;
        PaymentHealth = result.PaymentHealth;
        Usage = result.Components[HealthComponent.Usage];
        Engagement = result.Components[HealthComponent.Engagement];
        Support = result.Components[HealthComponent.Support];
        Sentiment = result.Components[HealthComponent.Sentiment];
        Onboarding = result.Onboarding;
        Signals = HealthSignalNames.Join(result.Signals);
        Explanation = result.Explanation;
        if (usage is { } u)
            (UsageCarryKey, UsageClosed30, UsageClosed90, UsageClosedRecent, UsageClosedRecentAndBaseline, UsageClosedDays, UsageClosedLastActive) =
                (u.Key, u.Last30, u.Last90, u.Recent, u.RecentAndBaseline, u.DaysRecorded, u.LastActiveDay);
    }

    public long AccountId { get; private set; }
    public DateOnly AsOf { get; private set; }
    public ServiceTier Tier { get; private set; }
    public int Score { get; private set; }
    public HealthBand Band { get; private set; }
    public int PaymentHealth { get; private set; }
    public int? Usage { get; private set; }
    public int? Engagement { get; private set; }
    public int? Support { get; private set; }
    public int? Sentiment { get; private set; }
    public bool Onboarding { get; private set; }

    /// <summary>Signal names joined by commas, e.g. <c>silent_churn,failed_payment</c>.</summary>
    public string Signals { get; private set; }

    public string Explanation { get; private set; }

    // The usage the next day's cycle rolls forward (UsageCarry); empty when the snapshot was not taken by the cycle.
    public int? UsageCarryKey { get; private set; }
    public long? UsageClosed30 { get; private set; }
    public long? UsageClosed90 { get; private set; }
    public long? UsageClosedRecent { get; private set; }
    public long? UsageClosedRecentAndBaseline { get; private set; }
    public int? UsageClosedDays { get; private set; }
    public DateOnly? UsageClosedLastActive { get; private set; }

    public UsageCarry? CarriedUsage => UsageCarryKey is { } key
        ? new UsageCarry(key, UsageClosed30 ?? 0, UsageClosed90 ?? 0, UsageClosedRecent ?? 0, UsageClosedRecentAndBaseline ?? 0, UsageClosedDays ?? 0, UsageClosedLastActive)
        : null;

    public HealthSignals SignalSet => HealthSignalNames.Parse(Signals);

    public IReadOnlyDictionary<HealthComponent, int?> Components() => ComponentsOf(Usage, Engagement, Support, Sentiment, PaymentHealth);

    public static IReadOnlyDictionary<HealthComponent, int?> ComponentsOf(int? usage, int? engagement, int? support, int? sentiment, int payment) =>
        new HealthComponents(usage, engagement, support, sentiment, payment);

    /// <summary>The stored snapshot as a result, for comparing a later day with it.</summary>
    public HealthResult ToResult() => new(Score, Band, PaymentHealth, Components(), SignalSet, Explanation, Onboarding);
}
