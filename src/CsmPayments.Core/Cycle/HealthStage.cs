using CsmPayments.Accounts;
using CsmPayments.Health;
using CsmPayments.Segments;
using CsmPayments.Storage;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cycle;

/// <summary>
/// Segments and health for every selected account: loads accounts range by range in set-based queries, evaluates them,
/// and writes the day's snapshots and the segment changes in bulk, in one transaction. Three things run at once: the
/// next ranges load, the current range is evaluated, and the ranges evaluated before it are written.
/// </summary>
public static class HealthStage
{
    /// <summary>Accounts per load: bounds memory whatever the size of the book.</summary>
    public const int ChunkSize = 5_000;

    /// <summary>Ranges loading at once beside the one being evaluated; memory stays bounded by (1 + this) ranges.</summary>
    public const int LoadsAhead = 2;

    /// <summary>Evaluated ranges waiting for the writer at most; evaluation waits while the writer is this far behind.</summary>
    public const int WritesBehind = 2;

    public static async Task RunAsync(CycleRun run, CancellationToken ct)
    {
        var asOf = run.AsOf;
        var collects = run.CollectsToday;
        // Readers take turns: while one range is evaluated and written, the next ranges load on their own connections, so
        // the database and the evaluation keep both cores busy.
        var readers = new CsmDbContext[LoadsAhead + 1];
        for (var r = 0; r < readers.Length; r++) readers[r] = run.Database.Open();
        await using var readersDisposal = new Disposables(readers);
        var reader = readers[0];
        await using var writer = run.Database.Open();
        await using var transaction = run.DryRun ? null : await writer.Database.BeginTransactionAsync(ct);
        // On PostgreSQL no foreign key checks each snapshot's account: the lock keeps an account from being deleted
        // from now until the snapshots are committed (see HealthSnapshot.WriteLock).
        if (transaction is not null && writer.Provider == StorageProvider.Postgres)
            await writer.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared({HealthSnapshot.WriteLock})", ct);
        // The settlement days found and the ledger notes they answer are written apart from the snapshots on PostgreSQL,
        // a short transaction per range, so that the rows of invoices are not held locked until the stage ends (a webhook
        // marking one void would wait for the whole stage). On SQLite the writer's transaction already holds the only
        // write lock, so they go in it.
        await using var ownLedgerWriter = writer.Provider == StorageProvider.Postgres && !run.DryRun ? run.Database.Open() : null;
        var ledgerWriter = ownLedgerWriter ?? writer;

        var ids = run.Accounts?.Ids is { } chosen
            ? await reader.Accounts.AsNoTracking().Where(a => chosen.Contains(a.Id)).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct)
            : await reader.Accounts.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct);
        var previousDay = await reader.HealthSnapshots.AsNoTracking().Where(s => s.AsOf < asOf).MaxAsync(s => (DateOnly?)s.AsOf, ct);
        var weekAgo = asOf.AddDays(-7);
        // A first run of the day inserts its snapshots straight away; a rerun compares with what the day already has and
        // writes only what changed.
        var rerun = await reader.HealthSnapshots.AsNoTracking().AnyAsync(s => s.AsOf == asOf, ct);
        // Usage sums roll forward from the latest day stored (the day itself on a rerun), and only from that one: a day
        // evaluated before it may hold usage that a change since has corrected, whose note a later day has consumed.
        // For the same reason only a day at or after the latest deletes the notes of changes it read, and only a whole run:
        // a note may cover accounts a run of a few does not evaluate.
        var latest = await reader.HealthSnapshots.AsNoTracking().MaxAsync(s => (DateOnly?)s.AsOf, ct);
        var source = rerun ? asOf : previousDay;
        // The loader decides whether the gap is short enough to roll (UsageRoll.RollsTo).
        var rollsFrom = source is { } from && from == latest ? source : null;
        var consumes = !run.DryRun && run.Accounts is null && (latest is null || asOf >= latest);

        var snapshots = new BulkUpsert<HealthSnapshot>(writer, nameof(HealthSnapshot.AccountId), nameof(HealthSnapshot.AsOf));
        var assignments = new BulkUpsert<SegmentAssignment>(writer, nameof(SegmentAssignment.AccountId), nameof(SegmentAssignment.EffectiveOn));
        var summary = run.Summary;
        // Loads run beside the evaluation: their timings are kept apart and merged at the end.
        var timings = new CycleSummary();
        var done = 0;
        var chunks = ids.Chunk(run.RangeSize).ToList();
        // Ranges of a whole run cover every id between them and beyond the ends, so the notes of usage changes of accounts
        // deleted since are read and deleted too; the accounts each range reads are the same.
        AccountSelection RangeOf(int k) => AccountSelection.Range(k == 0 ? long.MinValue : chunks[k - 1][^1] + 1, k == chunks.Count - 1 ? long.MaxValue : chunks[k][^1]);
        Task<Loaded> Start(int index) => Task.Run(() => LoadAsync(readers[index % readers.Length], chunks[index], index), ct);
        var loading = new Queue<Task<Loaded>>();
        // Each load starts on the thread pool: Microsoft.Data.Sqlite completes its asynchronous calls synchronously, so a
        // load merely called would run to its end before the evaluation of the current range could begin.
        for (var k = 0; k < Math.Min(LoadsAhead, chunks.Count); k++) loading.Enqueue(Start(k));
        // The writer owns the writing connection and its transaction; evaluated ranges reach it in order.
        var writes = Channel.CreateBounded<Evaluated>(new BoundedChannelOptions(WritesBehind) { SingleReader = true, SingleWriter = true });
        // The collection stage works behind this one, each of its ranges once the tiers of its accounts are given. On
        // SQLite the writer's transaction holds the only write lock from its start (BEGIN IMMEDIATE): the collection ranges
        // read on their own connections and write in it, taking turns with this stage's writes, and it commits them all.
        using var held = transaction is not null && writer.Provider == StorageProvider.Sqlite && run.CollectsToday ? new HeldWriteLock(writer) : null;
        run.HeldWriteLock = held;
        var writing = run.DryRun ? Task.CompletedTask : Task.Run(WriteAllAsync, CancellationToken.None);
        if (run.CollectsToday) run.CollectingBesideHealth = CollectionStage.StartBesideHealth(run, ct);
        var evaluated = false;
        try
        {
            for (var k = 0; k < chunks.Count; k++)
            {
                var chunk = chunks[k];
                var (histories, earlier, previous, current, today, changes, ledgerNotes) = await loading.Dequeue();
                var ahead = k + LoadsAhead;
                if (ahead < chunks.Count) loading.Enqueue(Start(ahead));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var toStore = new List<HealthSnapshot>(histories.Count);
                var changed = new List<SegmentAssignment>();
                // Evaluation is pure: spread it over the cores, then gather in id order.
                var evaluations = new AccountEvaluation[histories.Count];
                Parallel.For(0, histories.Count, new ParallelOptions { CancellationToken = ct }, i =>
                    evaluations[i] = AccountEvaluator.Evaluate(histories[i], asOf, run.Settings, earlier.GetValueOrDefault(histories[i].Account.Id), noteOwed: collects,
                        noteSettled: consumes));
                // The collection stage reads only the invoices still owed; the evaluation found them in the ledger just read.
                if (collects)
                {
                    var owed = new List<(long AccountId, long InvoiceId)>(histories.Count);
                    foreach (var evaluation in evaluations)
                        foreach (var invoice in evaluation.Owed)
                            owed.Add((evaluation.AccountId, invoice));
                    run.Owed.AddRange(owed);
                }
                var firstOutcome = run.Outcomes.Count;
                foreach (var evaluation in evaluations)
                {
                    var id = evaluation.AccountId;
                    var health = evaluation.Health;
                    HealthBand? previousBand = previous.TryGetValue(id, out var p) ? p : null;
                    run.Outcomes.Add(new AccountOutcome(id, evaluation.CsmId, health.Band, previousBand, health.Signals, evaluation.Segments.RiskTier, evaluation.Billing));
                    var snapshot = new HealthSnapshot(id, asOf, evaluation.Segments.ServiceTier, health, evaluation.UsageCarry);
                    if (today is null || !today.TryGetValue(id, out var stored) || !stored.Matches(snapshot)) toStore.Add(snapshot);
                    if (!current.TryGetValue(id, out var before) || before != evaluation.Segments)
                        changed.Add(new SegmentAssignment(id, asOf, evaluation.Segments));
                    summary.AccountsEvaluated++;
                    summary.Bands[health.Band] = summary.Bands.GetValueOrDefault(health.Band) + 1;
                    if (previousBand is { } pb && pb != health.Band)
                    {
                        summary.BandChanges++;
                        if (health.Band < pb) summary.BandsDown++;
                    }
                }
                summary.SegmentChanges += changed.Count;
                // The range's tiers and owed invoices are known: the collection stage may work its accounts.
                if (collects)
                    run.Tiers.Add(run.Outcomes[firstOutcome..], run.Accounts?.Ids is not null ? chunk[^1] : RangeOf(k).High);
                summary.Time("evaluate", clock.Elapsed);
                if (!run.DryRun)
                {
                    try
                    {
                        List<(long, DateOnly?)> settled = [];
                        if (consumes)
                            foreach (var evaluation in evaluations)
                                settled.AddRange(evaluation.Settled);
                        await writes.Writer.WriteAsync(new Evaluated(toStore, changed, consumes ? changes : [], settled, consumes ? ledgerNotes : []), ct);
                    }
                    catch (ChannelClosedException)
                    {
                        await writing; // the writer failed: its own exception, not the closed channel's
                        throw;
                    }
                }
                done += chunk.Length;
                run.Progress?.Report(new CycleProgress("segments and health", done, ids.Count));
            }
            evaluated = true;
            run.Tiers.End();
        }
        catch (Exception e) when (!evaluated)
        {
            await StopCollectionsAsync(e);
            throw;
        }
        finally
        {
            // A failure mid-way must not leave a load running on a reader that is about to be disposed, nor the writer
            // writing on a connection about to be disposed.
            foreach (var load in loading) await Task.WhenAny(load);
            writes.Writer.TryComplete();
            await Task.WhenAny(writing);
        }
        try
        {
            await writing;
            // On SQLite the collection stage writes in this transaction: it ends before the commit. Should it fail, the
            // ranges it wrote commit with the snapshots, as they would on their own, and its own stage reports the failure.
            if (held is not null && run.CollectingBesideHealth is { } collecting) await Task.WhenAny(collecting);
            if (transaction is not null) await transaction.CommitAsync(ct);
        }
        catch (Exception e)
        {
            await StopCollectionsAsync(e);
            throw;
        }
        foreach (var (step, time) in timings.Timings) summary.Time(step, time);

        // A failed stage fails the run: the collection stage beside it goes no further than the ranges already given
        // (each of its ranges commits on its own, as a run of collections alone does), and ends before this stage does.
        async Task StopCollectionsAsync(Exception e)
        {
            run.Tiers.End(e);
            if (run.CollectingBesideHealth is not { } beside) return;
            await Task.WhenAny(beside);
            _ = beside.Exception; // observed: the stage's own failure is the one reported
        }

        async Task WriteAllAsync()
        {
            try
            {
                await foreach (var evaluated in writes.Reader.ReadAllAsync(ct))
                {
                    if (held is null) await WriteAsync(evaluated);
                    else await held.WriteAsync((_, _) => WriteAsync(evaluated), ct);
                }
            }
            catch (Exception e)
            {
                writes.Writer.TryComplete(e);
                throw;
            }

            async Task WriteAsync(Evaluated evaluated)
            {
                var (toStore, changed, usageChanges, settled, ledgerNotes) = evaluated;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                await SettledInvoices.WriteAsync(ledgerWriter, settled, ledgerNotes, ct);
                timings.Time("write settled invoices", clock.Elapsed);
                clock.Restart();
                await UsageRoll.DeleteChangesAsync(writer, usageChanges, ct);
                // A first run of the day meets no stored rows of that day: they are inserted without a merge.
                summary.SnapshotsWritten += rerun ? await snapshots.WriteAsync(toStore, ct) : await snapshots.InsertAsync(toStore, ct);
                if (rerun) await assignments.WriteAsync(changed, ct);
                else await assignments.InsertAsync(changed, ct);
                timings.Time("write snapshots and segments", clock.Elapsed);
            }
        }

        async Task<Loaded> LoadAsync(CsmDbContext db, long[] chunk, int index)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var selection = run.Accounts?.Ids is not null ? AccountSelection.Of(chunk) : RangeOf(index);
            var earlier = await EarlierResultsAsync(db, selection, weekAgo, ct);
            Dictionary<long, HealthBand> previous;
            Dictionary<long, UsageCarry>? carried = null;
            if (previousDay is not { } day) previous = [];
            else if (weekAgo == day) previous = earlier.ToDictionary(e => e.Key, e => e.Value.Band);
            else
            {
                var before = await PreviousOnAsync(db, selection, day, ct);
                previous = new Dictionary<long, HealthBand>(before.Count);
                foreach (var (id, p) in before) previous[id] = p.Band;
                if (rollsFrom == day) carried = Carries(before, p => p.Usage);
            }
            var current = await SegmentsOnAsync(db, selection, asOf, ct);
            var today = rerun ? await StoredOnAsync(db, selection, asOf, ct) : null;
            if (rollsFrom == asOf && today is not null) carried = Carries(today, t => t.Carry);
            timings.Time("read earlier snapshots and segments", clock.Elapsed);
            var roll = rollsFrom is not null || consumes ? new UsageRoll(rollsFrom, carried) : null;
            var ledgerNotes = new List<long>();
            var histories = await AccountHistoryLoader.LoadDayAsync(db, selection, asOf, run.Settings, ct, timings, roll, ledgerNotes);
            lock (summary)
            {
                summary.UsageRolled += roll?.Rolled ?? 0;
                summary.UsageSummed += roll?.Summed ?? histories.Count;
            }
            return new Loaded(histories, earlier, previous, current, rerun && !run.DryRun ? today : null, roll?.Changes ?? [], ledgerNotes);
        }

        static Dictionary<long, UsageCarry> Carries<T>(Dictionary<long, T> stored, Func<T, UsageCarry?> usage)
        {
            var carries = new Dictionary<long, UsageCarry>(stored.Count);
            foreach (var (id, s) in stored)
                if (usage(s) is { } carry)
                    carries[id] = carry;
            return carries;
        }
    }

    private sealed class Disposables(IEnumerable<IAsyncDisposable> items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var item in items) await item.DisposeAsync();
        }
    }

    private sealed record Evaluated(List<HealthSnapshot> Snapshots, List<SegmentAssignment> Segments, List<long> UsageChanges,
        List<(long InvoiceId, DateOnly? SettledOn)> Settled, List<long> LedgerNotes);

    private sealed record Loaded(List<AccountHistory> Histories, Dictionary<long, HealthResult> Earlier, Dictionary<long, HealthBand> Previous,
        Dictionary<long, SegmentResult> Current, Dictionary<long, StoredSnapshot>? Today, List<long> UsageChanges, List<long> LedgerNotes);

    /// <summary>
    /// Each selected account's segments on <paramref name="day"/>: its latest assignment on or before the day, as
    /// <see cref="SegmentAssignments"/> reads them, by ordinal. Rows come in account and date order, so each account's last one wins.
    /// </summary>
    internal static Task<Dictionary<long, SegmentResult>> SegmentsOnAsync(CsmDbContext db, AccountSelection selection, DateOnly day, CancellationToken ct) =>
        LeanQuery.ByAccountAsync(db, selection, "SELECT account_id, cohort, service_tier, risk_tier, payment_behaviour, credit_risk FROM segment_assignments"
            + " WHERE {accounts} AND effective_on <= @day ORDER BY account_id, effective_on", day,
            r => new SegmentResult(r.GetString(1), LeanQuery.Enum<ServiceTier>(r, 2), LeanQuery.Enum<RiskTier>(r, 3),
                LeanQuery.Enum<PaymentBehaviour>(r, 4), LeanQuery.Enum<CreditRisk>(r, 5)), ct);

    /// <summary>A stored snapshot's values, to tell whether a rerun of its day would change it, and the usage it carries.</summary>
    internal sealed record StoredSnapshot(string Tier, int Score, string Band, int PaymentHealth, int? Usage, int? Engagement, int? Support, int? Sentiment,
        bool Onboarding, string Signals, string Explanation, UsageCarry? Carry)
    {
        public bool Matches(HealthSnapshot s) =>
            Score == s.Score && PaymentHealth == s.PaymentHealth && Usage == s.Usage && Engagement == s.Engagement && Support == s.Support
            && Sentiment == s.Sentiment && Onboarding == s.Onboarding && Tier == s.Tier.ToString() && Band == s.Band.ToString()
            && string.Equals(Signals, s.Signals, StringComparison.Ordinal) && string.Equals(Explanation, s.Explanation, StringComparison.Ordinal)
            && Carry == s.CarriedUsage;
    }

    private const string CarryColumns =
        "usage_carry_key, usage_closed30, usage_closed90, usage_closed_recent, usage_closed_recent_and_baseline, usage_closed_days, usage_closed_last_active";

    /// <summary>The carry read from the seven columns from <paramref name="first"/> on, as <see cref="CarryColumns"/> lists them.</summary>
    private static UsageCarry? CarryAt(System.Data.Common.DbDataReader r, int first) =>
        r.IsDBNull(first) ? null
            : new UsageCarry(r.GetInt32(first), r.GetInt64(first + 1), r.GetInt64(first + 2), r.GetInt64(first + 3), r.GetInt64(first + 4), r.GetInt32(first + 5),
                LeanQuery.NullableDate(r, first + 6));

    /// <summary>The day's stored snapshots, read by ordinal (enums as the model stores them, by name).</summary>
    internal static Task<Dictionary<long, StoredSnapshot>> StoredOnAsync(CsmDbContext db, AccountSelection selection, DateOnly day, CancellationToken ct) =>
        LeanQuery.ByAccountAsync(db, selection, "SELECT account_id, tier, score, band, payment_health, usage, engagement, support, sentiment, onboarding, signals, explanation, "
            + CarryColumns + " FROM health_snapshots WHERE {accounts} AND as_of = @day", day,
            r => new StoredSnapshot(r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetInt32(4), LeanQuery.NullableInt(r, 5), LeanQuery.NullableInt(r, 6),
                LeanQuery.NullableInt(r, 7), LeanQuery.NullableInt(r, 8), r.GetBoolean(9), r.GetString(10), r.GetString(11), CarryAt(r, 12)), ct);

    /// <summary>
    /// The snapshots of <paramref name="day"/> as results to compare a later day with: scores, band and components only
    /// (what the explanation of a movement reads), without their stored signals and explanation.
    /// </summary>
    internal static Task<Dictionary<long, HealthResult>> EarlierResultsAsync(CsmDbContext db, AccountSelection selection, DateOnly day, CancellationToken ct) =>
        LeanQuery.ByAccountAsync(db, selection,
            "SELECT account_id, score, band, payment_health, usage, engagement, support, sentiment, onboarding FROM health_snapshots WHERE {accounts} AND as_of = @day", day,
            r => new HealthResult(r.GetInt32(1), LeanQuery.Enum<HealthBand>(r, 2), r.GetInt32(3),
                HealthSnapshot.ComponentsOf(LeanQuery.NullableInt(r, 4), LeanQuery.NullableInt(r, 5), LeanQuery.NullableInt(r, 6), LeanQuery.NullableInt(r, 7), r.GetInt32(3)),
                HealthSignals.None, "", r.GetBoolean(8)), ct);

    /// <summary>The band of each snapshot of the day before, and the usage it carries.</summary>
    internal sealed record PreviousDay(HealthBand Band, UsageCarry? Usage);

    internal static Task<Dictionary<long, PreviousDay>> PreviousOnAsync(CsmDbContext db, AccountSelection selection, DateOnly day, CancellationToken ct) =>
        LeanQuery.ByAccountAsync(db, selection, $"SELECT account_id, band, {CarryColumns} FROM health_snapshots WHERE {{accounts}} AND as_of = @day", day,
            r => new PreviousDay(LeanQuery.Enum<HealthBand>(r, 1), CarryAt(r, 2)), ct);
}
