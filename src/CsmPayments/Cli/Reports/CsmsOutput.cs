using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes <c>report csms</c>: one line per CSM.</summary>
public static class CsmsOutput
{
    public static async Task WriteAsync(CsmBookReport report, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                await context.Output.WriteLineAsync(Json(report));
                break;
            case ReportFormat.Csv:
                await context.Output.WriteAsync(Csv(report));
                break;
            default:
                context.Console.Write(Table(report));
                break;
        }
    }

    private static IEnumerable<(string Key, string? Value)> Figures(CsmLine c) =>
    [
        ("accounts", Int(c.Accounts)),
        ("arr", ReportOutput.Amount(c.Arr)),
        ("weightedLoad", Int(c.WeightedLoad)),
        ("capacity", c.Capacity is { } cap ? Int(cap) : null),
        ("loadRatio", ReportOutput.Ratio(c.LoadRatio)),
        ("grr", ReportOutput.Ratio(c.Retention.Grr)),
        ("nrr", ReportOutput.Ratio(c.Retention.Nrr)),
        ("logoChurn", ReportOutput.Ratio(c.Retention.LogoChurn)),
        ("delinquentChurn", ReportOutput.Ratio(c.Retention.DelinquentChurn)),
        ("touchpointsPerAccountPerMonth", ReportOutput.Days(c.TouchpointsPerAccountPerMonth)),
        ("openAlerts", Int(c.OpenAlerts)),
        ("medianDaysAlertToTouchpoint", ReportOutput.Days(c.MedianDaysAlertToTouchpoint)),
        ("alertsAwaitingTouchpoint", Int(c.AlertsAwaitingTouchpoint)),
        ("overdueFollowUps", Int(c.OverdueFollowUps)),
    ];

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>{"from":…,"asOf":…,"currency":…,"csms":[{"csm":email,"name":…,"accounts":n,"arr":n,…}]}</c>; a figure that does not apply is <c>null</c>.</summary>
    public static string Json(CsmBookReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("from", ReportOutput.Date(report.Period.From));
            json.WriteString("asOf", ReportOutput.Date(report.Period.AsOf));
            json.WriteString("currency", report.Currency);
            json.WriteStartArray("csms");
            foreach (var c in report.Csms)
            {
                json.WriteStartObject();
                json.WriteString("csm", c.Email);
                json.WriteString("name", c.Name);
                foreach (var (key, value) in Figures(c))
                {
                    json.WritePropertyName(key);
                    if (value is null) json.WriteNullValue();
                    else json.WriteRawValue(value);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Csv(CsmBookReport report)
    {
        var csv = new StringBuilder();
        var keys = Figures(report.Csms.FirstOrDefault() ?? Empty(report)).Select(f => f.Key).ToArray();
        csv.AppendLine(ReportOutput.CsvLine(["from", "as_of", "currency", "csm", "name", .. keys]));
        foreach (var c in report.Csms)
            csv.AppendLine(ReportOutput.CsvLine([ReportOutput.Date(report.Period.From), ReportOutput.Date(report.Period.AsOf), report.Currency, c.Email, c.Name,
                .. Figures(c).Select(f => f.Value)]));
        return csv.ToString();
    }

    private static CsmLine Empty(CsmBookReport report) => new("", "", 0, Money.Zero(report.Currency), 0, null,
        Metrics.RetentionMetrics.Compute(report.Period, [], new Organisation.ExchangeRates(report.Currency, new Dictionary<string, decimal>())), null, 0, null, 0, 0);

    public static Table Table(CsmBookReport report)
    {
        var table = new Table()
            .Title(Markup.Escape($"CSMs, {ReportOutput.Date(report.Period.From)} to {ReportOutput.Date(report.Period.AsOf)} ({report.Currency})"))
            .AddColumn("CSM")
            .AddColumn(new TableColumn("Accounts").RightAligned())
            .AddColumn(new TableColumn("ARR").RightAligned())
            .AddColumn(new TableColumn("Load / capacity").RightAligned())
            .AddColumn(new TableColumn("GRR").RightAligned())
            .AddColumn(new TableColumn("NRR").RightAligned())
            .AddColumn(new TableColumn("Logo churn").RightAligned())
            .AddColumn(new TableColumn("Delinquent").RightAligned())
            .AddColumn(new TableColumn("Touchpoints / acct / month").RightAligned())
            .AddColumn(new TableColumn("Open alerts").RightAligned())
            .AddColumn(new TableColumn("Median days to respond").RightAligned())
            .AddColumn(new TableColumn("Overdue follow-ups").RightAligned());
        foreach (var c in report.Csms)
            table.AddRow(Markup.Escape(c.Name), Int(c.Accounts), ReportOutput.AmountForPeople(c.Arr),
                Markup.Escape($"{c.WeightedLoad} / {(c.Capacity is { } cap ? Int(cap) : "n/a")}"),
                ReportOutput.Percent(c.Retention.Grr), ReportOutput.Percent(c.Retention.Nrr), ReportOutput.Percent(c.Retention.LogoChurn),
                ReportOutput.Percent(c.Retention.DelinquentChurn), ReportOutput.Days(c.TouchpointsPerAccountPerMonth) ?? "n/a", Int(c.OpenAlerts),
                ReportOutput.Days(c.MedianDaysAlertToTouchpoint) ?? "n/a", Int(c.OverdueFollowUps));
        return table;
    }
}
