using CsmPayments.Collections;
using CsmPayments.Health;
using CsmPayments.Messaging;
using CsmPayments.Segments;
using CsmPayments.Storage;

namespace CsmPayments.Cycle;

/// <summary>One step of the daily run: a name for the progress display, and what it does with the run.</summary>
public sealed record CycleStage(string Name, Func<CycleRun, CancellationToken, Task> RunAsync);

/// <summary>How far a stage has got, for a progress display.</summary>
public readonly record struct CycleProgress(string Stage, long Done, long Total);

/// <summary>An account after the evaluation stage, as later stages read it.</summary>
public readonly record struct AccountOutcome(long AccountId, long CsmId, HealthBand Band, HealthBand? PreviousBand, HealthSignals Signals, RiskTier RiskTier, bool Billing);

/// <summary>
/// One run of the cycle for one day: its inputs, what each stage found (later stages read <see cref="Outcomes"/>), and the
/// summary lines. With <see cref="DryRun"/> every stage computes what it would change and writes nothing.
/// </summary>
public sealed class CycleRun
{
    public CycleRun(Database database, DateOnly asOf, EvaluationSettings settings, bool dryRun, IProgress<CycleProgress>? progress = null,
        AccountSelection? accounts = null)
    {
        Database = database;
        AsOf = asOf;
        Settings = settings;
        DryRun = dryRun;
        Progress = progress;
        Accounts = accounts;
    }

    public Database Database { get; }
    public DateOnly AsOf { get; }
    public EvaluationSettings Settings { get; }
    public bool DryRun { get; }
    public IProgress<CycleProgress>? Progress { get; }

    /// <summary>The accounts to evaluate; null for every account.</summary>
    public AccountSelection? Accounts { get; }

    /// <summary>Accounts per range the health stage loads, evaluates, writes and reports progress for.</summary>
    public int RangeSize
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(RangeSize), "a range holds at least one account");
    } = HealthStage.ChunkSize;

    /// <summary>Accounts evaluated for the day, in id order; filled by the health stage.</summary>
    public List<AccountOutcome> Outcomes { get; } = [];

    public CycleSummary Summary { get; } = new();

    /// <summary>The collection playbooks to run after health; without them the run scores and alerts only.</summary>
    public CollectionCycle? Collections { get; init; }

    /// <summary>
    /// The invoices the health stage found still owed, for the collection stage to read instead of the whole ledger;
    /// kept only when this run has a collection stage (a full run with <see cref="Collections"/>).
    /// </summary>
    public OwedInvoices Owed { get; } = new();

    /// <summary>Whether the collection stage runs after health in this run (collections configured, every account).</summary>
    public bool CollectsToday => Collections is not null && Accounts is null;

    /// <summary>
    /// On SQLite, the health stage's transaction the collection stage beside it writes in; set by the health stage. The
    /// collection stage always runs beside the health stage, each of its ranges as soon as the health stage has evaluated
    /// the range's accounts. On PostgreSQL the two write at once, each in its own transactions. SQLite lets one writer in
    /// at a time, and the health stage holds that lock from its start: there collection ranges read on their own
    /// connections and write here, and the health stage commits once they are done.
    /// </summary>
    public HeldWriteLock? HeldWriteLock { get; set; }

    /// <summary>The risk tiers the health stage gave, range by range, which the collection stage reads.</summary>
    public EvaluatedTiers Tiers { get; } = new();

    /// <summary>The collection stage when it runs beside the health stage: started by the health stage, awaited by its own.</summary>
    public Task? CollectingBesideHealth { get; set; }

    /// <summary>The renewal invoices issued for the day before the health stage read the ledger.</summary>
    public List<CycleItem> RenewalsIssued { get; } = [];

    /// <summary>Delivers the outbox before the run ends; without it messages wait for the next dispatch.</summary>
    public OutboxDispatcher? Dispatcher { get; init; }

    /// <summary>
    /// How many of the collection stage's actions <see cref="CollectionsResult"/> lists (the first, in account order);
    /// all of them are counted. A first run on a large book does hundreds of thousands of things.
    /// </summary>
    public int CollectionItemsListed { get; init; } = 1_000;

    /// <summary>What the collection stage did (or, dry, would do).</summary>
    public CycleResult? CollectionsResult { get; set; }

    /// <summary>What the delivery stage sent.</summary>
    public DispatchResult? Delivery { get; set; }

    /// <summary>Accounts whose promise to pay broke on the run's day; the alert stage raises the CSM's alert for them.</summary>
    public HashSet<long> BrokenPromiseAccounts { get; } = [];
}

/// <summary>What a run did (or, dry, would do).</summary>
public sealed class CycleSummary
{
    public int AccountsEvaluated { get; set; }
    public long SnapshotsWritten { get; set; }
    public int BandChanges { get; set; }
    public int BandsDown { get; set; }
    public int SegmentChanges { get; set; }
    public int AlertsOpened { get; set; }
    public int AlertsClosed { get; set; }

    /// <summary>Accounts whose usage sums were rolled forward from the day before, and those summed over the whole span again.</summary>
    public int UsageRolled { get; set; }
    public int UsageSummed { get; set; }

    public Dictionary<HealthBand, int> Bands { get; } = [];

    /// <summary>Where the time went, by step, in the order the steps first ran.</summary>
    public List<(string Step, TimeSpan Time)> Timings { get; } = [];

    /// <summary>Adds time to a step; safe to call from loads running side by side.</summary>
    public void Time(string step, TimeSpan time)
    {
        lock (Timings)
        {
            var i = Timings.FindIndex(t => t.Step == step);
            if (i < 0) Timings.Add((step, time));
            else Timings[i] = (step, Timings[i].Time + time);
        }
    }

    /// <summary>Why a stage wrote nothing, or what a later stage adds; printed after the counts.</summary>
    public List<string> Notes { get; } = [];
}

/// <summary>
/// The daily run for one day, stage after stage: the renewal invoices due (so that the day's ledger holds them before it
/// is read), segments and health (snapshots, segment history), collections (the playbook step due for each account,
/// recorded with its outbox message; beside the health stage, range by range behind it), alerts, then
/// delivery of the outbox.
/// Each stage reads what the earlier ones left in the <see cref="CycleRun"/>; a new stage is appended to <see cref="Stages"/>.
/// Running the same day twice changes nothing.
/// </summary>
public static class DailyCycle
{
    public static IReadOnlyList<CycleStage> Stages { get; } =
    [
        new("renewal invoices", CollectionStage.IssueRenewalInvoicesAsync),
        new("segments and health", HealthStage.RunAsync),
        new("collections", CollectionStage.RunAsync),
        new("alerts", AlertStage.RunAsync),
        new("delivery", DeliveryStage.RunAsync),
    ];

    public static async Task<CycleSummary> RunAsync(CycleRun run, CancellationToken ct)
    {
        foreach (var stage in Stages)
        {
            ct.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await stage.RunAsync(run, ct);
            run.Summary.Time(stage.Name, clock.Elapsed);
        }
        return run.Summary;
    }
}
