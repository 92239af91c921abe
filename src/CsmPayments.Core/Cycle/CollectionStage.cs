using CsmPayments.Collections;
using CsmPayments.Messaging;
using CsmPayments.Workflows;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cycle;

/// <summary>
/// The collection part of the daily run: each account's playbook for the risk tier the health stage gave it, every action
/// recorded with its outbox message (<see cref="CollectionCycle"/>). It runs beside the health stage, each range once the
/// health stage has evaluated its accounts (<see cref="CycleRun.CollectingBesideHealth"/>); on SQLite its ranges write in
/// the health stage's transaction (<see cref="CycleRun.HeldWriteLock"/>). Accounts whose promise to pay broke today are
/// kept on the run, so the alert stage raises the CSM's alert the same day. Runs only in the full daily run (a refresh of
/// a few accounts after an event sends nothing).
/// </summary>
public static class CollectionStage
{
    /// <summary>
    /// The renewal invoices whose day has come, issued before the health stage reads the ledger: the day's health and the
    /// invoices it finds owed include them, and the collection stage delivers them the same day.
    /// </summary>
    public static async Task IssueRenewalInvoicesAsync(CycleRun run, CancellationToken ct)
    {
        if (!run.CollectsToday || run.Collections is not { } collections) return;
        // Before the health stage holds SQLite's write lock: a first key is written through a connection of its own.
        collections.EnsurePaymentLinkKey();
        run.RenewalsIssued.AddRange(await collections.IssueRenewalInvoicesAsync(run.AsOf, run.DryRun, owed: null, ct));
    }

    /// <summary>Starts the stage beside the health stage, which gives it the tiers as it goes (<see cref="CycleRun.Tiers"/>).</summary>
    public static Task StartBesideHealth(CycleRun run, CancellationToken ct) => Task.Run(() => CollectAsync(run, ct), CancellationToken.None);

    public static async Task RunAsync(CycleRun run, CancellationToken ct)
    {
        if (run.CollectingBesideHealth is { } beside) await beside;
        else await CollectAsync(run, ct);
        // Read once what the stage wrote is committed (on SQLite, with the health stage's transaction).
        if (run.DryRun || run.CollectionsResult is null) return;
        await using var db = run.Database.Open();
        var asOf = run.AsOf;
        var broken = await db.PromisesToPay.AsNoTracking()
            .Where(p => p.State == PromiseState.Broken && p.ClosedOn == asOf)
            .Select(p => p.AccountId).Distinct().ToListAsync(ct);
        run.BrokenPromiseAccounts.UnionWith(broken);
    }

    private static async Task CollectAsync(CycleRun run, CancellationToken ct)
    {
        if (!run.CollectsToday || run.Collections is not { } collections) return;
        run.CollectionsResult = await collections.RunAsync(run.AsOf, run.DryRun, ct, owed: run.Owed,
            time: (step, time) => run.Summary.Time("collections: " + step, time), itemsKept: run.CollectionItemsListed, arriving: run.Tiers,
            renewalsIssued: run.RenewalsIssued, held: run.HeldWriteLock);
    }
}

/// <summary>Delivers what the run queued before it ends (never in a dry run); what fails stays queued with its back-off.</summary>
public static class DeliveryStage
{
    public static async Task RunAsync(CycleRun run, CancellationToken ct)
    {
        if (run.Dispatcher is not { } dispatcher || run.DryRun || run.Accounts is not null) return;
        run.Delivery = await dispatcher.DeliverDueAsync(ct);
    }
}

/// <summary>
/// What collections knows that health scores: broken promises to pay (within <see cref="BrokenPromiseDays"/> days) and
/// open disputes, per account, read once for the day and handed to the evaluation as counts.
/// </summary>
public static class CollectionSignals
{
    public const int BrokenPromiseDays = 90;

    public static async Task<EvaluationSettings> WithCollectionsAsync(this EvaluationSettings settings, Storage.Database database, DateOnly asOf,
        CancellationToken ct)
    {
        await using var db = database.Open();
        var since = asOf.AddDays(-BrokenPromiseDays);
        var broken = await db.PromisesToPay.AsNoTracking()
            .Where(p => p.State == PromiseState.Broken && p.ClosedOn > since && p.ClosedOn <= asOf)
            .GroupBy(p => p.AccountId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var disputes = await db.Disputes.AsNoTracking()
            .Where(d => d.OpenedOn <= asOf && (d.State == DisputeState.Open || d.ResolvedOn > asOf))
            .GroupBy(d => d.AccountId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return settings with
        {
            BrokenPromises = (account, _) => broken.GetValueOrDefault(account),
            OpenDisputes = (account, _) => disputes.GetValueOrDefault(account),
        };
    }
}
