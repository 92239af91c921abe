using System.CommandLine;
using System.Globalization;
using CsmPayments.Cli.Reports;
using CsmPayments.Metrics;
using CsmPayments.Organisation;

namespace CsmPayments.Cli;

/// <summary>
/// <c>report aging</c> and <c>report metrics</c>: the AR and retention figures of DESIGN §3 in the base currency.
/// Arguments are checked before the database is opened; each mistake is one line on stderr.
/// </summary>
public static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var report = new Command("report", "Reports: aging, metrics, health, segments, csms, health-backtest, collections");
        report.Subcommands.Add(Aging(context));
        report.Subcommands.Add(Metrics(context));
        foreach (var command in HealthReports.Create(context)) report.Subcommands.Add(command);
        report.Subcommands.Add(Collections(context));
        return report;
    }

    private static Command Aging(CliContext context)
    {
        var asOfOption = AsOfOption();
        var formatOption = FormatOption();
        var command = new Command("aging", "AR aging: open balances by days past due, in the base currency");
        command.Options.Add(asOfOption);
        command.Options.Add(formatOption);
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var asOf = ParseDate(parse.GetValue(asOfOption), "--as-of") ?? context.Today;
            var format = ParseFormat(parse.GetValue(formatOption));
            var rates = Rates(context);

            var database = await context.DatabaseAsync(ct);
            MetricsFacts facts;
            await using (var db = database.Open())
                facts = await MetricsFactsLoader.LoadReceivablesAsync(db, asOf, asOf, ct);
            RequireRates(facts, rates);

            await AgingOutput.WriteAsync(ArAging.Compute(asOf, facts, rates), format, context);
            return 0;
        });
        return command;
    }

    private static Command Metrics(CliContext context)
    {
        var asOfOption = AsOfOption();
        var fromOption = new Option<string?>("--from")
        {
            Description = "Start of the period, yyyy-MM-dd (default: 90 days before the as-of date)",
            HelpName = "yyyy-MM-dd",
        };
        var formatOption = FormatOption();
        var command = new Command("metrics", "DSO, CEI, average days delinquent, GRR, NRR, logo and delinquent churn");
        command.Options.Add(fromOption);
        command.Options.Add(asOfOption);
        command.Options.Add(formatOption);
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var asOf = ParseDate(parse.GetValue(asOfOption), "--as-of") ?? context.Today;
            var from = ParseDate(parse.GetValue(fromOption), "--from") ?? asOf.AddDays(-CollectionMetrics.DefaultDsoDays);
            if (from > asOf)
                throw new UserErrorException($"--from {ReportOutput.Date(from)} is after --as-of {ReportOutput.Date(asOf)}: the period must start on or before its end");
            var format = ParseFormat(parse.GetValue(formatOption));
            var rates = Rates(context);
            var period = new ReportPeriod(from, asOf);
            const int dsoDays = CollectionMetrics.DefaultDsoDays;

            var database = await context.DatabaseAsync(ct);
            MetricsFacts facts;
            await using (var db = database.Open())
                facts = await MetricsFactsLoader.LoadAsync(db, period, dsoDays, ct);
            RequireRates(facts, rates);

            var collections = CollectionMetrics.Compute(period, dsoDays, facts, rates);
            var retention = RetentionMetrics.Compute(period, facts.Subscriptions, rates);
            await MetricsOutput.WriteAsync(collections, retention, format, context);
            return 0;
        });
        return command;
    }

    private static Command Collections(CliContext context)
    {
        var asOfOption = AsOfOption();
        var formatOption = FormatOption();
        var command = new Command("collections", "Per account: playbook stage, next step and its date, pauses with their reasons");
        command.Options.Add(asOfOption);
        command.Options.Add(formatOption);
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var asOf = ParseDate(parse.GetValue(asOfOption), "--as-of") ?? context.Today;
            var format = ParseFormat(parse.GetValue(formatOption));
            var database = await context.DatabaseAsync(ct);
            global::CsmPayments.Collections.CollectionCycle cycle;
            try
            {
                cycle = global::CsmPayments.Collections.CollectionsSetup.Cycle(context.Configuration, database, context.Organisation, context.Clock);
            }
            catch (Exception e) when (e is global::CsmPayments.Collections.PlaybookException or global::CsmPayments.Messaging.TemplateException)
            {
                throw new UserErrorException(e.Message);
            }
            var days = await cycle.PlanAsync(asOf, ct);
            var notes = await cycle.RenewalNotesAsync(asOf, ct);
            await CollectionsOutput.WriteAsync(asOf, global::CsmPayments.Collections.CollectionsReport.Rows(days, asOf, notes), format, context);
            return 0;
        });
        return command;
    }

    private static Option<string?> AsOfOption() => new("--as-of")
    {
        Description = "The date the figures are as of, yyyy-MM-dd (default: today in the organisation's time zone)",
        HelpName = "yyyy-MM-dd",
    };

    private static Option<string?> FormatOption() => new("--format")
    {
        Description = "table (default), json or csv",
        HelpName = "table|json|csv",
    };

    internal static DateOnly? ParseDate(string? value, string option)
    {
        if (value is null) return null;
        return DateOnly.TryParseExact(value, ReportOutput.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UserErrorException($"{option} '{value}' is not a date: use yyyy-MM-dd, e.g. 2026-03-31");
    }

    internal static ReportFormat ParseFormat(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "table" => ReportFormat.Table,
        "json" => ReportFormat.Json,
        "csv" => ReportFormat.Csv,
        _ => throw new UserErrorException($"--format '{value}' is not supported: use table, json or csv"),
    };

    private static ExchangeRates Rates(CliContext context)
    {
        try
        {
            return context.Organisation.Rates();
        }
        catch (ArgumentException e)
        {
            throw new UserErrorException($"the Organisation configuration is not valid: {e.Message}");
        }
    }

    /// <summary>A currency without a rate would stop the report half way; say which rate to configure instead.</summary>
    private static void RequireRates(MetricsFacts facts, ExchangeRates rates)
    {
        var missing = facts.Currencies().Where(c => !rates.Knows(c)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new UserErrorException($"no exchange rate to {rates.BaseCurrency} is configured for {string.Join(", ", missing)}: " +
                                         $"set {string.Join(", ", missing.Select(c => $"Organisation:ExchangeRates:{c}"))}");
    }
}
