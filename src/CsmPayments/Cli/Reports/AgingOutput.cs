using System.Text;
using System.Text.Json;
using CsmPayments.Metrics;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes <c>report aging</c> as a table for a slide, as JSON, or as CSV.</summary>
public static class AgingOutput
{
    public static async Task WriteAsync(AgingReport aging, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                await context.Output.WriteLineAsync(Json(aging));
                break;
            case ReportFormat.Csv:
                await context.Output.WriteAsync(Csv(aging));
                break;
            default:
                context.Console.Write(Table(aging));
                break;
        }
    }

    /// <summary><c>{"asOf":…,"currency":…,"buckets":{"current":n,"1-30":n,"31-60":n,"61-90":n,"90+":n},"total":n}</c>.</summary>
    public static string Json(AgingReport aging)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("asOf", ReportOutput.Date(aging.AsOf));
            json.WriteString("currency", aging.Currency);
            json.WriteStartObject("buckets");
            foreach (var bucket in AgingBuckets.All)
            {
                json.WritePropertyName(bucket.Key());
                json.WriteRawValue(ReportOutput.Amount(aging[bucket]));
            }
            json.WriteEndObject();
            json.WritePropertyName("total");
            json.WriteRawValue(ReportOutput.Amount(aging.Total));
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One row per bucket and a total row; the share is a fraction of the total, empty when nothing is owed.</summary>
    public static string Csv(AgingReport aging)
    {
        var csv = new StringBuilder();
        var asOf = ReportOutput.Date(aging.AsOf);
        csv.AppendLine(ReportOutput.CsvLine("as_of", "currency", "bucket", "amount", "share_of_total"));
        foreach (var bucket in AgingBuckets.All)
            csv.AppendLine(ReportOutput.CsvLine(asOf, aging.Currency, bucket.Key(), ReportOutput.Amount(aging[bucket]),
                ReportOutput.Ratio(aging.ShareOf(bucket))));
        csv.AppendLine(ReportOutput.CsvLine(asOf, aging.Currency, "total", ReportOutput.Amount(aging.Total),
            aging.Total.IsZero ? null : ReportOutput.Ratio(1m)));
        return csv.ToString();
    }

    public static Table Table(AgingReport aging)
    {
        var owing = aging.Accounts.Select(a => a.AccountId).Distinct().Count();
        var table = new Table()
            .Title(Markup.Escape($"AR aging as of {ReportOutput.Date(aging.AsOf)} ({aging.Currency})"))
            .AddColumn(new TableColumn("Days past due").Footer("[bold]Total[/]"))
            .AddColumn(new TableColumn(Markup.Escape($"Amount ({aging.Currency})")).RightAligned()
                .Footer($"[bold]{ReportOutput.AmountForPeople(aging.Total)}[/]"))
            .AddColumn(new TableColumn("Share").RightAligned()
                .Footer($"[bold]{(aging.Total.IsZero ? "n/a" : ReportOutput.Percent(1m))}[/]"))
            .Caption($"{owing} account(s) owe; other currencies at configured rates");
        foreach (var bucket in AgingBuckets.All)
            table.AddRow(Markup.Escape(Label(bucket)), ReportOutput.AmountForPeople(aging[bucket]), ReportOutput.Percent(aging.ShareOf(bucket)));
        return table;
    }

    private static string Label(AgingBucket bucket) => bucket switch
    {
        AgingBucket.Current => "Current (not yet due)",
        AgingBucket.Days1To30 => "1-30 days",
        AgingBucket.Days31To60 => "31-60 days",
        AgingBucket.Days61To90 => "61-90 days",
        AgingBucket.Over90 => "Over 90 days",
        _ => bucket.Key(),
    };
}
