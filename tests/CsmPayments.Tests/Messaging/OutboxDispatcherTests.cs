using CsmPayments.Audit;
using CsmPayments.Collections;
using CsmPayments.Messaging;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
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

    private static OutboxDispatcher DyingAt(CollectionsWorld world, SmtpTestServer smtp, string stage) =>
        new(world.Database.Database, Smtp(smtp.Port), world.Clock)
        {
            Stage = (at, _) => at == stage ? throw new ProcessDied(at) : Task.CompletedTask,
        };

    private static async Task<List<string>> AuditAsync(CollectionsWorld world)
    {
        await using var db = world.Database.Open();
        return await db.AuditEntries.OrderBy(a => a.Id).Select(a => a.Action + " by " + a.Actor).ToListAsync();
    }

    [Theory, Providers]
    public async Task A_crash_after_the_server_accepted_makes_the_message_uncertain_not_resent_until_a_person_marks_it_sent(StorageProvider provider)
    {
        await using var world = await WorldWithOverdueAccountsAsync(provider, 1);
        await using var smtp = await SmtpTestServer.StartAsync();
        await world.RunDayAsync(Start);
        await Assert.ThrowsAsync<ProcessDied>(() => DyingAt(world, smtp, "accepted").DeliverDueAsync());

        world.Clock.Advance(OutboxDispatcher.Lease + TimeSpan.FromSeconds(1));
        var restarted = await world.Dispatcher(smtp.Port).DeliverDueAsync();
        world.Clock.Advance(TimeSpan.FromHours(2));
        var later = await world.Dispatcher(smtp.Port).DeliverDueAsync();

        Assert.Equal((0, 1), (restarted.Sent, restarted.Uncertain));
        Assert.Equal((0, 0, 0), (later.Sent, later.Retrying, later.Uncertain));
        Assert.Single(smtp.Received());
        var uncertain = await SingleMessageAsync(world);
        Assert.Equal(OutboxStatus.Uncertain, uncertain.Status);
        Assert.Contains("the server may have it", uncertain.LastError);

        var listed = await CliRun.RunAsync(CliRun.Settings(world.Database), At(Start), "outbox", "list", "--state", "uncertain");
        Assert.Equal(0, listed.ExitCode);
        Assert.StartsWith($"{uncertain.Id}\tuncertain\tap@customer-001.test\t{uncertain.Subject}", listed.Output);
        var marked = await CliRun.RunAsync(CliRun.Settings(world.Database), At(Start), "outbox", "mark-sent", "--id", $"{uncertain.Id}", "--user", "carla@northwind.test");
        Assert.Equal((0, $"Message {uncertain.Id} to ap@customer-001.test is recorded as sent.\n"), (marked.ExitCode, marked.Output));

        Assert.Equal(0, (await world.Dispatcher(smtp.Port).DeliverDueAsync()).Sent);
        Assert.Single(smtp.Received());
        var sent = await SingleMessageAsync(world);
        Assert.Equal((OutboxStatus.Sent, "marked sent by carla@northwind.test"), (sent.Status, sent.ResolvedBy));
        Assert.Equal(["reminder.queued by system", "message.uncertain by system", "message.marked_sent by carla@northwind.test"], await AuditAsync(world));
    }

    [Theory, Providers]
    public async Task A_crash_after_the_hand_over_was_recorded_is_uncertain_and_a_person_resends_it_once_under_the_same_message_id(StorageProvider provider)
    {
        await using var world = await WorldWithOverdueAccountsAsync(provider, 1);
        await using var smtp = await SmtpTestServer.StartAsync();
        await world.RunDayAsync(Start);
        await Assert.ThrowsAsync<ProcessDied>(() => DyingAt(world, smtp, "handing-over").DeliverDueAsync());
        Assert.NotNull((await SingleMessageAsync(world)).HandedOverAt);

        world.Clock.Advance(OutboxDispatcher.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await world.Dispatcher(smtp.Port).DeliverDueAsync()).Uncertain);
        Assert.Empty(smtp.Received()); // it never got there, but nobody can know that without looking

        var refused = await CliRun.RunAsync(CliRun.Settings(world.Database), At(Start), "outbox", "mark-sent", "--id", "999", "--user", "carla@northwind.test");
        Assert.Equal((2, "csm-payments: there is no outbox message 999"), (refused.ExitCode, refused.Error.Trim()));
        var message = await SingleMessageAsync(world);
        var resent = await CliRun.RunAsync(CliRun.Settings(world.Database), At(Start), "outbox", "resend", "--id", $"{message.Id}", "--user", "conor@northwind.test");
        Assert.Equal(0, resent.ExitCode);
        Assert.Equal(1, (await world.Dispatcher(smtp.Port).DeliverDueAsync()).Sent);
        Assert.Equal(0, (await world.Dispatcher(smtp.Port).DeliverDueAsync()).Sent);

        Assert.Equal([message.MessageId], smtp.Received().Select(m => m.MessageId));
        var sent = await SingleMessageAsync(world);
        Assert.Equal((OutboxStatus.Sent, "resent by conor@northwind.test"), (sent.Status, sent.ResolvedBy));
        Assert.Contains("message.resent by conor@northwind.test", await AuditAsync(world));
        var again = await CliRun.RunAsync(CliRun.Settings(world.Database), At(Start), "outbox", "resend", "--id", $"{message.Id}", "--user", "conor@northwind.test");
        Assert.Equal((2, $"csm-payments: message {message.Id} is sent; only an uncertain or failed message is resent by hand"), (again.ExitCode, again.Error.Trim()));
    }

    [Theory, Providers]
    public async Task A_connection_that_breaks_after_the_message_data_was_sent_makes_it_uncertain_not_resent(StorageProvider provider)
    {
        await using var world = await WorldWithOverdueAccountsAsync(provider, 2);
        await using var smtp = await SmtpTestServer.StartDroppingAfterDataAsync();
        await world.RunDayAsync(Start);

        var result = await world.Dispatcher(smtp.Port).DeliverDueAsync();
        world.Clock.Advance(TimeSpan.FromHours(2));
        var later = await world.Dispatcher(smtp.Port).DeliverDueAsync();

        // The first message was transferred and the answer never came: uncertain. The second never reached the server
        // (the connection was gone), so it is retried as usual.
        Assert.Equal((0, 1, 1), (result.Sent, result.Uncertain, result.Retrying));
        Assert.Equal((1, 0), (later.Uncertain, later.Retrying)); // the retry met the same server
        await using var db = world.Database.Open();
        var states = await db.OutboxMessages.OrderBy(m => m.Id).Select(m => m.Status).ToListAsync();
        Assert.Equal([OutboxStatus.Uncertain, OutboxStatus.Uncertain], states);
        Assert.Contains("may have accepted it", (await db.OutboxMessages.OrderBy(m => m.Id).FirstAsync()).LastError);
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

        // Ranges of two accounts, one at a time: dies after the first range (accounts 1 and 2) committed, then again inside
        // the second range's transaction (accounts 3 and 4).
        var afterSecond = new CollectionCycle(world.Database.Database, world.Playbook, world.Templates, world.Organisation, world.Links, world.Clock)
        {
            RangeSize = 2,
            RangesAtOnce = 1,
            Stage = (stage, account) => stage == "committed" && account == ids[1] ? throw new ProcessDied(stage) : Task.CompletedTask,
        };
        await Assert.ThrowsAsync<ProcessDied>(() => afterSecond.RunAsync(Start));
        var insideFourth = new CollectionCycle(world.Database.Database, world.Playbook, world.Templates, world.Organisation, world.Links, world.Clock)
        {
            RangeSize = 2,
            RangesAtOnce = 1,
            Stage = (stage, account) => stage == "before-commit" && account == ids[3] ? throw new ProcessDied(stage) : Task.CompletedTask,
        };
        await Assert.ThrowsAsync<ProcessDied>(() => insideFourth.RunAsync(Start));
        await using (var db = world.Database.Open())
        {
            Assert.Equal(ids[..2], await db.OutboxMessages.Select(m => m.AccountId).OrderBy(a => a).ToArrayAsync());
            Assert.False(await db.CollectionStepsDone.AnyAsync(d => d.AccountId == ids[2] || d.AccountId == ids[3]));
            Assert.False(await db.AuditEntries.AnyAsync(a => a.AccountId == ids[2] || a.AccountId == ids[3]));
        }

        var restart = await world.Cycle().RunAsync(Start);
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        Assert.Equal(ids[2..], restart.Items.Where(i => i.Kind == CycleItemKind.Email).Select(i => i.AccountId).Order());
        var received = smtp.Received();
        Assert.Equal(6, received.Count);
        Assert.Equal(6, received.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
    }
    [Theory, Providers]
    public async Task A_cycle_that_dies_while_ranges_run_at_once_neither_loses_nor_repeats_a_message_on_restart(StorageProvider provider)
    {
        await using var world = await WorldWithOverdueAccountsAsync(provider, 8);
        await using var smtp = await SmtpTestServer.StartAsync();
        long[] ids;
        await using (var db = world.Database.Open())
            ids = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync();

        // Four ranges of two accounts, two at a time (on PostgreSQL): the run dies once the second range has committed,
        // while another range may be half way; which ranges got done first is up to the scheduler.
        var dies = new CollectionCycle(world.Database.Database, world.Playbook, world.Templates, world.Organisation, world.Links, world.Clock)
        {
            RangeSize = 2,
            RangesAtOnce = 2,
            Stage = (stage, account) => stage == "committed" && account == ids[3] ? throw new ProcessDied(stage) : Task.CompletedTask,
        };
        await Assert.ThrowsAsync<ProcessDied>(() => dies.RunAsync(Start));
        long[] before;
        await using (var db = world.Database.Open())
        {
            before = await db.OutboxMessages.Select(m => m.AccountId).OrderBy(a => a).ToArrayAsync();
            Assert.Contains(ids[2], before);
            Assert.Contains(ids[3], before);
            // Every account with a message has its step recorded with it, and none without.
            Assert.Equal(before, await db.CollectionStepsDone.Select(d => d.AccountId).Distinct().OrderBy(a => a).ToArrayAsync());
        }

        var restart = await world.Cycle().RunAsync(Start);
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        Assert.Equal(ids.Except(before).Order(), restart.Items.Where(i => i.Kind == CycleItemKind.Email).Select(i => i.AccountId).Order());
        var received = smtp.Received();
        Assert.Equal(8, received.Count);
        Assert.Equal(8, received.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
    }
}
