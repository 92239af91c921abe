using System.Text.Json;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Demo;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Cycle;

/// <summary>
/// The cycle's day load (lean SQL reads, usage summed by the database) against the backtest's load of every row through EF,
/// on a varied book: the demo company, with part payments, failed attempts, disputes, credit notes, void and uncollectible
/// invoices, open and solved tickets. Likewise the cycle's reads of stored snapshots and segment history against EF's.
/// </summary>
public sealed class DayLoadTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    [Theory, Providers]
    public async Task The_day_load_gives_every_account_the_same_facts_as_every_row_read(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);

        await using var db = test.Open();
        // What the demo draws rarely, added to a few accounts: a write-off, a charge-back on an unpaid invoice, a dispute ticket,
        // a payment not applied to any invoice.
        foreach (var account in await db.Accounts.OrderBy(a => a.Id).Take(3).ToListAsync())
        {
            var n = account.ExternalId;
            db.Invoices.Add(new Invoice($"INV-WO-{n}", account.Id, AsOf.AddDays(-100), AsOf.AddDays(-70), new Money(12_500m, account.Currency), null, InvoiceStatus.Uncollectible));
            var unpaid = db.Invoices.Add(new Invoice($"INV-CB-{n}", account.Id, AsOf.AddDays(-40), AsOf.AddDays(-25), new Money(900m, account.Currency), null, InvoiceStatus.Open)).Entity;
            await db.SaveChangesAsync();
            db.Payments.Add(new Payment($"PAY-CB-{n}", account.Id, unpaid.Id, new Money(900m, account.Currency), AsOf.AddDays(-20), PaymentMethod.Card, PaymentStatus.Failed, "Chargeback"));
            db.Payments.Add(new Payment($"PAY-UA-{n}", account.Id, null, new Money(50m, account.Currency), AsOf.AddDays(-10), PaymentMethod.Wire, PaymentStatus.Succeeded, null));
            db.Tickets.Add(new Engagement.Ticket($"TKT-D-{n}", account.Id, AsOf.AddDays(-15), Engagement.TicketPriority.High, Engagement.TicketStatus.Open, null, "Billing DISPUTE on the last invoice"));
        }
        await db.SaveChangesAsync();
        // The book holds what the rules distinguish, so the comparison below covers it.
        Assert.True(await db.CreditNotes.AnyAsync());
        Assert.True(await db.Payments.AnyAsync(p => p.Status == PaymentStatus.Failed));
        Assert.True(await db.Invoices.AnyAsync(i => i.Status == InvoiceStatus.Uncollectible));
        Assert.True(await db.Invoices.AnyAsync(i => i.Status == InvoiceStatus.Void));
        var partly = await db.Payments.Where(p => p.Status == PaymentStatus.Succeeded && p.InvoiceId != null)
            .GroupBy(p => p.InvoiceId).CountAsync(g => g.Count() > 1);
        Assert.True(partly > 0);

        var settings = Settings;
        var all = AccountSelection.Range(0, long.MaxValue);
        var full = await AccountHistoryLoader.LoadHistoryAsync(db, all, AsOf, settings, CancellationToken.None);
        var ids = full.Select(h => h.Account.Id).ToArray();
        // The usage windows as shipped, and configured so that two windows end together (30 recent days) and the baseline
        // ends inside the 90-day span (30 + 45 days): the SQL sums each window from the shared ends as the rows do.
        var otherWindows = settings with { Health = new CsmPayments.Health.HealthOptions { SilentChurn = { NoActiveUsersDays = 30, BaselineDays = 45 } } };
        foreach (var (day, windows) in new[] { (AsOf, settings), (AsOf.AddDays(-45), settings), (AsOf.AddDays(-200), settings), (AsOf, otherWindows), (AsOf.AddDays(-12), otherWindows) })
        {
            foreach (var selection in new[] { all, AccountSelection.Of(ids.Where((_, i) => i % 3 == 0)) })
            {
                var lean = await AccountHistoryLoader.LoadDayAsync(db, selection, day, windows, CancellationToken.None);
                var expected = full.Where(h => selection.Ids is null || selection.Ids.Contains(h.Account.Id)).ToList();
                Assert.Equal(expected.Select(h => h.Account), lean.Select(h => h.Account));
                foreach (var (l, f) in lean.Zip(expected))
                {
                    Assert.Equal(Facts(f, day, windows), Facts(l, day, windows));
                    var fromFull = AccountEvaluator.Evaluate(f, day, windows);
                    var fromLean = AccountEvaluator.Evaluate(l, day, windows);
                    Assert.Equal((fromFull.Segments, fromFull.Health.Score, fromFull.Health.Signals, fromFull.Health.Explanation),
                        (fromLean.Segments, fromLean.Health.Score, fromLean.Health.Signals, fromLean.Health.Explanation));
                }
            }
        }
    }

    [Theory, Providers]
    public async Task The_cycle_reads_stored_days_and_segment_history_as_the_model_does(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);
        foreach (var day in new[] { AsOf.AddDays(-60), AsOf.AddDays(-30), AsOf.AddDays(-7), AsOf })
            await DailyCycle.RunAsync(new CycleRun(test.Database, day, Settings, false), CancellationToken.None);

        await using var db = test.Open();
        // Some accounts changed segments over the days, so "the latest row on or before the day" is put to the test.
        Assert.True(await db.SegmentAssignments.GroupBy(s => s.AccountId).CountAsync(g => g.Count() > 1) > 0);
        var ids = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync();
        foreach (var selection in new[] { AccountSelection.Range(0, long.MaxValue), AccountSelection.Of(ids.Where((_, i) => i % 3 == 1)) })
        {
            bool Selected(long id) => selection.Ids is null || selection.Ids.Contains(id);
            foreach (var day in new[] { AsOf.AddDays(-61), AsOf.AddDays(-30), AsOf.AddDays(-8), AsOf.AddDays(-7), AsOf })
            {
                var stored = (await db.HealthSnapshots.AsNoTracking().Where(s => s.AsOf == day).ToListAsync()).Where(s => Selected(s.AccountId)).ToList();
                var earlier = await HealthStage.EarlierResultsAsync(db, selection, day, CancellationToken.None);
                Assert.Equal(stored.ToDictionary(s => s.AccountId, s => (s.Score, s.Band, s.PaymentHealth, Components(s.Components()), s.Onboarding)),
                    earlier.ToDictionary(e => e.Key, e => (e.Value.Score, e.Value.Band, e.Value.PaymentHealth, Components(e.Value.Components), e.Value.Onboarding)));
                Assert.Equal(stored.ToDictionary(s => s.AccountId, s => s.Band), (await HealthStage.PreviousOnAsync(db, selection, day, CancellationToken.None)).ToDictionary(p => p.Key, p => p.Value.Band));

                var segments = (await CsmPayments.Segments.SegmentAssignments.AsOfAsync(db, day, CancellationToken.None))
                    .Where(s => Selected(s.Key)).ToDictionary(s => s.Key, s => s.Value.Segments);
                Assert.Equal(segments, await HealthStage.SegmentsOnAsync(db, selection, day, CancellationToken.None));
            }
        }
    }

    private static string Components(IReadOnlyDictionary<CsmPayments.Health.HealthComponent, int?> components) =>
        string.Join(", ", components.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"));

    private static EvaluationSettings Settings => CycleBook.Settings with { Rates = CycleBook.DemoRates };


    /// <summary>Every fact of the day, lists included, in one comparable text.</summary>
    private static string Facts(AccountHistory history, DateOnly day, EvaluationSettings settings)
    {
        var (health, segments) = AccountEvaluator.Facts(history, day, settings);
        return JsonSerializer.Serialize(new { health, segments, segments.Behaviour, segments.CreditRisk });
    }
}
