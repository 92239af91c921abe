using CsmPayments.Messaging;
using CsmPayments.Scheduling;
using CsmPayments.Storage;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Cycle;
using CsmPayments.Tests.Messaging;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Quartz;
using SchedulingOptions = CsmPayments.Scheduling.SchedulingOptions;

namespace CsmPayments.Tests.Scheduling;

public sealed class SchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Midday of the book's day in UTC: the daily trigger is hours away, so only the firings a test asks for run.</summary>
    private static readonly DateTimeOffset BookDayMidday = new(CycleBook.AsOf.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    private static FakeTimeProvider ClockOnTheBookDay() => new(BookDayMidday);

    /// <summary>
    /// Midday of the book's day, running from there at the machine's pace, for schedulers on PostgreSQL. Quartz's database
    /// store waits on the scheduler's clock before it tries a row lock again (when two nodes insert the same lock row at
    /// once), and on a frozen clock that wait never ends: the node's check-in hangs, its test times out, and its shutdown
    /// fails in Quartz's cluster manager. The daily trigger is still hours away.
    /// </summary>
    private static RunningClock RunningOnTheBookDay() => new(BookDayMidday);

    private static async Task<int> SnapshotsForAsync(TestDatabase database, DateOnly day)
    {
        await using var db = database.Open();
        return await db.HealthSnapshots.AsNoTracking().CountAsync(s => s.AsOf == day);
    }

    private static async Task<long> CountAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Polls <paramref name="condition"/> briefly until it holds, failing after <see cref="Patience"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"still not so after {Patience.TotalSeconds:0} s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Two_clustered_nodes_on_PostgreSQL_run_a_firing_of_the_daily_cycle_once()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Postgres);
        var book = await CycleBook.SeedAsync(database);
        var clock = RunningOnTheBookDay();
        await using var first = await SchedulerHost.StartAsync(database, clock, new Dictionary<string, string?> { ["Scheduling:InstanceId"] = "node-a" });
        await using var second = await SchedulerHost.StartAsync(database, clock, new Dictionary<string, string?> { ["Scheduling:InstanceId"] = "node-b" });

        Assert.Equal("node-a", first.Scheduler.SchedulerInstanceId);
        Assert.Equal("node-b", second.Scheduler.SchedulerInstanceId);
        // Both nodes check in to the cluster (the second may still be on its way in when its host has started).
        var nodes = $"SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = '{SchedulingSetup.SchedulerName}'";
        await UntilAsync(async () => await CountAsync(database, nodes) == 2);

        const int firings = 3;
        for (var i = 0; i < firings; i++) await first.Scheduler.TriggerJob(DailyCycleJob.Key);
        await JobRuns.WaitForAsync(DailyCycleJob.Key, firings, Patience, first.Runs, second.Runs);

        var runs = first.Runs.All.Concat(second.Runs.All).Where(r => r.Job.Equals(DailyCycleJob.Key)).ToList();
        Assert.All(runs, r => Assert.Null(r.Error));
        Assert.Equal(firings, runs.Select(r => r.FireId).Distinct().Count());
        // Nothing is left to fire or still running on either node: the count is final, not a snapshot of a race.
        // (a node records a firing complete just after its listeners hear of it)
        var firing = $"SELECT count(*) FROM qrtz_fired_triggers WHERE job_name = '{DailyCycleJob.Key.Name}'";
        await UntilAsync(async () => await CountAsync(database, firing) == 0);
        Assert.Equal(0, await CountAsync(database,
            $"SELECT count(*) FROM qrtz_triggers WHERE job_name = '{DailyCycleJob.Key.Name}' AND trigger_name <> '{DailyCycleJob.TriggerKey.Name}'"));
        Assert.Equal(firings, first.Runs.Count(DailyCycleJob.Key) + second.Runs.Count(DailyCycleJob.Key));
        await using var db = database.Open();
        Assert.Equal(await db.Accounts.CountAsync(), await SnapshotsForAsync(database, CycleBook.AsOf));
        Assert.Contains(book.A, await db.HealthSnapshots.Where(s => s.AsOf == CycleBook.AsOf).Select(s => s.AccountId).ToListAsync());
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task On_PostgreSQL_a_daily_cycle_cut_off_by_a_dying_node_is_recovered_on_the_cluster_for_its_day_and_repeats_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Postgres);
        await CycleBook.SeedAsync(database);
        var clock = RunningOnTheBookDay();
        long outbox, tasks;
        await using (var first = await SchedulerHost.StartAsync(database, clock, new Dictionary<string, string?> { ["Scheduling:InstanceId"] = "node-a" }))
        {
            var job = await first.Scheduler.GetJobDetail(DailyCycleJob.Key);
            Assert.True(job!.RequestsRecovery);
            Assert.Equal(1, await CountAsync(database, $"SELECT count(*) FROM qrtz_job_details WHERE job_name = '{DailyCycleJob.Key.Name}' AND requests_recovery"));
            // The node that later dies got through the day's run once already (it committed everything, then died on a later firing).
            await first.Scheduler.TriggerJob(DailyCycleJob.Key);
            await JobRuns.WaitForAsync(DailyCycleJob.Key, 1, Patience, first.Runs);
        }
        await using (var db = database.Open())
        {
            outbox = await db.OutboxMessages.LongCountAsync();
            tasks = await db.WorkTasks.LongCountAsync();
        }

        // node-dead was executing the day's 06:00 firing when it stopped: its check-in is an hour old, its firing still recorded.
        var now = clock.GetUtcNow();
        var scheduled = new DateTimeOffset(CycleBook.AsOf.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero);
        await ExecuteAsync(database, $"""
            INSERT INTO qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval)
            VALUES ('{SchedulingSetup.SchedulerName}', 'node-dead', {now.AddHours(-1).UtcTicks}, 7500);
            INSERT INTO qrtz_fired_triggers (sched_name, entry_id, trigger_name, trigger_group, instance_name, fired_time, sched_time, priority, state,
                job_name, job_group, is_nonconcurrent, requests_recovery)
            VALUES ('{SchedulingSetup.SchedulerName}', 'node-dead-1', '{DailyCycleJob.TriggerKey.Name}', '{DailyCycleJob.TriggerKey.Group}', 'node-dead',
                {scheduled.UtcTicks}, {scheduled.UtcTicks}, 5, 'EXECUTING', '{DailyCycleJob.Key.Name}', '{DailyCycleJob.Key.Group}', true, true);
            """);

        await using var second = await SchedulerHost.StartAsync(database, clock, new Dictionary<string, string?> { ["Scheduling:InstanceId"] = "node-b" });
        await JobRuns.WaitForAsync(DailyCycleJob.Key, 1, Patience, second.Runs);

        var recovered = Assert.Single(second.Runs.All, r => r.Job.Equals(DailyCycleJob.Key));
        Assert.True(recovered.Recovering);
        Assert.Null(recovered.Error);
        await UntilAsync(async () => await CountAsync(database, "SELECT count(*) FROM qrtz_fired_triggers WHERE instance_name = 'node-dead'") == 0);
        await using var after = database.Open();
        Assert.Equal(await after.Accounts.CountAsync(), await SnapshotsForAsync(database, CycleBook.AsOf));
        Assert.Equal((outbox, tasks), (await after.OutboxMessages.LongCountAsync(), await after.WorkTasks.LongCountAsync()));
    }

    [Fact]
    public async Task The_daily_trigger_fires_next_at_the_configured_time_in_the_organisations_zone()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        // Saturday 7 March 2026, 12:00 UTC: New York moves to summer time in the night before the next 06:00.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.Zero));
        await using var host = await SchedulerHost.StartAsync(database, clock, new Dictionary<string, string?>
        {
            ["Organisation:TimeZone"] = "America/New_York",
            ["Scheduling:DailyCycleAt"] = "06:30",
        });
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        var trigger = await host.Scheduler.GetTrigger(DailyCycleJob.TriggerKey);

        Assert.NotNull(trigger);
        var next = trigger.NextFireTimeUtc!.Value;
        var expected = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(2026, 3, 8, 6, 30, 0, DateTimeKind.Unspecified), zone), TimeSpan.Zero);
        Assert.Equal(expected, next);
        Assert.Equal(new TimeOnly(6, 30), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(next, zone).DateTime));
        Assert.NotEqual(zone.GetUtcOffset(clock.GetUtcNow()), zone.GetUtcOffset(next)); // the offset of the day it fires, not of today
        var after = trigger.GetFireTimeAfter(next)!.Value;
        Assert.Equal(TimeSpan.FromHours(24), after - next);
    }

    [Fact]
    public async Task On_SQLite_the_in_memory_scheduler_runs_the_dispatcher_and_the_daily_cycle()
    {
        await using var world = await CollectionsWorld.CreateAsync(StorageProvider.Sqlite);
        var account = await world.AccountAsync("Customer 001");
        await world.InvoiceAsync(account, "INV-001", CollectionsWorld.Start.AddDays(-40), CollectionsWorld.Start.AddDays(-10), 120m);
        await world.RunDayAsync(CollectionsWorld.Start); // a reminder waits in the outbox
        await using var smtp = await SmtpTestServer.StartAsync();
        var mail = CollectionsWorld.Smtp(smtp.Port);

        await using var host = await SchedulerHost.StartAsync(world.Database, world.Clock, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = mail.Host,
            ["Smtp:Port"] = mail.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:UseTls"] = "false",
            ["Smtp:From"] = mail.From,
        });
        await JobRuns.WaitForAsync(OutboxDispatchJob.Key, 1, Patience, host.Runs); // its trigger starts with the scheduler
        await host.Scheduler.TriggerJob(DailyCycleJob.Key);
        await JobRuns.WaitForAsync(DailyCycleJob.Key, 1, Patience, host.Runs);

        Assert.All(host.Runs.All, r => Assert.Null(r.Error));
        await using var db = world.Database.Open();
        // The waiting reminder went out with the dispatcher; what the scheduled cycle queued went out before it ended.
        var messages = await db.OutboxMessages.AsNoTracking().ToListAsync();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        Assert.Equal(messages.Select(m => m.Subject).Order(), smtp.Received().Select(m => m.Subject).Order());
        Assert.Equal(await db.Accounts.CountAsync(), await SnapshotsForAsync(world.Database, CollectionsWorld.Start));
        Assert.True(await db.Accounts.CountAsync() > 0);
    }

    [Fact]
    public async Task Serve_without_a_mail_server_keeps_the_outbox_and_the_dispatcher_does_not_fail()
    {
        await using var world = await CollectionsWorld.CreateAsync(StorageProvider.Sqlite);
        var account = await world.AccountAsync("Customer 001");
        await world.InvoiceAsync(account, "INV-001", CollectionsWorld.Start.AddDays(-40), CollectionsWorld.Start.AddDays(-10), 120m);
        await world.RunDayAsync(CollectionsWorld.Start);

        await using var host = await SchedulerHost.StartAsync(world.Database, world.Clock, new Dictionary<string, string?> { ["Smtp:Host"] = "" });
        await JobRuns.WaitForAsync(OutboxDispatchJob.Key, 1, Patience, host.Runs);

        Assert.All(host.Runs.All, r => Assert.Null(r.Error));
        await using var db = world.Database.Open();
        Assert.Equal(OutboxStatus.Pending, (await db.OutboxMessages.AsNoTracking().SingleAsync()).Status);
    }

    [Fact]
    public async Task With_scheduling_turned_off_the_host_has_no_scheduler()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var all = Cli.CliRun.Settings(database);
        all["Scheduling:Enabled"] = "false";
        await using var app = Hosting.CsmWebHost.Build(CsmPayments.Cli.CliContext.BuildConfiguration(all), ClockOnTheBookDay(), ["http://127.0.0.1:0"]);

        Assert.Null(app.Services.GetService<ISchedulerFactory>());
    }

    [Fact]
    public void A_daily_time_or_interval_that_cannot_be_read_is_named_by_its_key()
    {
        var at = Assert.Throws<CsmPayments.Cli.UserErrorException>(() => new SchedulingOptions { DailyCycleAt = "6 am" }.DailyCycleTime());
        Assert.Contains("Scheduling:DailyCycleAt '6 am'", at.Message);
        var every = Assert.Throws<CsmPayments.Cli.UserErrorException>(() => new SchedulingOptions { DispatchEverySeconds = 0 }.DispatchInterval());
        Assert.Contains("Scheduling:DispatchEverySeconds is 0", every.Message);
        Assert.Equal(new TimeOnly(6, 0), new SchedulingOptions().DailyCycleTime());
        Assert.Equal(TimeSpan.FromSeconds(60), new SchedulingOptions().DispatchInterval());
    }
}
