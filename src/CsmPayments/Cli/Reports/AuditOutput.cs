using System.Globalization;
using System.Text;
using System.Text.Json;
using CsmPayments.Audit;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes an account's audit log, oldest first.</summary>
public static class AuditOutput
{
    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static async Task WriteAsync(string account, IReadOnlyList<AuditEntry> entries, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                {
                    using var buffer = new MemoryStream();
                    using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
                    {
                        json.WriteStartObject();
                        json.WriteString("account", account);
                        json.WriteStartArray("entries");
                        foreach (var e in entries)
                        {
                            json.WriteStartObject();
                            json.WriteString("at", When(e.At));
                            json.WriteString("who", e.Actor);
                            json.WriteString("action", e.Action);
                            json.WriteString("detail", e.Detail);
                            if (e.Amount is { } amount)
                            {
                                json.WritePropertyName("amount");
                                json.WriteRawValue(ReportOutput.Amount(amount));
                                json.WriteString("currency", amount.Currency);
                            }
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                        json.WriteEndObject();
                    }
                    await context.Output.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray()));
                    break;
                }
            case ReportFormat.Csv:
                {
                    var csv = new StringBuilder(ReportOutput.CsvLine("at", "who", "action", "detail", "amount", "currency")).Append('\n');
                    foreach (var e in entries)
                        csv.Append(ReportOutput.CsvLine(When(e.At), e.Actor, e.Action, e.Detail, e.Amount is { } a ? ReportOutput.Amount(a) : null, e.Amount?.Currency)).Append('\n');
                    await context.Output.WriteAsync(csv.ToString());
                    break;
                }
            default:
                {
                    var table = new Table().Title($"Audit log: {Markup.Escape(account)}");
                    foreach (var c in new[] { "When", "Who", "What", "Detail", "Amount" }) table.AddColumn(c);
                    foreach (var e in entries)
                        table.AddRow(When(e.At), Markup.Escape(e.Actor), Markup.Escape(e.Action), Markup.Escape(e.Detail), e.Amount?.ToString() ?? "");
                    context.Console.Write(table);
                    if (entries.Count == 0) await context.Output.WriteLineAsync("No decisions recorded for this account yet.");
                    break;
                }
        }
    }
}
