using CsmPayments.Storage;

namespace CsmPayments.Cycle;

/// <summary>Re-evaluates a few accounts for a day after an event (a webhook, a usage upload), with the cycle's own stages.</summary>
public static class HealthRefresh
{
    /// <summary>
    /// Updates the given accounts' snapshot, segments and alerts for <paramref name="asOf"/> exactly as the daily cycle would;
    /// unknown ids are ignored. Returns what changed.
    /// </summary>
    public static async Task<CycleSummary> RefreshAccountsAsync(Database database, IReadOnlyCollection<long> accountIds, DateOnly asOf,
        EvaluationSettings settings, CancellationToken ct)
    {
        var run = new CycleRun(database, asOf, settings, dryRun: false, accounts: AccountSelection.Of(accountIds));
        if (accountIds.Count == 0) return run.Summary;
        await HealthStage.RunAsync(run, ct);
        await AlertStage.RunAsync(run, ct);
        return run.Summary;
    }
}
