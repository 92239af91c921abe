using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Infrastructure;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Workflows;

/// <summary>The workflow verbs, the audit log and <c>report collections</c> through the real command line.</summary>
public sealed class WorkflowCommandTests
{
    private static Task<CliRun> Run(CollectionsWorld world, DateOnly today, params string[] args) =>
        CliRun.RunAsync(CliRun.Settings(world.Database), At(today), args);

    [Theory, Providers]
    public async Task Promise_and_dispute_pause_the_ladder_and_show_in_the_report_and_the_audit_log(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var acme = await world.AccountAsync("Acme");
        await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-60), Start.AddDays(-25), 800m);
        await world.InvoiceAsync(acme, "INV-2", Start.AddDays(-40), Start.AddDays(-5), 150m);
        var globex = await world.AccountAsync("Globex");
        await world.InvoiceAsync(globex, "INV-3", Start.AddDays(-40), Start.AddDays(-5), 90m);

        var before = await Run(world, Start, "report", "collections", "--format", "csv");
        Assert.Equal(0, before.ExitCode);
        Assert.Equal("acme,Acme,low,low-gentle,low-gentle,2026-01-05,INV-1,", before.Output.Split('\n')[1]);

        var promise = await Run(world, Start, "promise", "--account", "globex", "--amount", "90", "--by", "2026-01-20", "--user", "casey@northwind.test", "--note", "paying with the next run");
        Assert.Equal((0, "Promise 1 recorded: 90.00 USD by 2026-01-20. Reminders for globex pause until then."), (promise.ExitCode, promise.Output.Trim()));
        var dispute = await Run(world, Start, "dispute", "open", "--invoice", "INV-1", "--reason", "PO missing", "--user", "carla@northwind.test");
        Assert.Equal(0, dispute.ExitCode);

        var report = await Run(world, Start, "report", "collections", "--as-of", "2026-01-05", "--format", "csv");
        var lines = report.Output.Trim().Split('\n');
        Assert.Equal("account,name,tier,stage,next_step,next_on,next_invoice,pauses", lines[0]);
        Assert.Equal("acme,Acme,low,low-gentle,low-gentle,2026-01-05,INV-2,INV-1: disputed since 2026-01-05: PO missing", lines[1]);
        Assert.Equal("globex,Globex,low,—,,,,INV-3: promise to pay 90.00 USD by 2026-01-20", lines[2]);

        var audit = await Run(world, Start, "audit", "--account", "globex", "--format", "csv");
        Assert.Equal(0, audit.ExitCode);
        Assert.Equal("2026-01-05 06:00:00Z,casey@northwind.test,promise.recorded,promise to pay 90.00 USD by 2026-01-20: paying with the next run,90.00,USD",
            audit.Output.Trim().Split('\n')[1]);
    }

    [Theory, Providers]
    public async Task A_refused_step_is_one_clear_line(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await world.AccountAsync("Acme");

        var unknown = await Run(world, Start, "promise", "--account", "nobody", "--amount", "10", "--by", "2026-02-01", "--user", "casey@northwind.test");
        Assert.Equal((2, "csm-payments: there is no account nobody"), (unknown.ExitCode, unknown.Error.Trim()));
        var past = await Run(world, Start, "promise", "--account", "acme", "--amount", "10", "--by", "2026-01-01", "--user", "casey@northwind.test");
        Assert.Equal("csm-payments: a promise to pay by 2026-01-01 is in the past on 2026-01-05", past.Error.Trim());
        var amount = await Run(world, Start, "promise", "--account", "acme", "--amount", "ten", "--by", "2026-02-01", "--user", "casey@northwind.test");
        Assert.Equal("csm-payments: --amount 'ten' is not an amount: use digits with '.' for decimals, e.g. 1250.00", amount.Error.Trim());
        var outcome = await Run(world, Start, "cancellation", "outcome", "--id", "1", "--outcome", "maybe", "--user", "casey@northwind.test");
        Assert.Equal("csm-payments: --outcome 'maybe' is not an outcome: use saved, downgraded or cancelled", outcome.Error.Trim());
    }

    [Theory, Providers]
    public async Task Plan_and_cancellation_run_end_to_end_from_the_command_line(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var acme = await world.AccountAsync("Acme");
        await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-60), Start.AddDays(-25), 40_000m);

        var plan = await Run(world, Start, "plan", "propose", "--account", "acme", "--instalments", "4", "--first", "2026-01-15", "--user", "casey@northwind.test");
        Assert.Equal("Payment plan 1 awaits finance approval (10,000.00 USD on 2026-01-15, 10,000.00 USD on 2026-02-14, 10,000.00 USD on 2026-03-16, 10,000.00 USD on 2026-04-15).", plan.Output.Trim());
        var refused = await Run(world, Start, "plan", "approve", "--id", "1", "--user", "casey@northwind.test");
        Assert.Equal("csm-payments: a CSM cannot approve this plan: the total 40000.00 is above the CSM limit of 25000.00; finance must approve it", refused.Error.Trim());
        Assert.Equal("Payment plan 1 is approved.", (await Run(world, Start, "plan", "approve", "--id", "1", "--user", "fiona@northwind.test")).Output.Trim());

        Assert.Equal(0, (await Run(world, Start, "cancellation", "request", "--subscription", "sub-acme", "--reason", "Budget cut", "--user", "casey@northwind.test")).ExitCode);
        var tasks = await Run(world, Start, "task", "list", "--user", "casey@northwind.test");
        Assert.Contains("due 2026-01-08\tcasey@northwind.test\tAcme asked to cancel sub-acme: make the save call", tasks.Output);
        Assert.Equal(0, (await Run(world, Start, "cancellation", "outcome", "--id", "1", "--outcome", "downgraded", "--mrr", "400", "--effective", "2026-02-01", "--user", "casey@northwind.test")).ExitCode);
        var carried = await Run(world, Start, "cancellation", "carry-out", "--id", "1", "--user", "conor@northwind.test");
        Assert.Equal("Cancellation request 1 carried out from 2026-02-01.", carried.Output.Trim());

        var audit = await Run(world, Start, "audit", "--account", "acme", "--format", "json");
        foreach (var action in new[] { "plan.proposed", "plan.approved", "cancellation.requested", "cancellation.outcome", "cancellation.carried_out" })
            Assert.Contains($"\"action\":\"{action}\"", audit.Output);
    }
}
