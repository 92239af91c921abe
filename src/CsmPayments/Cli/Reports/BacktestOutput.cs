using System.Globalization;
using System.Text;
using System.Text.Json;
using CsmPayments.Cycle;
using CsmPayments.Health;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes <c>report health-backtest</c>: the AUC of the score against churn within 90 days, and churn per band.</summary>
public static class BacktestOutput
{
    public static async Task WriteAsync(BacktestResult result, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                await context.Output.WriteLineAsync(Json(result));
                break;
            case ReportFormat.Csv:
                await context.Output.WriteAsync(Csv(result));
                break;
            default:
                context.Console.Write(Table(result));
                break;
        }
    }

    private static string? Auc(double? auc) => ReportOutput.Ratio(auc is { } a ? (decimal)a : null);

    /// <summary>
    /// <c>{"from":…,"to":…,"asOf":…,"horizonDays":90,"accounts":n,"observations":n,"churned":n,"fromSnapshots":n,"replayed":n,
    /// "auc":n|null,"bands":[{"band":…,"observations":n,"churned":n,"churnRate":n|null}]}</c>.
    /// </summary>
    public static string Json(BacktestResult r)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("from", ReportOutput.Date(r.From));
            json.WriteString("to", ReportOutput.Date(r.To));
            json.WriteString("asOf", ReportOutput.Date(r.AsOf));
            json.WriteNumber("horizonDays", r.HorizonDays);
            json.WriteNumber("accounts", r.Accounts);
            json.WriteNumber("observations", r.Observations);
            json.WriteNumber("churned", r.Churned);
            json.WriteNumber("fromSnapshots", r.FromSnapshots);
            json.WriteNumber("replayed", r.Replayed);
            json.WritePropertyName("auc");
            if (Auc(r.Auc) is { } auc) json.WriteRawValue(auc);
            else json.WriteNullValue();
            json.WriteStartArray("bands");
            foreach (var b in r.Bands)
            {
                json.WriteStartObject();
                json.WriteString("band", HealthSignalNames.Name(b.Band));
                json.WriteNumber("observations", b.Observations);
                json.WriteNumber("churned", b.Churned);
                json.WritePropertyName("churnRate");
                if (ReportOutput.Ratio(b.ChurnRate) is { } rate) json.WriteRawValue(rate);
                else json.WriteNullValue();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Csv(BacktestResult r)
    {
        var csv = new StringBuilder();
        csv.AppendLine(ReportOutput.CsvLine("from", "to", "as_of", "band", "observations", "churned", "churn_rate", "auc"));
        var (from, to, asOf) = (ReportOutput.Date(r.From), ReportOutput.Date(r.To), ReportOutput.Date(r.AsOf));
        foreach (var b in r.Bands)
            csv.AppendLine(ReportOutput.CsvLine(from, to, asOf, HealthSignalNames.Name(b.Band), Int(b.Observations), Int(b.Churned), ReportOutput.Ratio(b.ChurnRate), null));
        csv.AppendLine(ReportOutput.CsvLine(from, to, asOf, "all", Int(r.Observations), Int(r.Churned),
            ReportOutput.Ratio(r.Observations == 0 ? null : (decimal)r.Churned / r.Observations), Auc(r.Auc)));
        return csv.ToString();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static Table Table(BacktestResult r)
    {
        var table = new Table()
            .Title(Markup.Escape($"Health score against churn within {r.HorizonDays} days, days {ReportOutput.Date(r.From)} to {ReportOutput.Date(r.To)}"))
            .AddColumn(new TableColumn("Band").Footer("[bold]All[/]"))
            .AddColumn(new TableColumn("Account-days").RightAligned().Footer($"[bold]{Int(r.Observations)}[/]"))
            .AddColumn(new TableColumn("Churned").RightAligned().Footer($"[bold]{Int(r.Churned)}[/]"))
            .AddColumn(new TableColumn("Churn rate").RightAligned()
                .Footer($"[bold]{ReportOutput.Percent(r.Observations == 0 ? null : (decimal)r.Churned / r.Observations)}[/]"))
            .Caption(Markup.Escape($"AUC {Auc(r.Auc) ?? "n/a"} (0.5 is chance, 1 a perfect ranking); {r.Accounts} account(s); "
                                   + $"{r.FromSnapshots} day(s) from stored snapshots, {r.Replayed} replayed"));
        foreach (var b in r.Bands)
            table.AddRow(HealthSignalNames.Name(b.Band), Int(b.Observations), Int(b.Churned), ReportOutput.Percent(b.ChurnRate));
        return table;
    }
}
