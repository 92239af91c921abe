using System.CommandLine;
using System.Globalization;
using CsmPayments.Import;
using Spectre.Console;

namespace CsmPayments.Cli;

/// <summary><c>import KIND FILE</c>: one CSV file of DESIGN §4 into the database, all of it or, when any row is bad, none.</summary>
public static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var kind = new Argument<string>("kind") { Description = $"What the file holds: {string.Join(", ", ImportKinds.Names)}" };
        var file = new Argument<string>("file") { Description = "The CSV file: a header row, UTF-8, comma separated, dates yyyy-MM-dd" };
        var command = new Command("import", "Import one CSV file; a file with any bad row is rejected whole and nothing of it is stored");
        command.Arguments.Add(kind);
        command.Arguments.Add(file);
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(kind)!, parse.GetValue(file)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string kindWord, string path, CancellationToken ct)
    {
        ImportKind kind;
        try
        {
            kind = ImportKinds.Parse(kindWord);
        }
        catch (ArgumentException e)
        {
            throw new UserErrorException(e.Message);
        }
        if (Directory.Exists(path)) throw new UserErrorException($"{path} is a folder, not a CSV file");
        if (!File.Exists(path)) throw new UserErrorException($"file not found: {path}");

        var importer = new Importer(await context.DatabaseAsync(ct));
        var started = context.Clock.GetTimestamp();
        var result = context.Interactive
            ? await ImportShowingProgressAsync(context, importer, kind, path, ct)
            : await importer.ImportAsync(kind, path, null, ct);
        var elapsed = context.Clock.GetElapsedTime(started);

        if (!result.Succeeded)
        {
            foreach (var error in result.Errors) await context.Error.WriteLineAsync(error.ToString());
            if (result.ErrorCount > result.Errors.Count)
                await context.Error.WriteLineAsync(Invariant($"… and {result.ErrorCount - result.Errors.Count:N0} more errors"));
            await context.Output.WriteLineAsync(Invariant(
                $"{result.File} rejected: {result.BadRows:N0} bad {(result.BadRows == 1 ? "row" : "rows")}; nothing was imported."));
            return 1;
        }
        await context.Output.WriteLineAsync(Invariant(
            $"{result.File}: {result.RowsRead:N0} {(result.RowsRead == 1 ? "row" : "rows")} read, {result.RowsChanged:N0} new or changed, {result.RowsUnchanged:N0} unchanged ({elapsed.TotalSeconds:0.0} s)"));
        return 0;
    }

    private static Task<ImportResult> ImportShowingProgressAsync(CliContext context, Importer importer, ImportKind kind, string path,
        CancellationToken ct) =>
        context.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var name = Path.GetFileName(path);
                var task = progress.AddTask(Markup.Escape(name), maxValue: Math.Max(1, new FileInfo(path).Length));
                var result = await importer.ImportAsync(kind, path, new ProgressTaskReport(task, name), ct);
                task.StopTask();
                return result;
            });

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Moves the bar as the importer reads; called on the import's thread, which Spectre's tasks allow.</summary>
    private sealed class ProgressTaskReport(ProgressTask task, string name) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            task.Value = value.BytesRead;
            task.Description = Markup.Escape(Invariant($"{name}: {value.RowsRead:N0} rows"));
        }
    }
}
