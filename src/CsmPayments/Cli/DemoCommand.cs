using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CsmPayments.Demo;

namespace CsmPayments.Cli;

/// <summary><c>csm-payments demo</c>: writes a demo company as CSV files and imports them with the same rules as any import.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var accounts = new Option<int>("--accounts")
        {
            Description = $"How many customer accounts (1 to {DemoSettings.MaxAccounts:N0})",
            DefaultValueFactory = _ => DemoSettings.DefaultAccounts,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "The same seed gives the same company",
            DefaultValueFactory = _ => DemoSettings.DefaultSeed,
        };
        var asOf = new Option<string?>("--as-of") { Description = "The last day of history, yyyy-MM-dd (default: today)" };
        var output = new Option<string?>("--out") { Description = "Keep the CSV files in this folder (default: a temporary folder, removed afterwards)" };
        var command = new Command("demo", "Write a realistic demo company: users, accounts and a year of history") { accounts, seed, asOf, output };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(accounts), parse.GetValue(seed), parse.GetValue(asOf), parse.GetValue(output), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, int accounts, int seed, string? asOfText, string? output, CancellationToken ct)
    {
        if (accounts is < 1 or > DemoSettings.MaxAccounts)
            throw new UserErrorException($"--accounts must be between 1 and {DemoSettings.MaxAccounts:N0}, not {accounts}");
        var asOf = context.Today;
        if (asOfText is not null && !DateOnly.TryParseExact(asOfText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out asOf))
            throw new UserErrorException($"--as-of must be a date written yyyy-MM-dd, not '{asOfText}'");
        if (asOf < DemoSettings.MinAsOf || asOf > DemoSettings.MaxAsOf)
            throw new UserErrorException($"--as-of must be between {DemoSettings.MinAsOf:yyyy-MM-dd} and {DemoSettings.MaxAsOf:yyyy-MM-dd}, not {asOf:yyyy-MM-dd}");
        var settings = new DemoSettings(accounts, seed, asOf);

        var database = await context.DatabaseAsync(ct);
        var book = await DemoBook.ReadAsync(database, ct);
        var folder = output is null
            ? Path.Combine(Path.GetTempPath(), "csm-payments-demo-" + Guid.NewGuid().ToString("N")[..12])
            : Path.GetFullPath(output);
        var keep = output is not null;
        try
        {
            var clock = Stopwatch.StartNew();
            var summary = DemoFiles.Write(new DemoCompany(settings), folder, book.Observe, ct);
            var generated = clock.Elapsed;
            if (book.Conflict() is { } conflict)
                throw new UserErrorException(conflict + ". " + (book.LastUsageDay is { } last && last != asOf
                    ? $"If it is the demo written as of {last:yyyy-MM-dd}, pass --as-of {last:yyyy-MM-dd}; otherwise use an empty database."
                    : "Use an empty database (ConnectionStrings:CsmPayments, or CSM_PAYMENTS_HOME for the embedded one)."));

            clock.Restart();
            var results = await DemoImport.ImportAsync(database, folder, ct);
            var imported = clock.Elapsed;
            if (results[^1] is { Succeeded: false } rejected)
            {
                // The generator promises files the importer accepts; a rejection is its defect, shown in full with the files kept.
                keep = true;
                await context.Error.WriteLineAsync($"csm-payments: the importer rejected the demo's {rejected.File} with {rejected.ErrorCount:N0} error(s); nothing of it was stored:");
                foreach (var error in rejected.Errors.Take(20)) await context.Error.WriteLineAsync("  " + error);
                await context.Error.WriteLineAsync($"The demo files are in {folder}");
                return 1;
            }

            await Print(context, settings, summary, generated, imported, results.Sum(r => r.RowsChanged));
            if (output is not null) await context.Output.WriteLineAsync($"CSV files kept in {folder}");
            return 0;
        }
        finally
        {
            if (!keep && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Print(CliContext context, DemoSettings settings, DemoSummary s, TimeSpan generated, TimeSpan imported, long changed)
    {
        var o = context.Output;
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Demo company, seed {settings.Seed}, {settings.HistoryStart:yyyy-MM-dd} to {settings.AsOf:yyyy-MM-dd}:"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {s.Users:N0} users, {s.Accounts:N0} accounts, {s.Contacts:N0} contacts, {s.Subscriptions:N0} subscriptions"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {s.Invoices:N0} invoices, {s.Payments:N0} payments and attempts, {s.CreditNotes:N0} credit notes"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {s.UsageDays:N0} usage days, {s.Tickets:N0} tickets, {s.NpsResponses:N0} NPS responses, {s.Touchpoints:N0} touchpoints"));
        await o.WriteLineAsync("  accounts by fate: " + string.Join(", ", s.Fates.Where(f => f.Accounts > 0).Select(f => $"{f.Accounts} {Words(f.Fate)}")));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  generated in {generated.TotalSeconds:0.0} s, imported in {imported.TotalSeconds:0.0} s: ")
            + (changed == 0 ? "the database already held this demo, nothing changed" : string.Create(CultureInfo.InvariantCulture, $"{changed:N0} rows written")));
    }

    private static string Words(AccountFate fate) => fate switch
    {
        AccountFate.VoluntaryChurn => "churned (voluntary)",
        AccountFate.DelinquentChurn => "churned (delinquent)",
        AccountFate.SilentChurn => "silent churn",
        AccountFate.AtRisk => "at risk",
        _ => fate.ToString().ToLowerInvariant(),
    };
}
