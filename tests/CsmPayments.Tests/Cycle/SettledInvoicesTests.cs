using System.Text.Json;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Cycle;

/// <summary>
/// The day each invoice was settled, as the cycle stores it (<see cref="Invoice.SettledOnColumn"/>), and the notes of ledger
/// changes that stop it being trusted: after every run and every change of the ledger, each account's facts from the day
/// load (which leaves out the payments of invoices settled by a trusted day) equal those from every row read, and each
/// stored day equals the one the whole ledger gives.
/// </summary>
public sealed class SettledInvoicesTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    private static EvaluationSettings Settings => CycleBook.Settings with { Rates = CycleBook.DemoRates };

    [Theory, Providers]
    public async Task Stored_settlement_days_stand_for_the_payments_until_a_noted_change_and_the_facts_stay_those_of_every_row(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);
        long[] ids;
        await using (var db = test.Open())
        {
            ids = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync();
            // The import's payments and credit notes were noted by the database, account by account.
            var paying = await db.Payments.Select(p => p.AccountId).Distinct().OrderBy(a => a).ToArrayAsync();
            Assert.NotEmpty(paying);
            Assert.Subset(new HashSet<long>(await NotedAsync(db)), new HashSet<long>(paying));
            Assert.False(await db.Invoices.AnyAsync(i => EF.Property<DateOnly?>(i, CsmDbContext.SettledOnProperty) != null));
        }

        // The first run trusts nothing (every account is noted), reads every payment and stores what it finds.
        var first = AsOf.AddDays(-10);
        var summary = await RunAsync(test, first);
        Assert.Contains(summary.Timings, t => t.Step == "read payments");
        await using (var db = test.Open()) Assert.Empty(await NotedAsync(db));
        var settled = await AssertStoredDaysAreTheLedgersAsync(test, first);
        Assert.True(settled > 50, $"only {settled} invoices settled");
        await AssertSameAsEveryRowAsync(test, first);

        // The next day trusts them: only failed attempts and the payments of unsettled invoices are read.
        summary = await RunAsync(test, first.AddDays(1));
        Assert.Contains(summary.Timings, t => t.Step == "read payments (failed)");
        Assert.DoesNotContain(summary.Timings, t => t.Step == "read payments");
        await AssertSameAsEveryRowAsync(test, first.AddDays(1));

        // Changes of every kind, each noted for its account alone: a payment that settled an invoice deleted, a payment's
        // amount lowered, an open invoice voided, another's amount raised, and a credit note that settles an open invoice.
        var day = first.AddDays(2);
        long[] changed;
        await using (var db = test.Open())
        {
            var settledPayments = await db.Payments.AsNoTracking()
                .Where(p => p.Status == PaymentStatus.Succeeded && p.InvoiceId != null && p.PaidOn < day)
                .Join(db.Invoices.Where(i => EF.Property<DateOnly?>(i, CsmDbContext.SettledOnProperty) != null), p => p.InvoiceId, i => i.Id, (p, i) => p)
                .OrderBy(p => p.Id).ToListAsync();
            var deleted = settledPayments[0];
            var lowered = settledPayments.First(p => p.AccountId != deleted.AccountId);
            var open = await OpenInvoicesAsync(db, day);
            var voided = open.First(i => i.AccountId != deleted.AccountId && i.AccountId != lowered.AccountId);
            var raised = open.First(i => i.AccountId != voided.AccountId && i.AccountId != deleted.AccountId && i.AccountId != lowered.AccountId);
            var credited = open.First(i => i.AccountId != voided.AccountId && i.AccountId != raised.AccountId && i.AccountId != deleted.AccountId
                                           && i.AccountId != lowered.AccountId);
            changed = [.. new[] { deleted.AccountId, lowered.AccountId, voided.AccountId, raised.AccountId, credited.AccountId }.Order()];

            Assert.Equal(1, await db.Payments.Where(p => p.Id == deleted.Id).ExecuteDeleteAsync());
            Assert.Equal(1, await db.Payments.Where(p => p.Id == lowered.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.AmountValue, p => p.AmountValue / 2)));
            Assert.Equal(1, await db.Invoices.Where(i => i.Id == voided.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InvoiceStatus.Void)));
            Assert.Equal(1, await db.Invoices.Where(i => i.Id == raised.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.AmountValue, i => i.AmountValue + 100m)));
            db.CreditNotes.Add(new CreditNote("CN-SETTLES-1", credited.AccountId, credited.Id, new Money(credited.AmountValue, credited.Currency), day.AddDays(-1)));
            await db.SaveChangesAsync();
            // The cycle's own writes of the stored day note nothing.
            Assert.Equal(1, await db.Invoices.Where(i => i.Id == credited.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => EF.Property<DateOnly?>(i, CsmDbContext.SettledOnProperty), (DateOnly?)null)));
            Assert.Equal(changed, (await NotedAsync(db)).Distinct().Order());
        }
        // A dry run reads the notes and leaves them, and writes no day.
        var before = await StoredDaysAsync(test);
        await RunAsync(test, day, dryRun: true);
        await using (var db = test.Open()) Assert.Equal(changed, (await NotedAsync(db)).Distinct().Order());
        Assert.Equal(before, await StoredDaysAsync(test));
        await AssertSameAsEveryRowAsync(test, day);

        summary = await RunAsync(test, day);
        Assert.Contains(summary.Timings, t => t.Step == "read payments (failed)");
        await using (var db = test.Open()) Assert.Empty(await NotedAsync(db));
        await AssertStoredDaysAreTheLedgersAsync(test, day);
        await AssertSameAsEveryRowAsync(test, day);

        // An earlier day replayed: days stored after it are not trusted for it, and stay stored.
        before = await StoredDaysAsync(test);
        await RunAsync(test, first.AddDays(-30));
        await AssertSameAsEveryRowAsync(test, first.AddDays(-30));
        Assert.Equal(before, await StoredDaysAsync(test));

        // A later day again, and a refresh of a few accounts (no write, no notes consumed) in between.
        await using (var db = test.Open())
        {
            var account = ids[7];
            // A payment recorded late, dated the day its invoice was issued: it settles that invoice earlier than stored.
            var invoice = await db.Invoices.Where(i => i.AccountId == account).OrderBy(i => i.Id).Select(i => new { i.Id, i.AmountValue, i.Currency, i.IssueDate }).FirstAsync();
            db.Payments.Add(new Payment("PAY-LATE-1", account, invoice.Id, new Money(invoice.AmountValue, invoice.Currency), invoice.IssueDate,
                PaymentMethod.Wire, PaymentStatus.Succeeded, null));
            await db.SaveChangesAsync();
        }
        await DailyCycle.RunAsync(new CycleRun(test.Database, day.AddDays(1), Settings, false, accounts: AccountSelection.Of([ids[7], ids[8]])),
            CancellationToken.None);
        await using (var db = test.Open()) Assert.Equal([ids[7]], (await NotedAsync(db)).Distinct());
        await AssertSameAsEveryRowAsync(test, day.AddDays(1));
        await RunAsync(test, day.AddDays(1));
        await using (var db = test.Open()) Assert.Empty(await NotedAsync(db));
        await AssertStoredDaysAreTheLedgersAsync(test, day.AddDays(1));
        await AssertSameAsEveryRowAsync(test, day.AddDays(1));
    }

    private static Task<CycleSummary> RunAsync(TestDatabase test, DateOnly day, bool dryRun = false) =>
        DailyCycle.RunAsync(new CycleRun(test.Database, day, Settings, dryRun) { RangeSize = 16 }, CancellationToken.None);

    private static async Task<long[]> NotedAsync(CsmDbContext db) => await db.LedgerChanges.OrderBy(c => c.AccountId).Select(c => c.AccountId).ToArrayAsync();

    private static async Task<Dictionary<long, DateOnly?>> StoredDaysAsync(TestDatabase test)
    {
        await using var db = test.Open();
        return await db.Invoices.AsNoTracking().Select(i => new { i.Id, On = EF.Property<DateOnly?>(i, CsmDbContext.SettledOnProperty) })
            .ToDictionaryAsync(i => i.Id, i => i.On);
    }

    /// <summary>Invoices open on the day with a balance: issued, of status open, and not settled by it.</summary>
    private static async Task<List<Invoice>> OpenInvoicesAsync(CsmDbContext db, DateOnly day)
    {
        var settledBy = await SettledDaysAsync(db);
        var open = await db.Invoices.AsNoTracking().Where(i => i.Status == InvoiceStatus.Open && i.IssueDate <= day).OrderBy(i => i.Id).ToListAsync();
        return [.. open.Where(i => settledBy[i.Id] is not { } on || on > day)];
    }

    /// <summary>
    /// Every invoice's settlement day from the whole ledger, by the plain rule: the first day on which its successful
    /// payments and credit notes up to then reach its amount; none for a void invoice or one never covered.
    /// </summary>
    private static async Task<Dictionary<long, DateOnly?>> SettledDaysAsync(CsmDbContext db)
    {
        var reductions = (await db.Payments.AsNoTracking().Where(p => p.Status == PaymentStatus.Succeeded && p.InvoiceId != null)
                .Select(p => new { Invoice = p.InvoiceId!.Value, On = p.PaidOn, p.AmountValue }).ToListAsync())
            .Concat(await db.CreditNotes.AsNoTracking().Select(c => new { Invoice = c.InvoiceId, On = c.IssuedOn, c.AmountValue }).ToListAsync())
            .ToLookup(r => r.Invoice);
        var result = new Dictionary<long, DateOnly?>();
        foreach (var i in await db.Invoices.AsNoTracking().ToListAsync())
        {
            DateOnly? settled = null;
            if (i.Status != InvoiceStatus.Void)
            {
                var sum = 0m;
                foreach (var r in reductions[i.Id].OrderBy(r => r.On))
                {
                    sum += r.AmountValue;
                    if (sum >= i.AmountValue)
                    {
                        settled = r.On;
                        break;
                    }
                }
            }
            result[i.Id] = settled;
        }
        return result;
    }

    /// <summary>
    /// Each stored day is the ledger's own when that is on or before <paramref name="day"/> (a whole run of that day has
    /// just run), else none; returns how many are stored.
    /// </summary>
    private static async Task<int> AssertStoredDaysAreTheLedgersAsync(TestDatabase test, DateOnly day)
    {
        await using var db = test.Open();
        var ledger = await SettledDaysAsync(db);
        var stored = await StoredDaysAsync(test);
        foreach (var (invoice, on) in stored)
            Assert.True((ledger[invoice] is { } found && found <= day ? found : (DateOnly?)null) == on,
                $"invoice {invoice}: stored {on}, the ledger says {ledger[invoice]}");
        return stored.Values.Count(on => on is not null);
    }

    /// <summary>Every account's facts and evaluation of the day from the day load, as the cycle reads it, and from every row.</summary>
    private static async Task AssertSameAsEveryRowAsync(TestDatabase test, DateOnly day)
    {
        await using var db = test.Open();
        var all = AccountSelection.Range(long.MinValue, long.MaxValue);
        var settings = Settings;
        var full = await AccountHistoryLoader.LoadHistoryAsync(db, all, day, settings, CancellationToken.None);
        var lean = await AccountHistoryLoader.LoadDayAsync(db, all, day, settings, CancellationToken.None);
        Assert.Equal(full.Select(h => h.Account.Id), lean.Select(h => h.Account.Id));
        foreach (var (f, l) in full.Zip(lean))
        {
            Assert.Equal(Facts(f, day, settings), Facts(l, day, settings));
            var fromFull = AccountEvaluator.Evaluate(f, day, settings, noteOwed: true);
            var fromLean = AccountEvaluator.Evaluate(l, day, settings, noteOwed: true);
            Assert.Equal((fromFull.Segments, fromFull.Health.Score, fromFull.Health.Signals, fromFull.Health.Explanation),
                (fromLean.Segments, fromLean.Health.Score, fromLean.Health.Signals, fromLean.Health.Explanation));
            Assert.Equal(fromFull.Owed, fromLean.Owed);
        }
    }

    private static string Facts(AccountHistory history, DateOnly day, EvaluationSettings settings)
    {
        var (health, segments) = AccountEvaluator.Facts(history, day, settings);
        return JsonSerializer.Serialize(new { health, segments, segments.Behaviour, segments.CreditRisk });
    }
}
