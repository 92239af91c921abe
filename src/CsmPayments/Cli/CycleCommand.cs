using System.CommandLine;
using System.Globalization;
using CsmPayments.Cli.Reports;
using CsmPayments.Collections;
using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Messaging;
using CsmPayments.Segments;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace CsmPayments.Cli;

/// <summary><c>cycle [--as-of D] [--dry-run]</c>: the daily run — segments, health snapshots, alerts — for one day.</summary>
public static class CycleCommand
{
    public static Command Create(CliContext context)
    {
        var asOf = new Option<string?>("--as-of")
        {
            Description = "The day to evaluate, yyyy-MM-dd (default: today in the organisation's time zone)",
            HelpName = "yyyy-MM-dd",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Compute and print what would change without writing anything" };
        var command = new Command("cycle", "The daily run: segments and tiers, health snapshots, collection playbooks, alerts, messages out") { asOf, dryRun };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(asOf), parse.GetValue(dryRun), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string? asOfText, bool dryRun, CancellationToken ct)
    {
        var asOf = ReportCommand.ParseDate(asOfText, "--as-of") ?? context.Today;
        var database = await context.DatabaseAsync(ct);
        var settings = await Settings(context).WithCollectionsAsync(database, asOf, ct);
        await RequireRatesAsync(database, settings, ct);
        var collections = Collections(context, database);
        var dispatcher = Dispatcher(context, database);
        CycleRun run;
        if (context.Interactive)
        {
            CycleRun? finished = null;
            await context.Console.Progress().AutoClear(true).StartAsync(async progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var reporter = new Reporter(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task)) tasks[p.Stage] = task = progress.AddTask(p.Stage);
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                });
                finished = new CycleRun(database, asOf, settings, dryRun, reporter) { Collections = collections, Dispatcher = dispatcher };
                await DailyCycle.RunAsync(finished, ct);
            });
            run = finished!;
        }
        else
        {
            run = new CycleRun(database, asOf, settings, dryRun) { Collections = collections, Dispatcher = dispatcher };
            await DailyCycle.RunAsync(run, ct);
        }
        await Print(context, run);
        return 0;
    }

    /// <summary>An account billed in a currency without a rate would stop the run half way; say which rate to configure first.</summary>
    internal static async Task RequireRatesAsync(Storage.Database database, EvaluationSettings settings, CancellationToken ct)
    {
        await using var db = database.Open();
        var currencies = await db.Accounts.AsNoTracking().Select(a => a.Currency).Distinct().ToListAsync(ct);
        var missing = currencies.Where(c => !settings.Rates.Knows(c)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new UserErrorException($"no exchange rate to {settings.Rates.BaseCurrency} is configured for {string.Join(", ", missing)}: " +
                                         $"set {string.Join(", ", missing.Select(c => $"Organisation:ExchangeRates:{c}"))}");
    }

    private sealed class Reporter(Action<CycleProgress> report) : IProgress<CycleProgress>
    {
        public void Report(CycleProgress value) => report(value);
    }

    private static async Task Print(CliContext context, CycleRun run)
    {
        var s = run.Summary;
        var o = context.Output;
        var c = CultureInfo.InvariantCulture;
        await o.WriteLineAsync(string.Create(c, $"Cycle for {run.AsOf:yyyy-MM-dd}: {s.AccountsEvaluated:N0} account(s) evaluated")
                               + (run.DryRun ? " (dry run: nothing written)" : ""));
        await o.WriteLineAsync(string.Create(c,
            $"  bands: {s.Bands.GetValueOrDefault(HealthBand.Green):N0} green, {s.Bands.GetValueOrDefault(HealthBand.Yellow):N0} yellow, {s.Bands.GetValueOrDefault(HealthBand.Red):N0} red; {s.BandChanges:N0} band change(s), {s.BandsDown:N0} down"));
        await o.WriteLineAsync(run.DryRun
            ? string.Create(c, $"  would write: {s.AccountsEvaluated:N0} snapshot(s), {s.SegmentChanges:N0} segment change(s)")
            : string.Create(c, $"  snapshots written or changed: {s.SnapshotsWritten:N0}; segment changes: {s.SegmentChanges:N0}"));
        await o.WriteLineAsync(string.Create(c, $"  alerts {(run.DryRun ? "that would open" : "opened")}: {s.AlertsOpened:N0}, {(run.DryRun ? "close" : "closed")}: {s.AlertsClosed:N0}"));
        foreach (var note in s.Notes) await o.WriteLineAsync("  " + note);
        if (run.CollectionsResult is { } collections) await CollectionsOutput.WriteCycleAsync(collections, context);
        if (run.Delivery is null && !run.DryRun && run.CollectionsResult?.Count(CycleItemKind.Email) > 0)
            await o.WriteLineAsync("Delivery: Smtp:Host is not set, so the messages wait in the outbox; they go out on the first run after it is set.");
        if (run.Delivery is { } delivery)
            await o.WriteLineAsync(string.Create(c, $"Delivery: {delivery.Sent:N0} sent, {delivery.Retrying:N0} waiting to retry, {delivery.Failed:N0} failed") +
                                   (delivery.Uncertain > 0 ? string.Create(c, $", {delivery.Uncertain:N0} uncertain (the server may have them; see outbox list --state uncertain)") : "") +
                                   (delivery.LastError is { } error ? $" (last error: {error})" : ""));
        if (s.Timings.Count > 0)
        {
            await o.WriteLineAsync("  time: " + string.Join(", ", s.Timings.Select(t => string.Create(c, $"{t.Step} {t.Time.TotalSeconds:0.0} s"))));
            // What the runtime's garbage collector cost the run, beside where its time went.
            await o.WriteLineAsync(string.Create(c,
                $"  gc: {GC.CollectionCount(0):N0} collections (gen1 {GC.CollectionCount(1):N0}, gen2 {GC.CollectionCount(2):N0}), paused {GC.GetTotalPauseDuration().TotalSeconds:0.0} s, allocated {GC.GetTotalAllocatedBytes() / 1e9:0.0} GB"));
        }
    }

    /// <summary>
    /// The dispatcher when SMTP is configured; checked before the run, so a bad setting stops it before anything is
    /// written. Without a host, messages are queued and wait.
    /// </summary>
    private static OutboxDispatcher? Dispatcher(CliContext context, Storage.Database database)
    {
        var smtp = CollectionsSetup.Smtp(context.Configuration);
        if (string.IsNullOrWhiteSpace(smtp.Host)) return null;
        try
        {
            smtp.Validate();
        }
        catch (SmtpConfigurationException e)
        {
            throw new UserErrorException(e.Message);
        }
        return new OutboxDispatcher(database, smtp, context.Clock);
    }

    /// <summary>The collection playbooks and templates from configuration; a mistake in the playbook file is one line per problem.</summary>
    private static CollectionCycle Collections(CliContext context, Storage.Database database)
    {
        try
        {
            return CollectionsSetup.Cycle(context.Configuration, database, context.Organisation, context.Clock);
        }
        catch (Exception e) when (e is PlaybookException or Messaging.TemplateException)
        {
            throw new UserErrorException(e.Message);
        }
    }

    /// <summary>The Health and Segments sections and the organisation's rates, each mistake named by its key.</summary>
    internal static EvaluationSettings Settings(CliContext context) => Settings(context.Configuration, () => context.Organisation);

    /// <summary>The same settings read from <paramref name="configuration"/>, for the web host's scheduled run.</summary>
    internal static EvaluationSettings Settings(IConfiguration configuration, Func<Organisation.OrganisationOptions> organisation)
    {
        HealthOptions health;
        SegmentOptions segments;
        try
        {
            health = configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
            segments = configuration.GetSection(SegmentOptions.Section).Get<SegmentOptions>() ?? new SegmentOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new UserErrorException($"configuration: {e.Message}");
        }
        var problems = health.Problems().Concat(segments.Problems()).ToList();
        if (problems.Count > 0) throw new UserErrorException("configuration: " + string.Join("; ", problems));
        try
        {
            return new EvaluationSettings(health, segments, organisation().Rates());
        }
        catch (ArgumentException e)
        {
            throw new UserErrorException($"the Organisation configuration is not valid: {e.Message}");
        }
    }
}
