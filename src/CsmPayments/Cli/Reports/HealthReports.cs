using System.CommandLine;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Metrics;
using CsmPayments.Segments;
using CsmPayments.Storage;
using CsmPayments.Work;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cli.Reports;

/// <summary><c>report health</c>, <c>report segments</c>, <c>report csms</c> and <c>report health-backtest</c>.</summary>
public static class HealthReports
{
    public static IEnumerable<Command> Create(CliContext context) => [Health(context), Segments(context), Csms(context), Backtest(context)];

    private static Option<string?> AsOf() => new("--as-of")
    {
        Description = "The date the figures are as of, yyyy-MM-dd (default: today in the organisation's time zone)",
        HelpName = "yyyy-MM-dd",
    };

    private static Option<string?> From(string defaultText) => new("--from")
    {
        Description = $"Start of the period, yyyy-MM-dd (default: {defaultText})",
        HelpName = "yyyy-MM-dd",
    };

    private static Option<string?> Format() => new("--format") { Description = "table (default), json or csv", HelpName = "table|json|csv" };

    private static Command Health(CliContext context)
    {
        var asOfOption = AsOf();
        var formatOption = Format();
        var command = new Command("health", "Health per account: score, band, components, explanation, trend and signals") { asOfOption, formatOption };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var asOf = ReportCommand.ParseDate(parse.GetValue(asOfOption), "--as-of") ?? context.Today;
            var format = ReportCommand.ParseFormat(parse.GetValue(formatOption));
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            var rows = await HealthRows.LoadAsync(db, asOf, ct);
            if (rows.Count == 0)
                throw new UserErrorException($"no health snapshots for {ReportOutput.Date(asOf)}: run 'csm-payments cycle --as-of {ReportOutput.Date(asOf)}' first");
            await HealthOutput.WriteAsync(asOf, rows, format, context);
            return 0;
        });
        return command;
    }

    private static Command Segments(CliContext context)
    {
        var asOfOption = AsOf();
        var formatOption = Format();
        var command = new Command("segments", "Cohort, service tier and risk tier per account, with counts") { asOfOption, formatOption };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var asOf = ReportCommand.ParseDate(parse.GetValue(asOfOption), "--as-of") ?? context.Today;
            var format = ReportCommand.ParseFormat(parse.GetValue(formatOption));
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            var segments = await SegmentAssignments.AsOfAsync(db, asOf, ct);
            if (segments.Count == 0)
                throw new UserErrorException($"no segments on or before {ReportOutput.Date(asOf)}: run 'csm-payments cycle --as-of {ReportOutput.Date(asOf)}' first");
            var names = await db.Accounts.AsNoTracking().Select(a => new { a.Id, a.ExternalId, a.Name }).ToDictionaryAsync(a => a.Id, ct);
            var rows = segments.Where(s => names.ContainsKey(s.Key))
                .Select(s => new SegmentRow(names[s.Key].ExternalId, names[s.Key].Name, s.Value.Segments, s.Value.Since))
                .OrderBy(r => r.Account, StringComparer.Ordinal).ToList();
            await SegmentsOutput.WriteAsync(asOf, rows, format, context);
            return 0;
        });
        return command;
    }

    private static Command Csms(CliContext context)
    {
        var fromOption = From("90 days before the as-of date");
        var asOfOption = AsOf();
        var formatOption = Format();
        var command = new Command("csms", "Per CSM: book, ARR, load against capacity, retention, touchpoints, alerts and follow-ups") { fromOption, asOfOption, formatOption };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var asOf = ReportCommand.ParseDate(parse.GetValue(asOfOption), "--as-of") ?? context.Today;
            var from = ReportCommand.ParseDate(parse.GetValue(fromOption), "--from") ?? asOf.AddDays(-90);
            if (from > asOf)
                throw new UserErrorException($"--from {ReportOutput.Date(from)} is after --as-of {ReportOutput.Date(asOf)}: the period must start on or before its end");
            var format = ReportCommand.ParseFormat(parse.GetValue(formatOption));
            var settings = CycleCommand.Settings(context);
            var database = await context.DatabaseAsync(ct);
            await CycleCommand.RequireRatesAsync(database, settings, ct);
            await using var db = database.Open();
            var report = await CsmBook.ComputeAsync(db, new ReportPeriod(from, asOf), settings, ct);
            await CsmsOutput.WriteAsync(report, format, context);
            return 0;
        });
        return command;
    }

    private static Command Backtest(CliContext context)
    {
        var fromOption = From("270 days before the as-of date");
        var asOfOption = AsOf();
        var formatOption = Format();
        var command = new Command("health-backtest", "How well each day's health score predicted churn within 90 days: AUC and churn rate per band")
        {
            fromOption, asOfOption, formatOption,
        };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var asOf = ReportCommand.ParseDate(parse.GetValue(asOfOption), "--as-of") ?? context.Today;
            var from = ReportCommand.ParseDate(parse.GetValue(fromOption), "--from") ?? asOf.AddDays(-270);
            var latest = asOf.AddDays(-HealthBacktest.HorizonDays);
            if (from > latest)
                throw new UserErrorException($"--from {ReportOutput.Date(from)} leaves no day to judge: each day needs {HealthBacktest.HorizonDays} days after it up to --as-of, so start on or before {ReportOutput.Date(latest)}");
            var format = ReportCommand.ParseFormat(parse.GetValue(formatOption));
            var settings = CycleCommand.Settings(context);
            var database = await context.DatabaseAsync(ct);
            await CycleCommand.RequireRatesAsync(database, settings, ct);
            var result = await HealthBacktest.RunAsync(database, from, asOf, settings, ct);
            await BacktestOutput.WriteAsync(result, format, context);
            return 0;
        });
        return command;
    }
}

