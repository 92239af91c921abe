using System.Globalization;
using System.Text;
using System.Text.Json;
using CsmPayments.Collections;
using Spectre.Console;

namespace CsmPayments.Cli.Reports;

/// <summary>Writes <c>report collections</c>, and the list a collection run (or its dry run) produced.</summary>
public static class CollectionsOutput
{
    public static async Task WriteAsync(DateOnly asOf, IReadOnlyList<CollectionsReportRow> rows, ReportFormat format, CliContext context)
    {
        switch (format)
        {
            case ReportFormat.Json:
                {
                    using var buffer = new MemoryStream();
                    using (var json = new Utf8JsonWriter(buffer, ReportOutput.JsonOptions))
                    {
                        json.WriteStartObject();
                        json.WriteString("asOf", ReportOutput.Date(asOf));
                        json.WriteStartArray("accounts");
                        foreach (var r in rows)
                        {
                            json.WriteStartObject();
                            json.WriteString("account", r.AccountExternalId);
                            json.WriteString("name", r.AccountName);
                            json.WriteString("tier", r.Tier.ToString().ToLowerInvariant());
                            json.WriteString("stage", r.Stage);
                            json.WriteString("nextStep", r.NextStep);
                            json.WriteString("nextOn", r.NextOn is { } d ? ReportOutput.Date(d) : null);
                            json.WriteString("nextInvoice", r.NextInvoice);
                            json.WriteStartArray("pauses");
                            foreach (var p in r.Pauses) json.WriteStringValue(p);
                            json.WriteEndArray();
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
                    var csv = new StringBuilder(ReportOutput.CsvLine("account", "name", "tier", "stage", "next_step", "next_on", "next_invoice", "pauses")).Append('\n');
                    foreach (var r in rows)
                        csv.Append(ReportOutput.CsvLine(r.AccountExternalId, r.AccountName, r.Tier.ToString().ToLowerInvariant(), r.Stage, r.NextStep,
                            r.NextOn is { } d ? ReportOutput.Date(d) : null, r.NextInvoice, string.Join("; ", r.Pauses))).Append('\n');
                    await context.Output.WriteAsync(csv.ToString());
                    break;
                }
            default:
                {
                    var table = new Table().Title($"Collections as of {ReportOutput.Date(asOf)}");
                    foreach (var c in new[] { "Account", "Tier", "Stage", "Next step", "On", "Invoice", "Pauses" }) table.AddColumn(c);
                    foreach (var r in rows)
                        table.AddRow(Markup.Escape(r.AccountName), r.Tier.ToString().ToLowerInvariant(), Markup.Escape(r.Stage), Markup.Escape(r.NextStep ?? "—"),
                            r.NextOn is { } d ? ReportOutput.Date(d) : "—", Markup.Escape(r.NextInvoice ?? ""), Markup.Escape(string.Join("; ", r.Pauses)));
                    context.Console.Write(table);
                    if (rows.Count == 0) await context.Output.WriteLineAsync("No account owes anything.");
                    break;
                }
        }
    }

    /// <summary>What a collection run did, or in a dry run would do: one line per message, task or decision.</summary>
    public static async Task WriteCycleAsync(CycleResult result, CliContext context)
    {
        var verb = result.DryRun ? "would" : "did";
        var c = CultureInfo.InvariantCulture;
        var decisions = result.Counts.Where(k => k.Key is not (CycleItemKind.Email or CycleItemKind.Task)).Sum(k => k.Value);
        await context.Output.WriteLineAsync($"Collections {ReportOutput.Date(result.AsOf)}{(result.DryRun ? " (dry run: nothing changed)" : "")}: " +
                                            string.Create(c, $"{result.Count(CycleItemKind.Email):N0} message(s), {result.Count(CycleItemKind.Task):N0} task(s), ") +
                                            string.Create(c, $"{decisions:N0} decision(s) {verb} happen") +
                                            (result.AlreadyDone > 0 ? string.Create(c, $"; {result.AlreadyDone:N0} account(s) already done by another run") : "") + ".");
        foreach (var item in result.Items)
            await context.Output.WriteLineAsync($"  {item.Kind.ToString().ToLowerInvariant(),-14} {item.Account}: {item.Summary}");
        if (result.LeftOut > 0)
            await context.Output.WriteLineAsync(string.Create(c, $"  … and {result.LeftOut:N0} more, not listed here") +
                                                (result.DryRun ? "." : ": every message is in the outbox (outbox list), every task in the task list (task list), every decision in its account's audit log (audit)."));
    }
}
