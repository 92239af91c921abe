using CsmPayments.Health;
using CsmPayments.Segments;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cycle;

/// <summary>
/// Segments and health for every selected account: loads accounts range by range in set-based queries, evaluates them,
/// and writes the day's snapshots and the segment changes in bulk, in one transaction.
/// </summary>
public static class HealthStage
{
    /// <summary>Accounts per load: bounds memory whatever the size of the book.</summary>
    public const int ChunkSize = 5_000;

    public static async Task RunAsync(CycleRun run, CancellationToken ct)
    {
        var asOf = run.AsOf;
        await using var reader = run.Database.Open();
        await using var writer = run.Database.Open();
        await using var transaction = run.DryRun ? null : await writer.Database.BeginTransactionAsync(ct);

        var ids = run.Accounts?.Ids is { } chosen
            ? await reader.Accounts.AsNoTracking().Where(a => chosen.Contains(a.Id)).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct)
            : await reader.Accounts.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct);
        var previousDay = await reader.HealthSnapshots.AsNoTracking().Where(s => s.AsOf < asOf).MaxAsync(s => (DateOnly?)s.AsOf, ct);
        var weekAgo = asOf.AddDays(-7);

        var snapshots = new BulkUpsert<HealthSnapshot>(writer, nameof(HealthSnapshot.AccountId), nameof(HealthSnapshot.AsOf));
        var assignments = new BulkUpsert<SegmentAssignment>(writer, nameof(SegmentAssignment.AccountId), nameof(SegmentAssignment.EffectiveOn));
        var summary = run.Summary;
        var done = 0;
        foreach (var chunk in ids.Chunk(ChunkSize))
        {
            var selection = run.Accounts?.Ids is not null ? AccountSelection.Of(chunk) : AccountSelection.Range(chunk[0], chunk[^1]);
            var histories = await AccountHistoryLoader.LoadDayAsync(reader, selection, asOf, run.Settings, ct);
            var earlier = await SnapshotsOnAsync(reader, selection, weekAgo, ct);
            var previous = previousDay is { } day
                ? (weekAgo == day ? earlier : await SnapshotsOnAsync(reader, selection, day, ct))
                : [];
            var current = new Dictionary<long, SegmentResult>();
            await foreach (var (accountId, segments) in SegmentAssignments.StreamAsync(selection.Apply(reader.SegmentAssignments.AsNoTracking(), s => s.AccountId), asOf, ct))
                current[accountId] = segments;

            var toStore = new List<HealthSnapshot>(histories.Count);
            var changed = new List<SegmentAssignment>();
            foreach (var history in histories)
            {
                var id = history.Account.Id;
                var evaluation = AccountEvaluator.Evaluate(history, asOf, run.Settings, earlier.GetValueOrDefault(id)?.ToResult());
                var health = evaluation.Health;
                HealthBand? previousBand = previous.TryGetValue(id, out var p) ? p.Band : null;
                run.Outcomes.Add(new AccountOutcome(id, evaluation.CsmId, health.Band, previousBand, health.Signals, evaluation.Segments.RiskTier, evaluation.Billing));
                toStore.Add(new HealthSnapshot(id, asOf, evaluation.Segments.ServiceTier, health));
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
            if (!run.DryRun)
            {
                summary.SnapshotsWritten += await snapshots.WriteAsync(toStore, ct);
                await assignments.WriteAsync(changed, ct);
            }
            done += chunk.Length;
            run.Progress?.Report(new CycleProgress("segments and health", done, ids.Count));
        }
        if (transaction is not null) await transaction.CommitAsync(ct);
    }

    internal static async Task<Dictionary<long, HealthSnapshot>> SnapshotsOnAsync(CsmDbContext db, AccountSelection selection, DateOnly day, CancellationToken ct)
    {
        var result = new Dictionary<long, HealthSnapshot>();
        var rows = selection.Apply(db.HealthSnapshots.AsNoTracking(), s => s.AccountId).Where(s => s.AsOf == day);
        await foreach (var s in rows.AsAsyncEnumerable().WithCancellation(ct)) result[s.AccountId] = s;
        return result;
    }
}
