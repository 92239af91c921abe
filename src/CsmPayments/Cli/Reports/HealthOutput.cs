using System.Globalization;
using System.Text;
using System.Text.Json;
using CsmPayments.Health;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes <c>report health</c>: one row per account, worst first.</summary>
public static class HealthOutput
{
    private static readonly HealthComponent[] Components = Enum.GetValues<HealthComponent>();

    public static async Task WriteAsync(DateOnly asOf, IReadOnlyList<HealthRow> rows, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                await context.Output.WriteLineAsync(Json(rows));
                break;
            case ReportFormat.Csv:
                await context.Output.WriteAsync(Csv(asOf, rows));
                break;
            default:
                context.Console.Write(Table(asOf, rows));
                break;
        }
    }

    /// <summary>
    /// <c>[{"account":…,"name":…,"csm":…,"asOf":…,"score":n,"band":"red|yellow|green","paymentHealth":n,
    /// "components":{"usage":n|null,…},"trend":{"days7":n|null,"days30":n|null},"tier":…,"onboarding":b,
    /// "explanation":…,"signals":[…]}]</c>.
    /// </summary>
    public static string Json(IReadOnlyList<HealthRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                var s = row.Snapshot;
                json.WriteStartObject();
                json.WriteString("account", row.Account);
                json.WriteString("name", row.Name);
                json.WriteString("csm", row.Csm);
                json.WriteString("asOf", ReportOutput.Date(s.AsOf));
                json.WriteNumber("score", s.Score);
                json.WriteString("band", HealthSignalNames.Name(s.Band));
                json.WriteNumber("paymentHealth", s.PaymentHealth);
                json.WriteStartObject("components");
                foreach (var (component, value) in s.Components())
                {
                    if (value is { } v) json.WriteNumber(HealthSignalNames.Name(component), v);
                    else json.WriteNull(HealthSignalNames.Name(component));
                }
                json.WriteEndObject();
                json.WriteStartObject("trend");
                Nullable(json, "days7", row.Trend7);
                Nullable(json, "days30", row.Trend30);
                json.WriteEndObject();
                json.WriteString("tier", s.Tier.ToString().ToLowerInvariant());
                json.WriteBoolean("onboarding", s.Onboarding);
                json.WriteString("explanation", s.Explanation);
                json.WriteStartArray("signals");
                foreach (var signal in HealthSignalNames.Of(s.SignalSet)) json.WriteStringValue(signal);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Nullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    public static string Csv(DateOnly asOf, IReadOnlyList<HealthRow> rows)
    {
        var csv = new StringBuilder();
        csv.AppendLine(ReportOutput.CsvLine(["as_of", "account", "name", "csm", "score", "band", "payment_health",
            .. Components.Select(HealthSignalNames.Name), "trend_7d", "trend_30d", "tier", "onboarding", "signals", "explanation"]));
        foreach (var row in rows)
        {
            var s = row.Snapshot;
            var components = s.Components();
            csv.AppendLine(ReportOutput.CsvLine([ReportOutput.Date(asOf), row.Account, row.Name, row.Csm, Text(s.Score), HealthSignalNames.Name(s.Band),
                Text(s.PaymentHealth), .. Components.Select(c => Text(components[c])), Text(row.Trend7), Text(row.Trend30),
                s.Tier.ToString().ToLowerInvariant(), s.Onboarding ? "true" : "false", string.Join(' ', HealthSignalNames.Of(s.SignalSet)), s.Explanation]));
        }
        return csv.ToString();
    }

    public static Table Table(DateOnly asOf, IReadOnlyList<HealthRow> rows)
    {
        var bands = rows.GroupBy(r => r.Snapshot.Band).ToDictionary(g => g.Key, g => g.Count());
        var table = new Table()
            .Title(Markup.Escape($"Health as of {ReportOutput.Date(asOf)}, worst first"))
            .AddColumn("Account")
            .AddColumn("CSM")
            .AddColumn(new TableColumn("Score").RightAligned())
            .AddColumn("Band")
            .AddColumn(new TableColumn("Payment").RightAligned())
            .AddColumn(new TableColumn("7 d").RightAligned())
            .AddColumn(new TableColumn("30 d").RightAligned())
            .AddColumn("Signals")
            .AddColumn("Why")
            .Caption(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{rows.Count} account(s): {bands.GetValueOrDefault(HealthBand.Red)} red, {bands.GetValueOrDefault(HealthBand.Yellow)} yellow, {bands.GetValueOrDefault(HealthBand.Green)} green")));
        foreach (var row in rows)
        {
            var s = row.Snapshot;
            var band = HealthSignalNames.Name(s.Band);
            var colour = s.Band switch { HealthBand.Red => "red", HealthBand.Yellow => "yellow", _ => "green" };
            table.AddRow(Markup.Escape(row.Account + " " + row.Name), Markup.Escape(row.Csm), Text(s.Score), $"[{colour}]{band}[/]", Text(s.PaymentHealth),
                Signed(row.Trend7), Signed(row.Trend30), Markup.Escape(string.Join(' ', HealthSignalNames.Of(s.SignalSet))), Markup.Escape(s.Explanation));
        }
        return table;
    }

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Signed(int? value) => value is { } v ? (v > 0 ? "+" : "") + v.ToString(CultureInfo.InvariantCulture) : "";
}