public sealed record HealthRow(string Account, string Name, string Csm, HealthSnapshot Snapshot, int? Trend7, int? Trend30);

public static class HealthRows
{
    /// <summary>The day's snapshots, worst first, with the change against the stored snapshots 7 and 30 days earlier.</summary>
    public static async Task<List<HealthRow>> LoadAsync(CsmDbContext db, DateOnly asOf, CancellationToken ct)
    {
        var week = asOf.AddDays(-7);
        var month = asOf.AddDays(-30);
        var earlier = new Dictionary<(long, DateOnly), int>();
        await foreach (var s in db.HealthSnapshots.AsNoTracking().Where(s => s.AsOf == week || s.AsOf == month)
                           .Select(s => new { s.AccountId, s.AsOf, s.Score }).AsAsyncEnumerable().WithCancellation(ct))
            earlier[(s.AccountId, s.AsOf)] = s.Score;
        var accounts = await db.Accounts.AsNoTracking().Select(a => new { a.Id, a.ExternalId, a.Name, a.CsmId }).ToDictionaryAsync(a => a.Id, ct);
        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.Email }).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        var rows = new List<HealthRow>();
        await foreach (var s in db.HealthSnapshots.AsNoTracking().Where(s => s.AsOf == asOf).AsAsyncEnumerable().WithCancellation(ct))
        {
            var a = accounts[s.AccountId];
            int? Trend(DateOnly day) => earlier.TryGetValue((s.AccountId, day), out var before) ? s.Score - before : null;
            rows.Add(new HealthRow(a.ExternalId, a.Name, users.GetValueOrDefault(a.CsmId, ""), s, Trend(week), Trend(month)));
        }
        return rows.OrderBy(r => r.Snapshot.Score).ThenBy(r => r.Account, StringComparer.Ordinal).ToList();
    }
}

public sealed record SegmentRow(string Account, string Name, SegmentResult Segments, DateOnly Since);

/// <summary>One CSM's book over a period.</summary>
public sealed record CsmLine(
    string Email, string Name, int Accounts, Money Arr, int WeightedLoad, int? Capacity, RetentionFigures Retention,
    decimal? TouchpointsPerAccountPerMonth, int OpenAlerts, decimal? MedianDaysAlertToTouchpoint, int AlertsAwaitingTouchpoint, int OverdueFollowUps)
{
    public decimal? LoadRatio => Capacity is > 0 ? (decimal)WeightedLoad / Capacity.Value : null;
}

