using System.Text;
using System.Text.Json;
using CsmPayments.Metrics;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes <c>report metrics</c>: collections (DSO, CEI, average days delinquent) and retention (GRR, NRR, churn).</summary>
public static class MetricsOutput
{
    public static async Task WriteAsync(CollectionFigures collections, RetentionFigures retention, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                await context.Output.WriteLineAsync(Json(collections, retention));
                break;
            case ReportFormat.Csv:
                await context.Output.WriteAsync(Csv(collections, retention));
                break;
            default:
                context.Console.Write(Table(collections, retention));
                break;
        }
    }

    /// <summary>The figures in export order: JSON key, rounded value (null when not applicable), unit.</summary>
    private static IEnumerable<(string Key, string? Value, string Unit)> Figures(CollectionFigures c, RetentionFigures r) =>
    [
        ("dso", ReportOutput.Days(c.Dso), "days"),
        ("cei", ReportOutput.Cei(c.Cei), "percent"),
        ("averageDaysDelinquent", ReportOutput.Days(c.AverageDaysDelinquent), "days"),
        ("grr", ReportOutput.Ratio(r.Grr), "ratio"),
        ("nrr", ReportOutput.Ratio(r.Nrr), "ratio"),
        ("logoChurn", ReportOutput.Ratio(r.LogoChurn), "ratio"),
        ("delinquentChurn", ReportOutput.Ratio(r.DelinquentChurn), "ratio"),
    ];

    /// <summary>
    /// <c>{"from":…,"asOf":…,"currency":…,"dso":n,"cei":n,"averageDaysDelinquent":n,"grr":n,"nrr":n,"logoChurn":n,"delinquentChurn":n}</c>;
    /// a figure that does not apply (zero denominator) is <c>null</c>.
    /// </summary>
    public static string Json(CollectionFigures collections, RetentionFigures retention)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("from", ReportOutput.Date(collections.Period.From));
            json.WriteString("asOf", ReportOutput.Date(collections.Period.AsOf));
            json.WriteString("currency", collections.Currency);
            foreach (var (key, value, _) in Figures(collections, retention))
            {
                json.WritePropertyName(key);
                if (value is null) json.WriteNullValue();
                else json.WriteRawValue(value);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One row per figure with its unit; a figure that does not apply has an empty value.</summary>
    public static string Csv(CollectionFigures collections, RetentionFigures retention)
    {
        var csv = new StringBuilder();
        var from = ReportOutput.Date(collections.Period.From);
        var asOf = ReportOutput.Date(collections.Period.AsOf);
        csv.AppendLine(ReportOutput.CsvLine("from", "as_of", "currency", "metric", "value", "unit"));
        foreach (var (key, value, unit) in Figures(collections, retention))
            csv.AppendLine(ReportOutput.CsvLine(from, asOf, collections.Currency, key, value, unit));
        return csv.ToString();
    }

    public static Table Table(CollectionFigures c, RetentionFigures r)
    {
        var from = ReportOutput.Date(c.Period.From);
        var asOf = ReportOutput.Date(c.Period.AsOf);
        var windowStart = ReportOutput.Date(c.Period.AsOf.AddDays(-c.DsoDays));
        var nothingInvoiced = $"nothing invoiced after {windowStart}";
        var noMrr = $"no account had MRR on {from}";
        var money = ReportOutput.AmountForPeople;

        var table = new Table()
            .Title(Markup.Escape($"Collections and retention, {from} to {asOf} ({c.Currency})"))
            .AddColumn(new TableColumn("Metric"))
            .AddColumn(new TableColumn("Value").RightAligned())
            .AddColumn(new TableColumn("Based on"));
        void Row(string label, string value, string basis) => table.AddRow(Markup.Escape(label), Markup.Escape(value), Markup.Escape(basis));

        Row($"DSO ({c.DsoDays} days)", Days(c.Dso),
            c.Dso is null ? nothingInvoiced : $"AR {money(c.ArAtEnd)}; invoiced {money(c.InvoicedInDsoWindow)} in the {c.DsoDays} days to {asOf}");
        Row("CEI", c.Cei is { } cei ? ReportOutput.Cei(cei) + " %" : "n/a",
            c.Cei is null ? $"nothing to collect from {from} to {asOf}" : $"AR {money(c.ArAtStart)} on {from}; invoiced {money(c.InvoicedInPeriod)} since");
        Row("Average days delinquent", Days(c.AverageDaysDelinquent),
            c.AverageDaysDelinquent is null ? nothingInvoiced : $"DSO less best possible DSO {Days(c.BestPossibleDso)} (current AR {money(c.CurrentArAtEnd)})");
        var accounts = $"{r.AccountsCounted} account(s) with MRR {money(r.MrrAtStart)} on {from}";
        Row("GRR", ReportOutput.Percent(r.Grr), r.Grr is null ? noMrr : $"{accounts}; contraction {money(r.Contraction)}, churned {money(r.Churned)}");
        Row("NRR", ReportOutput.Percent(r.Nrr), r.Nrr is null ? noMrr : $"expansion {money(r.Expansion)}; MRR {money(r.MrrAtEnd)} on {asOf}");
        Row("Logo churn", ReportOutput.Percent(r.LogoChurn), r.LogoChurn is null ? noMrr : $"{r.AccountsChurned} of {r.AccountsCounted} account(s) left");
        Row("Delinquent churn", ReportOutput.Percent(r.DelinquentChurn),
            r.DelinquentChurn is null ? noMrr : $"{r.AccountsChurnedDelinquent} of {r.AccountsCounted} account(s) ended for non-payment");
        return table;
    }

    private static string Days(decimal? days) => ReportOutput.Days(days) is { } d ? d + " days" : "n/a";
}
