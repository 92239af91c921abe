using CsmPayments.Cli;
using CsmPayments.Cli.Reports;
using CsmPayments.Storage;
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
}