public sealed record CsmBookReport(ReportPeriod Period, string Currency, IReadOnlyList<CsmLine> Csms);

/// <summary>The figures of <c>report csms</c>, from accounts, subscriptions, touchpoints and alerts; set-based reads.</summary>
public static class CsmBook
{
    public static async Task<CsmBookReport> ComputeAsync(CsmDbContext db, ReportPeriod period, EvaluationSettings settings, CancellationToken ct)
    {
        var (from, asOf) = (period.From, period.AsOf);
        var rates = settings.Rates;
        var users = await db.Users.AsNoTracking().ToListAsync(ct);
        var accounts = await db.Accounts.AsNoTracking().Select(a => new { a.Id, a.CsmId, a.Tier }).ToListAsync(ct);
        var subscriptions = await MetricsFactsLoader.LoadSubscriptionsAsync(db, period, ct);
        var byAccount = subscriptions.ToLookup(s => s.AccountId);
        var lastTouch = await db.Touchpoints.AsNoTracking().Where(t => t.OccurredOn <= asOf).GroupBy(t => t.AccountId)
            .Select(g => new { g.Key, Last = g.Max(t => t.OccurredOn) }).ToDictionaryAsync(x => x.Key, x => x.Last, ct);
        var touches = await db.Touchpoints.AsNoTracking().Where(t => t.OccurredOn > from && t.OccurredOn <= asOf)
            .Select(t => new { t.AccountId, t.UserId, t.OccurredOn }).ToListAsync(ct);
        var touchesByAccountUser = touches.ToLookup(t => (t.AccountId, t.UserId), t => t.OccurredOn);
        var alerts = await db.Alerts.AsNoTracking().Where(a => a.OpenedOn <= asOf && (a.ClosedOn == null || a.ClosedOn > from)).ToListAsync(ct);
        var months = Math.Max(1, period.Days) / 30.4375m;

        var lines = new List<CsmLine>();
        foreach (var user in users.Where(u => u.Role == UserRole.Csm || accounts.Any(a => a.CsmId == u.Id)).OrderBy(u => u.Name, StringComparer.Ordinal))
        {
            var book = accounts.Where(a => a.CsmId == user.Id).ToList();
            decimal arr = 0m;
            int active = 0, load = 0, overdue = 0, touchCount = 0;
            foreach (var a in book)
            {
                var mrr = 0m;
                foreach (var s in byAccount[a.Id])
                    if (s.IsActiveOn(asOf)) mrr += rates.ToBase(s.Mrr, s.Currency);
                if (mrr <= 0m) continue;
                active++;
                arr += mrr * 12m;
                var tier = Segmentation.ServiceTierOf(a.Tier, mrr * 12m, settings.Segments);
                load += settings.Segments.LoadOf(tier);
                var cadence = settings.Health.CadenceDays(tier);
                if (!lastTouch.TryGetValue(a.Id, out var last) || asOf.DayNumber - last.DayNumber > cadence) overdue++;
                touchCount += touchesByAccountUser[(a.Id, user.Id)].Count();
            }
            var ids = book.Select(a => a.Id).ToHashSet();
            var retention = RetentionMetrics.Compute(period, subscriptions.Where(s => ids.Contains(s.AccountId)), rates);
            var mine = alerts.Where(a => a.OwnerId == user.Id).ToList();
            var responses = new List<int>();
            var awaiting = 0;
            foreach (var alert in mine.Where(a => a.OpenedOn > from))
            {
                var next = touchesByAccountUser[(alert.AccountId, user.Id)].Where(d => d >= alert.OpenedOn).DefaultIfEmpty().Min();
                if (next == default) awaiting++;
                else responses.Add(next.DayNumber - alert.OpenedOn.DayNumber);
            }
            lines.Add(new CsmLine(user.Email, user.Name, active, new Money(arr, rates.BaseCurrency), load, user.Capacity, retention,
                active == 0 ? null : touchCount / (decimal)active / months, mine.Count(a => a.IsOpenOn(asOf)), Median(responses), awaiting, overdue));
        }
        return new CsmBookReport(period, rates.BaseCurrency, lines);
    }

    private static decimal? Median(List<int> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2m;
    }
}
