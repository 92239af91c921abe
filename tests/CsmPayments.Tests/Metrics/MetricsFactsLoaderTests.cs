using CsmPayments.Billing;
using CsmPayments.Metrics;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Metrics.LedgerBuilder;

namespace CsmPayments.Tests.Metrics;

public sealed class MetricsFactsLoaderTests
{
    [Theory, Providers]
    public async Task Reads_only_what_can_still_owe_or_was_invoiced_after_the_horizon(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await ReportCommandTests.SeedAsync(test);
        await using var db = test.Open();
        var numbers = await db.Invoices.ToDictionaryAsync(i => i.Id, i => i.Number);

        var facts = await MetricsFactsLoader.LoadReceivablesAsync(db, D("2025-12-31"), D("2026-03-31"), CancellationToken.None);

        // Left out: INV-P (450 paid + 50 credited by 2025-10-25 covers its 500) and INV-7 (issued after the as-of date).
        // The void INV-5 is read: it was issued after the horizon, and "invoiced in" must see (and skip) it.
        Assert.Equal(["INV-0", "INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-6", "INV-B1"],
            facts.Invoices.Select(i => numbers[i.Id]).Order(StringComparer.Ordinal));
        // Only successful applied payments dated by the as-of date, on invoices that were read.
        Assert.Equal([("INV-1", 600.00m), ("INV-2", 2000.00m), ("INV-3", 1000.00m)],
            facts.Payments.Select(p => (numbers[p.InvoiceId!.Value], p.Amount)).Order());
        Assert.Equal([("INV-1", 100.00m)], facts.CreditNotes.Select(c => (numbers[c.InvoiceId], c.Amount)));
    }

    [Theory, Providers]
    public async Task Figures_from_the_loaded_facts_equal_those_from_every_row(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await ReportCommandTests.SeedAsync(test);
        await using var db = test.Open();
        var everything = new MetricsFacts(
            await db.Invoices.AsNoTracking().Select(i => InvoiceFacts.Of(i)).ToListAsync(),
            await db.Payments.AsNoTracking().Select(p => PaymentFacts.Of(p)).ToListAsync(),
            await db.CreditNotes.AsNoTracking().Select(c => CreditNoteFacts.Of(c)).ToListAsync(),
            await db.Subscriptions.AsNoTracking().Select(s => SubscriptionFacts.Of(s)).ToListAsync());

        // A horizon of 02-15 leaves out INV-2 too (paid in full on 02-10); the figures from 02-15 on must not move.
        var period = new ReportPeriod(D("2026-02-15"), D("2026-03-31"));
        var loaded = await MetricsFactsLoader.LoadAsync(db, period, 30, CancellationToken.None);

        Assert.DoesNotContain(loaded.Invoices, i => i.Amount == 2000.00m && i.IssueDate == D("2026-01-01"));
        Assert.Equal(CollectionMetrics.Compute(period, 30, everything, Rates), CollectionMetrics.Compute(period, 30, loaded, Rates));
        var fromAll = ArAging.Compute(period.AsOf, everything, Rates);
        var fromLoaded = ArAging.Compute(period.AsOf, loaded, Rates);
        Assert.Equal(7630.00m, fromLoaded.Total.Amount);
        Assert.Equal(fromAll.Buckets, fromLoaded.Buckets);
        Assert.Equal(fromAll.Accounts.Select(a => (a.AccountId, a.Currency, a.Total)), fromLoaded.Accounts.Select(a => (a.AccountId, a.Currency, a.Total)));
        var retentionAll = RetentionMetrics.Compute(period, everything.Subscriptions, Rates);
        var retentionLoaded = RetentionMetrics.Compute(period, loaded.Subscriptions, Rates);
        Assert.Equal((retentionAll.Grr, retentionAll.Nrr, retentionAll.LogoChurn, retentionAll.DelinquentChurn),
            (retentionLoaded.Grr, retentionLoaded.Nrr, retentionLoaded.LogoChurn, retentionLoaded.DelinquentChurn));
        // From 02-15: A 1000, B 750 EUR = 810 (upgraded before), C 600; D ended on 02-15 and is not counted. C churns: (2410 − 600) / 2410.
        Assert.Equal(1810m / 2410m, retentionLoaded.Grr);
    }
}
