using CsmPayments.Collections;
using CsmPayments.Cycle;
using CsmPayments.Storage;
using Quartz;

namespace CsmPayments.Scheduling;

/// <summary>
/// The daily cycle for today. One run at a time, and in a cluster one node runs each firing. The job requests recovery:
/// a run cut off by a node that died is fired again on another node of the cluster, for the day it was scheduled for.
/// The re-run is safe because the cycle is idempotent — what the first run committed is not done again, what it did not
/// commit is done now.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DailyCycleJob(IConfiguration configuration, Database database, TimeProvider clock, ILogger<DailyCycleJob> log) : IJob
{
    public static readonly JobKey Key = new("daily-cycle", "csm-payments");
    public static readonly TriggerKey TriggerKey = new("daily-cycle", "csm-payments");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            DateOnly? asOf = null;
            if (context.Recovering && OriginalScheduledFireTime(context) is { } scheduled)
            {
                asOf = DailyRun.DateAt(DailyRun.Organisation(configuration), scheduled);
                log.LogWarning("Recovering the daily cycle for {AsOf:yyyy-MM-dd}, cut off on a node that stopped; what it committed is not repeated", asOf);
            }
            var run = await DailyRun.CreateAsync(configuration, database, clock, ct, asOf);
            var summary = await DailyCycle.RunAsync(run, ct);
            log.LogInformation("Daily cycle for {AsOf:yyyy-MM-dd}: {Accounts} account(s) evaluated, {Snapshots} snapshot(s) written, {Opened} alert(s) opened, {Closed} closed",
                run.AsOf, summary.AccountsEvaluated, summary.SnapshotsWritten, summary.AlertsOpened, summary.AlertsClosed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "The daily cycle failed: {Message}", e.Message);
            throw new JobExecutionException(e);
        }
    }

    /// <summary>When the firing a recovery re-runs was scheduled, as the job store recorded it.</summary>
    internal static DateTimeOffset? OriginalScheduledFireTime(IJobExecutionContext context) =>
        context.MergedJobDataMap.TryGetString(SchedulerConstants.FailedJobOriginalTriggerScheduledFireTime, out var text)
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
}

/// <summary>Delivers the outbox messages that are due, retries included. One pass at a time across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class OutboxDispatchJob(IConfiguration configuration, Database database, TimeProvider clock, ILogger<OutboxDispatchJob> log) : IJob
{
    public static readonly JobKey Key = new("outbox-dispatch", "csm-payments");
    public static readonly TriggerKey TriggerKey = new("outbox-dispatch", "csm-payments");

    private static int _warnedUnconfigured;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(CollectionsSetup.Smtp(configuration).Host))
        {
            // Without a mail server nothing can go out; the messages wait in the outbox until one is configured.
            if (Interlocked.Exchange(ref _warnedUnconfigured, 1) == 0)
                log.LogWarning("Smtp:Host is empty: outbox messages are kept until an SMTP server is configured");
            return;
        }
        try
        {
            var result = await CollectionsSetup.Dispatcher(configuration, database, clock).DeliverDueAsync(ct);
            if (result.Sent + result.Retrying + result.Failed > 0)
                log.LogInformation("Outbox: {Sent} sent, {Retrying} to retry, {Failed} failed{Error}", result.Sent, result.Retrying, result.Failed,
                    result.LastError is null ? "" : "; last error: " + result.LastError);
            if (result.Uncertain > 0)
                log.LogWarning("Outbox: {Uncertain} message(s) may have reached the SMTP server without their delivery being recorded; they are not resent. " +
                               "Check them with 'csm-payments outbox list --state uncertain', then resend or mark them sent", result.Uncertain);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "The outbox dispatcher failed: {Message}", e.Message);
            throw new JobExecutionException(e);
        }
    }
}
