using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Segments;
using CsmPayments.Storage;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Tests.Messaging;
using CsmPayments.Work;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Cycle;

/// <summary>The whole daily run: health, then collections on the tiers health gave, alerts, and delivery before it ends.</summary>
public sealed class DailyCycleCollectionsTests
{
    private static async Task<CycleRun> RunDayAsync(CollectionsWorld world, SmtpTestServer smtp, DateOnly day, bool dryRun = false)
    {
        var now = At(day);
        if (now > world.Clock.GetUtcNow()) world.Clock.SetUtcNow(now);
        var settings = await new EvaluationSettings(new HealthOptions(), new SegmentOptions(), world.Organisation.Rates())
            .WithCollectionsAsync(world.Database.Database, day, CancellationToken.None);
        var run = new CycleRun(world.Database.Database, day, settings, dryRun) { Collections = world.Cycle(), Dispatcher = world.Dispatcher(smtp.Port) };
        await DailyCycle.RunAsync(run, CancellationToken.None);
        return run;
    }

    [Theory, Providers]
    public async Task The_cycle_scores_the_day_then_sends_the_due_reminder_once_and_delivers_it_before_it_ends(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);

        var first = await RunDayAsync(world, smtp, Start);
        var again = await RunDayAsync(world, smtp, Start);

        Assert.Equal(1, first.Summary.AccountsEvaluated);
        Assert.Equal(1, first.Delivery!.Sent);
        Assert.Equal(0, again.Delivery!.Sent);
        Assert.Empty(again.CollectionsResult!.Items);
        var mail = Assert.Single(smtp.Received());
        Assert.Equal("Casey Morgan (Northwind Analytics)", mail.From.Mailboxes.Single().Name);
        Assert.Contains("INV-1", mail.TextBody);
        await using var db = world.Database.Open();
        var snapshot = await db.HealthSnapshots.SingleAsync();
        Assert.Equal(Start, snapshot.AsOf);
        Assert.Contains("overdue_invoice", snapshot.Signals);
        var tier = (await SegmentAssignments.RiskTiersAsync(db, Start, CancellationToken.None))[account];
        Assert.Contains(first.CollectionsResult!.Items, i => i.AccountId == account);
        Assert.Equal(tier, first.Outcomes.Single().RiskTier);
    }

    [Theory, Providers]
    public async Task A_dry_run_lists_the_reminder_and_sends_and_stores_nothing(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);

        var dry = await RunDayAsync(world, smtp, Start, dryRun: true);

        Assert.Contains(dry.CollectionsResult!.Items, i => i.AccountId == account && i.Kind == CsmPayments.Collections.CycleItemKind.Email);
        Assert.Null(dry.Delivery);
        Assert.Empty(smtp.Received());
        await using var db = world.Database.Open();
        Assert.Equal(0, await db.OutboxMessages.CountAsync());
        Assert.Equal(0, await db.HealthSnapshots.CountAsync());
    }

    [Theory, Providers]
    public async Task A_broken_promise_resumes_reminders_and_opens_the_csm_s_alert_the_same_day_and_weighs_on_payment_health(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-30), Start, 800m);
        var sentOn = new List<DateOnly>();
        for (var day = Start.AddDays(1); day <= Start.AddDays(15); day = day.AddDays(1))
        {
            if (day == Start.AddDays(2))
                await world.Workflows().RecordPromiseAsync("acme", 800m, Start.AddDays(10), "casey@northwind.test", null, day);
            var before = smtp.Received().Count;
            await RunDayAsync(world, smtp, day);
            if (smtp.Received().Count > before) sentOn.Add(day);
        }

        // Promised for day 10 with three days' grace: broken on day 14, when the held reminder goes out.
        Assert.Contains(Start.AddDays(14), sentOn);
        Assert.DoesNotContain(sentOn, d => d > Start.AddDays(2) && d < Start.AddDays(14));
        await using var db = world.Database.Open();
        var alert = await db.Alerts.SingleAsync(a => a.Kind == AlertKind.BrokenPromise);
        Assert.Equal((account, world.Csm, Start.AddDays(14), (DateOnly?)null), (alert.AccountId, alert.OwnerId, alert.OpenedOn, alert.ClosedOn));
        var before14 = await db.HealthSnapshots.SingleAsync(s => s.AsOf == Start.AddDays(13));
        var after = await db.HealthSnapshots.SingleAsync(s => s.AsOf == Start.AddDays(15));
        Assert.DoesNotContain("broken_promise", before14.Signals);
        Assert.Contains("broken_promise", after.Signals);
    }
}
