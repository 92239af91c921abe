using CsmPayments.Cli;
using CsmPayments.Cli.Reports;
using CsmPayments.Collections;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Collections;

public sealed class CycleOutputTests
{
    [Fact]
    public async Task A_dry_run_prints_each_message_and_task_it_would_create()
    {
        await using var world = await CollectionsWorld.CreateAsync(StorageProvider.Sqlite);
        var acme = await world.AccountAsync("Acme");
        await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);
        var dry = await world.RunDayAsync(Start, dryRun: true);
        var output = new StringWriter();
        var context = new CliContext(CliContext.BuildConfiguration(), new FakeTimeProvider(At(Start)), output, new StringWriter(), interactive: false);

        await CollectionsOutput.WriteCycleAsync(dry, context);

        Assert.Equal(
            [
                "Collections 2026-01-05 (dry run: nothing changed): 1 message(s), 1 task(s), 0 decision(s) would happen.",
                "  email          Acme: ladder-30-csm to ap@acme.test from Casey Morgan (Customer Success Manager) for INV-1",
                "  task           Acme: task for casey@northwind.test: Acme: Remind the customer of the overdue invoices (30 days) - by email or on your next call",
            ],
            output.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Theory, Providers]
    public async Task A_run_that_does_more_than_it_lists_counts_everything_and_says_where_the_rest_is(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        foreach (var name in new[] { "Acme", "Globex", "Initech" })
        {
            var account = await world.AccountAsync(name);
            await world.InvoiceAsync(account, $"INV-{name}", Start.AddDays(-60), Start.AddDays(-30), 800m);
        }
        world.Clock.SetUtcNow(At(Start));
        var all = await world.Cycle().RunAsync(Start, dryRun: true);
        var result = await world.Cycle().RunAsync(Start, itemsKept: 2);
        var output = new StringWriter();
        var context = new CliContext(CliContext.BuildConfiguration(), new FakeTimeProvider(At(Start)), output, new StringWriter(), interactive: false);

        await CollectionsOutput.WriteCycleAsync(result, context);

        // Three reminders and three tasks were recorded; the first two (in account order) are listed, all six counted.
        Assert.Equal(6, all.Items.Count);
        Assert.Equal(all.Items.Take(2).Select(i => i.Key), result.Items.Select(i => i.Key));
        Assert.Equal((3, 3, 4), (result.Count(CycleItemKind.Email), result.Count(CycleItemKind.Task), result.LeftOut));
        await using (var db = world.Database.Open())
            Assert.Equal(3, db.OutboxMessages.Count());
        var lines = output.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal("Collections 2026-01-05: 3 message(s), 3 task(s), 0 decision(s) did happen.", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal("  … and 4 more, not listed here: every message is in the outbox (outbox list), every task in the task list (task list), " +
                     "every decision in its account's audit log (audit).", lines[3]);
    }
}
