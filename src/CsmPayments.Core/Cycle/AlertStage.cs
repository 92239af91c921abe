using CsmPayments.Health;
using CsmPayments.Work;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cycle;

/// <summary>
/// Opens the alerts whose condition holds on the day and closes those whose condition cleared, for the accounts the run
/// evaluated and that still bill. At most one alert per account and kind is open (the database enforces it too). When a later day has
/// already been evaluated, alerts are left as that day set them.
/// </summary>
public static class AlertStage
{
    public static async Task RunAsync(CycleRun run, CancellationToken ct)
    {
        await using var db = run.Database.Open();
        var latest = await db.HealthSnapshots.AsNoTracking().MaxAsync(s => (DateOnly?)s.AsOf, ct);
        if (latest is { } day && day > run.AsOf)
        {
            run.Summary.Notes.Add($"alerts left as they are: health was already evaluated for {day:yyyy-MM-dd}, after {run.AsOf:yyyy-MM-dd}");
            return;
        }
        await using var transaction = run.DryRun ? null : await db.Database.BeginTransactionAsync(ct);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcomes = run.Outcomes;
        var open = await OpenAlerts.ReadAsync(db, outcomes, run.Accounts, ct);
        run.Summary.Time("alerts: read open", clock.Elapsed);
        clock.Restart();

        var toClose = new List<long>();
        var toOpen = new List<AlertToOpen>();
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            var subject = new AlertSubject(outcome.AccountId, outcome.CsmId,
                run.BrokenPromiseAccounts.Contains(outcome.AccountId) ? outcome.Signals | HealthSignals.BrokenPromise : outcome.Signals,
                outcome.Band, outcome.PreviousBand);
            // An account that no longer bills is not the CSM's to chase: its alerts close and none open.
            var holding = outcome.Billing ? AlertRules.Holding(subject, open.BandDropFrom(i)) : AlertKinds.None;
            var openKinds = open.Kinds(i);
            foreach (var kind in openKinds.Except(holding).Kinds()) toClose.Add(open.Id(i, kind));
            var opening = holding.Except(openKinds);
            if (!opening.IsEmpty) toOpen.AddRange(AlertRules.Opening(subject, opening));
        }
        run.Summary.AlertsOpened += toOpen.Count;
        run.Summary.AlertsClosed += toClose.Count;
        run.Summary.Time("alerts: reconcile", clock.Elapsed);
        if (run.DryRun) return;

        clock.Restart();
        var asOf = run.AsOf;
        foreach (var batch in toClose.Chunk(1_000))
            await db.Alerts.Where(a => batch.Contains(a.Id) && a.ClosedOn == null && a.OpenedOn <= asOf)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClosedOn, asOf), ct);
        await AlertWriter.InsertAsync(db, toOpen, asOf, ct);
        await transaction!.CommitAsync(ct);
        run.Summary.Time("alerts: write", clock.Elapsed);
    }

    /// <summary>
    /// The alerts open before the day, for each evaluated account by its place in the run's outcomes (which are in id
    /// order): which kinds are open, their ids, and the band an open band drop fell from. Read by ordinal, the detail only
    /// of band drops (the one detail the rules read); an open alert of an account the run did not evaluate is left alone.
    /// </summary>
    private sealed class OpenAlerts
    {
        private readonly AlertKinds[] _kinds;
        private readonly long[] _ids;
        private readonly sbyte[] _bandFrom;

        private OpenAlerts(int accounts)
        {
            _kinds = new AlertKinds[accounts];
            _ids = new long[accounts * AlertKinds.Count];
            _bandFrom = new sbyte[accounts];
            Array.Fill(_bandFrom, (sbyte)-1);
        }

        public AlertKinds Kinds(int account) => _kinds[account];

        public long Id(int account, AlertKind kind) => _ids[account * AlertKinds.Count + (int)kind];

        public HealthBand? BandDropFrom(int account) => _bandFrom[account] < 0 ? null : (HealthBand)_bandFrom[account];

        public static async Task<OpenAlerts> ReadAsync(Storage.CsmDbContext db, List<AccountOutcome> outcomes, AccountSelection? selection, CancellationToken ct)
        {
            var accountIds = new long[outcomes.Count];
            for (var i = 0; i < accountIds.Length; i++)
            {
                accountIds[i] = outcomes[i].AccountId;
                if (i > 0 && accountIds[i] <= accountIds[i - 1])
                    throw new InvalidOperationException("the run's outcomes are not in account order");
            }
            var open = new OpenAlerts(accountIds.Length);
            if (accountIds.Length == 0) return open;
            await using var query = await LeanQuery.CreateAsync(db, selection ?? AccountSelection.Range(accountIds[0], accountIds[^1]), "account_id",
                $"SELECT id, account_id, kind, CASE WHEN kind = '{nameof(AlertKind.HealthBandDrop)}' THEN detail END FROM alerts"
                + " WHERE {accounts} AND closed_on IS NULL", ct);
            await using var r = await query.ReadAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var at = Array.BinarySearch(accountIds, r.GetInt64(1));
                if (at < 0) continue;
                var kind = LeanQuery.Enum<AlertKind>(r, 2);
                open._kinds[at] = open._kinds[at].With(kind);
                open._ids[at * AlertKinds.Count + (int)kind] = r.GetInt64(0);
                if (kind == AlertKind.HealthBandDrop && !r.IsDBNull(3) && AlertRules.BandFellFrom(r.GetString(3)) is { } from)
                    open._bandFrom[at] = (sbyte)from;
            }
            return open;
        }
    }
}
