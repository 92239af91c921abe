using CsmPayments.Audit;
using CsmPayments.Collections;
using CsmPayments.Messaging;
using CsmPayments.Storage;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Messaging;

public sealed class OutboxDispatcherTests
{
    private sealed class ProcessDied(string stage) : Exception($"the process died at {stage}");

    private static async Task<CollectionsWorld> WorldWithOverdueAccountsAsync(StorageProvider provider, int accounts)
    {
        var world = await CollectionsWorld.CreateAsync(provider);
        for (var i = 1; i <= accounts; i++)
        {
            var account = await world.AccountAsync($"Customer {i:000}");
            await world.InvoiceAsync(account, $"INV-{i:000}", Start.AddDays(-40), Start.AddDays(-10), 100m + i);
        }
        return world;
    }

    private static async Task<OutboxMessage> SingleMessageAsync(CollectionsWorld world)
    {
        await using var db = world.Database.Open();
        return await db.OutboxMessages.AsNoTracking().SingleAsync();
    }

    [Theory, Providers]
    public async Task Delivery_waits_with_back_off_while_the_server_is_down_and_goes_out_once_it_is_back(StorageProvider provider)
    {
        await using var world = await WorldWithOverdueAccountsAsync(provider, 1);
        await using var smtp = await SmtpTestServer.StartAsync();
        await smtp.StopAsync();
        await world.RunDayAsync(Start);
        var dispatcher = world.Dispatcher(smtp.Port);

        var down = await dispatcher.DeliverDueAsync();
        Assert.Equal((0, 1, 0), (down.Sent, down.Retrying, down.Failed));
        Assert.Contains($"cannot reach the SMTP server 127.0.0.1:{smtp.Port}", down.LastError);
        var waiting = await SingleMessageAsync(world);
        Assert.Equal((OutboxStatus.Pending, 1, world.Clock.GetUtcNow().AddMinutes(1)), (waiting.Status, waiting.Attempts, waiting.NextAttemptAt));

        Assert.Equal(0, (await dispatcher.DeliverDueAsync()).Retrying); // still backing off: not even tried
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await dispatcher.DeliverDueAsync()).Retrying);
        var second = await SingleMessageAsync(world);
        Assert.Equal((2, world.Clock.GetUtcNow().AddMinutes(2)), (second.Attempts, second.NextAttemptAt));

        await smtp.StartAgainAsync();
        world.Clock.Advance(TimeSpan.FromMinutes(2));
        var back = await dispatcher.DeliverDueAsync();

        Assert.Equal((1, 0), (back.Sent, back.Retrying));
        var sent = await SingleMessageAsync(world);
        Assert.Equal((OutboxStatus.Sent, world.Clock.GetUtcNow()), (sent.Status, sent.SentAt!.Value));
        Assert.Equal([sent.MessageId], smtp.Received().Select(m => m.MessageId));
        Assert.Equal(0, (await world.Dispatcher(smtp.Port).DeliverDueAsync()).Sent);
        await using var db = world.Database.Open();
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == AuditActions.ReminderSent));
    }

    [Fact]
    public void Back_off_doubles_up_to_an_hour()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(1, 8).Select(a => (int)OutboxDispatcher.BackOff(a).TotalMinutes));
    }

    [Fact]
    public void Settings_never_show_the_password()
    {
        var smtp = new SmtpOptions { Host = "smtp.example.com", Port = 587, UserName = "mailer", Password = "s3cret-pw", From = "ar@example.com" };
        Assert.DoesNotContain("s3cret-pw", smtp.ToString());
        Assert.Contains("password=***", smtp.ToString());
        Assert.Equal("Smtp:From '' is not an email address", Assert.Throws<SmtpConfigurationException>(() => new SmtpOptions { Host = "h" }.Validate()).Message);
    }

    [Theory, Providers]
    public async Task A_dispatcher_that_dies_after_claiming_leaves_the_message_to_the_next_one_once_its_lease_runs_out(StorageProvider provider)
    {
        await using var world = await WorldWithOverdueAccountsAsync(provider, 1);
        await using var smtp = await SmtpTestServer.StartAsync();
        await world.RunDayAsync(Start);
        var dying = new OutboxDispatcher(world.Database.Database, Smtp(smtp.Port), world.Clock)
        {
            Stage = (stage, _) => stage == "claimed" ? throw new ProcessDied(stage) : Task.CompletedTask,
        };

        await Assert.ThrowsAsync<ProcessDied>(() => dying.DeliverDueAsync());
        Assert.Equal(OutboxStatus.Sending, (await SingleMessageAsync(world)).Status);

        var restarted = world.Dispatcher(smtp.Port);
        Assert.Equal(0, (await restarted.DeliverDueAsync()).Sent); // the lease still holds
        world.Clock.Advance(OutboxDispatcher.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await restarted.DeliverDueAsync()).Sent);
        Assert.Equal(0, (await restarted.DeliverDueAsync()).Sent);

        Assert.Single(smtp.Received());
        Assert.Equal(OutboxStatus.Sent, (await SingleMessageAsync(world)).Status);
    }

    [Theory, Providers]
    public async Task A_crash_after_the_server_accepted_resends_under_the_same_message_id(StorageProvider provider)
    {
        // The one window no outbox closes: the server took the mail, the process died before recording it. The resend
        // carries the same Message-ID, which mail systems use to recognise a duplicate.
        await using var world = await WorldWithOverdueAccountsAsync(provider, 1);
        await using var smtp = await SmtpTestServer.StartAsync();
        await world.RunDayAsync(Start);
        var dying = new OutboxDispatcher(world.Database.Database, Smtp(smtp.Port), world.Clock)
        {
            Stage = (stage, _) => stage == "accepted" ? throw new ProcessDied(stage) : Task.CompletedTask,
        };
        await Assert.ThrowsAsync<ProcessDied>(() => dying.DeliverDueAsync());
        world.Clock.Advance(OutboxDispatcher.Lease + TimeSpan.FromSeconds(1));
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        var received = smtp.Received();
        Assert.Equal(2, received.Count);
        Assert.Single(received.Select(m => m.MessageId).Distinct());
        Assert.Equal(OutboxStatus.Sent, (await SingleMessageAsync(world)).Status);
    }

    [Theory, Providers]
    public async Task Two_cycles_and_two_dispatchers_running_at_once_send_each_message_exactly_once(StorageProvider provider)
    {
        const int accounts = 24;
        await using var world = await WorldWithOverdueAccountsAsync(provider, accounts);
        await using var smtp = await SmtpTestServer.StartAsync();

        var cycles = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => world.Cycle().RunAsync(Start))));
        var dispatchers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => new OutboxDispatcher(world.Database.Database, Smtp(smtp.Port), world.Clock) { BatchSize = 5 }.DeliverDueAsync())));

        Assert.Equal(accounts, cycles.Sum(c => c.Items.Count(i => i.Kind == CycleItemKind.Email)));
        Assert.Equal(accounts, dispatchers.Sum(d => d.Sent));
        var received = smtp.Received();
        Assert.Equal(accounts, received.Count);
        Assert.Equal(accounts, received.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        await using var db = world.Database.Open();
        Assert.Equal(accounts, await db.OutboxMessages.CountAsync(m => m.Status == OutboxStatus.Sent));
    }

    [Theory, Providers]
    public async Task A_cycle_that_dies_and_restarts_neither_loses_nor_repeats_a_message(StorageProvider provider)
    {
        await using var world = await WorldWithOverdueAccountsAsync(provider, 6);
        await using var smtp = await SmtpTestServer.StartAsync();
        long[] ids;
        await using (var db = world.Database.Open())
            ids = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync();

        // Dies after the second account committed, then again inside the fourth account's transaction.
        var afterSecond = new CollectionCycle(world.Database.Database, world.Playbook, world.Templates, world.Organisation, world.Links, world.Clock)
        {
            Stage = (stage, account) => stage == "committed" && account == ids[1] ? throw new ProcessDied(stage) : Task.CompletedTask,
        };
        await Assert.ThrowsAsync<ProcessDied>(() => afterSecond.RunAsync(Start));
        var insideFourth = new CollectionCycle(world.Database.Database, world.Playbook, world.Templates, world.Organisation, world.Links, world.Clock)
        {
            Stage = (stage, account) => stage == "before-commit" && account == ids[3] ? throw new ProcessDied(stage) : Task.CompletedTask,
        };
        await Assert.ThrowsAsync<ProcessDied>(() => insideFourth.RunAsync(Start));
        await using (var db = world.Database.Open())
        {
            Assert.Equal(ids[..3], await db.OutboxMessages.Select(m => m.AccountId).OrderBy(a => a).ToArrayAsync());
            Assert.False(await db.CollectionStepsDone.AnyAsync(d => d.AccountId == ids[3]));
            Assert.False(await db.AuditEntries.AnyAsync(a => a.AccountId == ids[3]));
        }

        var restart = await world.Cycle().RunAsync(Start);
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        Assert.Equal(ids[3..], restart.Items.Where(i => i.Kind == CycleItemKind.Email).Select(i => i.AccountId).Order());
        var received = smtp.Received();
        Assert.Equal(6, received.Count);
        Assert.Equal(6, received.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
    }
}
