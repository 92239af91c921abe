using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes <c>report segments</c>: each account's cohort and tiers, and how many accounts each holds.</summary>
public static class SegmentsOutput
{
    public static async Task WriteAsync(DateOnly asOf, IReadOnlyList<SegmentRow> rows, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                await context.Output.WriteLineAsync(Json(asOf, rows));
                break;
            case ReportFormat.Csv:
                await context.Output.WriteAsync(Csv(asOf, rows));
                break;
            default:
                foreach (var table in Tables(asOf, rows)) context.Console.Write(table);
                break;
        }
    }

    private static string Word<T>(T value) where T : Enum => Snake(value.ToString());

    private static string Snake(string name) =>
        string.Concat(name.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(ch) : ch.ToString()));

    private static IEnumerable<(string Group, IEnumerable<(string Name, int Count)> Counts)> Groups(IReadOnlyList<SegmentRow> rows) =>
    [
        ("cohorts", rows.GroupBy(r => r.Segments.Cohort).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count()))),
        ("serviceTiers", rows.GroupBy(r => r.Segments.ServiceTier).OrderBy(g => g.Key).Select(g => (Word(g.Key), g.Count()))),
        ("riskTiers", rows.GroupBy(r => r.Segments.RiskTier).OrderBy(g => g.Key).Select(g => (Word(g.Key), g.Count()))),
        ("paymentBehaviours", rows.GroupBy(r => r.Segments.PaymentBehaviour).OrderBy(g => g.Key).Select(g => (Word(g.Key), g.Count()))),
    ];

    /// <summary>
    /// <c>{"asOf":…,"cohorts":{name:n},"serviceTiers":{…},"riskTiers":{…},"paymentBehaviours":{…},
    /// "accounts":[{"account":…,"cohort":…,"serviceTier":…,"riskTier":…,"paymentBehaviour":…,"creditRisk":…,"since":…}]}</c>.
    /// </summary>
    public static string Json(DateOnly asOf, IReadOnlyList<SegmentRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("asOf", ReportOutput.Date(asOf));
            foreach (var (group, counts) in Groups(rows))
            {
                json.WriteStartObject(group);
                foreach (var (name, count) in counts) json.WriteNumber(name, count);
                json.WriteEndObject();
            }
            json.WriteStartArray("accounts");
            foreach (var r in rows)
            {
                json.WriteStartObject();
                json.WriteString("account", r.Account);
                json.WriteString("cohort", r.Segments.Cohort);
                json.WriteString("serviceTier", Word(r.Segments.ServiceTier));
                json.WriteString("riskTier", Word(r.Segments.RiskTier));
                json.WriteString("paymentBehaviour", Word(r.Segments.PaymentBehaviour));
                json.WriteString("creditRisk", Word(r.Segments.CreditRisk));
                json.WriteString("since", ReportOutput.Date(r.Since));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Csv(DateOnly asOf, IReadOnlyList<SegmentRow> rows)
    {
        var csv = new StringBuilder();
        csv.AppendLine(ReportOutput.CsvLine("as_of", "account", "name", "cohort", "service_tier", "risk_tier", "payment_behaviour", "credit_risk", "since"));
        foreach (var r in rows)
            csv.AppendLine(ReportOutput.CsvLine(ReportOutput.Date(asOf), r.Account, r.Name, r.Segments.Cohort, Word(r.Segments.ServiceTier),
                Word(r.Segments.RiskTier), Word(r.Segments.PaymentBehaviour), Word(r.Segments.CreditRisk), ReportOutput.Date(r.Since)));
        return csv.ToString();
    }

    public static IEnumerable<Table> Tables(DateOnly asOf, IReadOnlyList<SegmentRow> rows)
    {
        foreach (var (group, counts) in Groups(rows))
        {
            var title = group switch
            {
                "cohorts" => "Cohorts",
                "serviceTiers" => "Service tiers",
                "riskTiers" => "Risk tiers",
                _ => "Payment behaviour",
            };
            var table = new Table().Title(Markup.Escape($"{title} as of {ReportOutput.Date(asOf)}"))
                .AddColumn(new TableColumn("Segment").Footer("[bold]Total[/]"))
                .AddColumn(new TableColumn("Accounts").RightAligned().Footer($"[bold]{rows.Count.ToString(CultureInfo.InvariantCulture)}[/]"))
                .AddColumn(new TableColumn("Share").RightAligned());
            foreach (var (name, count) in counts)
                table.AddRow(Markup.Escape(name), count.ToString(CultureInfo.InvariantCulture), ReportOutput.Percent((decimal)count / rows.Count));
            yield return table;
        }
    }
}
