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

        var open = new Dictionary<long, Dictionary<AlertKind, (long Id, string Detail)>>();
        var openQuery = db.Alerts.AsNoTracking().Where(a => a.ClosedOn == null);
        if (run.Accounts?.Ids is { } ids) openQuery = openQuery.Where(a => ids.Contains(a.AccountId));
        await foreach (var a in openQuery.Select(a => new { a.Id, a.AccountId, a.Kind, a.Detail }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!open.TryGetValue(a.AccountId, out var kinds)) open[a.AccountId] = kinds = [];
            kinds[a.Kind] = (a.Id, a.Detail);
        }

        var toClose = new List<long>();
        var toOpen = new List<AlertToOpen>();
        var none = new Dictionary<AlertKind, string>();
        foreach (var outcome in run.Outcomes)
        {
            var mine = open.GetValueOrDefault(outcome.AccountId);
            var details = mine is null ? none : mine.ToDictionary(k => k.Key, k => k.Value.Detail);
            // An account that no longer bills is not the CSM's to chase: its alerts close and none open.
            var signals = run.BrokenPromiseAccounts.Contains(outcome.AccountId) ? outcome.Signals | Health.HealthSignals.BrokenPromise : outcome.Signals;
            var subject = outcome.Billing
                ? new AlertSubject(outcome.AccountId, outcome.CsmId, signals, outcome.Band, outcome.PreviousBand)
                : new AlertSubject(outcome.AccountId, outcome.CsmId, Health.HealthSignals.None, outcome.Band, null);
            var (openNow, close) = AlertRules.Reconcile(subject, details);
            foreach (var kind in close) toClose.Add(mine![kind].Id);
            toOpen.AddRange(openNow);
        }
        run.Summary.AlertsOpened += toOpen.Count;
        run.Summary.AlertsClosed += toClose.Count;
        if (run.DryRun) return;

        var asOf = run.AsOf;
        foreach (var batch in toClose.Chunk(1_000))
            await db.Alerts.Where(a => batch.Contains(a.Id) && a.ClosedOn == null && a.OpenedOn <= asOf)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClosedOn, asOf), ct);
        await AlertWriter.InsertAsync(db, toOpen, asOf, ct);
        await transaction!.CommitAsync(ct);
    }
}
