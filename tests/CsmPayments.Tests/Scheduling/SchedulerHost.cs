using System.Collections.Concurrent;
using System.Diagnostics;
using CsmPayments.Cli;
using CsmPayments.Hosting;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CsmPayments.Tests.Scheduling;

/// <summary>The real web host with its scheduler, over a given database, and a record of the jobs its scheduler ran.</summary>
public sealed class SchedulerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SchedulerHost(WebApplication app, IScheduler scheduler, JobRuns runs)
    {
        _app = app;
        Scheduler = scheduler;
        Runs = runs;
    }

    public IScheduler Scheduler { get; }
    public JobRuns Runs { get; }

    public static async Task<SchedulerHost> StartAsync(TestDatabase database, TimeProvider clock, IDictionary<string, string?>? settings = null)
    {
        var all = CliRun.Settings(database);
        all["Logging:LogLevel:Default"] = "Warning";
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var app = CsmWebHost.Build(CliContext.BuildConfiguration(all), clock, ["http://127.0.0.1:0"]);
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var runs = new JobRuns();
        scheduler.ListenerManager.AddJobListener(runs);
        await app.StartAsync();
        return new SchedulerHost(app, scheduler, runs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Every job execution a scheduler finished, with its outcome; waits are signalled, never slept.</summary>
public sealed class JobRuns : IJobListener
{
    private readonly ConcurrentQueue<(JobKey Job, string FireId, Exception? Error, bool Recovering)> _runs = new();
    private readonly SemaphoreSlim _finished = new(0);

    public string Name { get; } = "test-runs-" + Guid.NewGuid().ToString("N")[..8];

    public IReadOnlyList<(JobKey Job, string FireId, Exception? Error, bool Recovering)> All => [.. _runs];

    public int Count(JobKey job) => _runs.Count(r => r.Job.Equals(job));

    /// <summary>Waits, up to <paramref name="timeout"/>, until <paramref name="job"/> has finished at least <paramref name="count"/> times on any of <paramref name="hosts"/>.</summary>
    public static async Task WaitForAsync(JobKey job, int count, TimeSpan timeout, params JobRuns[] hosts)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (hosts.Sum(h => h.Count(job)) < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"{job} finished {hosts.Sum(h => h.Count(job))} time(s), expected {count}");
            await Task.WhenAny(hosts.Select(h => h._finished.WaitAsync(left)));
        }
    }

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        _runs.Enqueue((context.JobDetail.Key, context.FireInstanceId, jobException, context.Recovering));
        _finished.Release();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A clock that starts at <paramref name="start"/> and runs at the machine's pace (timers and delays run in real time), in UTC.</summary>
public sealed class RunningClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => start + Stopwatch.GetElapsedTime(_started);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
