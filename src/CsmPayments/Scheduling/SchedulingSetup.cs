using CsmPayments.Storage;
using Npgsql;
using Quartz;

namespace CsmPayments.Scheduling;

/// <summary>
/// The scheduler the web host runs: the daily cycle at <see cref="SchedulingOptions.DailyCycleAt"/> in the organisation's
/// time zone, and the outbox dispatcher every <see cref="SchedulingOptions.DispatchEverySeconds"/>. On PostgreSQL the
/// schedule lives in the database (<c>qrtz_</c> tables, created when missing) and the nodes form a cluster, so each
/// firing runs on one node; on SQLite, one embedded process, it is kept in memory.
/// </summary>
public static class SchedulingSetup
{
    public const string SchedulerName = "csm-payments";
    public const string TablePrefix = "qrtz_";

    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder, TimeProvider clock)
    {
        var options = builder.Configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>() ?? new SchedulingOptions();
        if (!options.Enabled) return builder;
        var at = options.DailyCycleTime();
        var every = options.DispatchInterval();
        var zone = DailyRun.TimeZone(DailyRun.Organisation(builder.Configuration));
        var storage = StorageOptions.From(builder.Configuration["Database:Provider"], builder.Configuration.GetConnectionString("CsmPayments"));

        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = SchedulerName;
                if (!string.IsNullOrWhiteSpace(options.InstanceId)) o.InstanceId = options.InstanceId;
            });
            q.UseTimeProvider(clock);
            if (storage.Provider == StorageProvider.Postgres)
                q.UsePersistentStore(s =>
                {
                    s.UsePostgres(NpgsqlFactory.Instance, storage.ConnectionString);
                    s.UseClustering();
                    s.UseSystemTextJsonSerializer();
                    s.ProvisionSchema();
                });
            else
                q.UseInMemoryStore();

            // Requests recovery: a firing cut off by a node that died runs again on the cluster (the cycle is idempotent).
            q.AddJob<DailyCycleJob>(j => j.WithIdentity(DailyCycleJob.Key).StoreDurably().RequestRecovery());
            q.AddTrigger(t => t.ForJob(DailyCycleJob.Key).WithIdentity(DailyCycleJob.TriggerKey).WithSchedule(DailySchedule(at, zone)));
            q.AddJob<OutboxDispatchJob>(j => j.WithIdentity(OutboxDispatchJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(OutboxDispatchJob.Key).WithIdentity(OutboxDispatchJob.TriggerKey).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>Every day at <paramref name="at"/> in <paramref name="zone"/>; a run missed while no node was up runs once, at once.</summary>
    public static CronScheduleBuilder DailySchedule(TimeOnly at, TimeZoneInfo zone) =>
        CronScheduleBuilder.Create($"0 {at.Minute} {at.Hour} * * ?").InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed);
}
