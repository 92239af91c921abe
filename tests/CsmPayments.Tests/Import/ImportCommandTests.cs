using CsmPayments.Cli;
using CsmPayments.Import;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CsmPayments.Tests.Import;

/// <summary><c>csm-payments import KIND FILE</c> end to end, in process, against a real database.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("csm-import-cli-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory, Providers]
    public async Task Import_prints_one_summary_line_and_exits_0(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var users = await WriteAsync("users.csv", ImportBook.Users);

        var first = await RunAsync(test, "import", "users", users);
        var second = await RunAsync(test, "import", "users", users);

        Assert.Equal((0, "users.csv: 2 rows read, 2 new or changed, 0 unchanged (0.0 s)\n", ""), first);
        Assert.Equal((0, "users.csv: 2 rows read, 0 new or changed, 2 unchanged (0.0 s)\n", ""), second);
    }

    [Theory, Providers]
    public async Task A_rejected_file_lists_each_error_on_stderr_says_nothing_was_imported_and_exits_1(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var users = await WriteAsync("users.csv", "email,name,role", "casey@example.com,Casey,csm", "lee@example.com,Lee,boss", "dee,Dee,cfo");

        var (exit, output, error) = await RunAsync(test, "import", "users", users);

        Assert.Equal(1, exit);
        Assert.Equal("users.csv:3: role: 'boss' is not one of: csm, collector, controller, cfo, cs_lead, admin\n" +
                     "users.csv:4: email: 'dee' is not an email address\n", error);
        Assert.Equal("users.csv rejected: 2 bad rows; nothing was imported.\n", output);
        await using var db = test.Open();
        Assert.Equal(0, await db.Users.CountAsync());
    }

    [Theory, Providers]
    public async Task Errors_past_the_first_thousand_are_summed_up_in_one_line(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var usage = await WriteAsync("usage.csv",
            ["account_external_id,date,active_users,events", .. Enumerable.Range(1, 1_003).Select(day => $"A-9,{UsageDates.Day(day)},1,1")]);

        var (exit, output, error) = await RunAsync(test, "import", "usage", usage);

        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((1, 1_001), (exit, lines.Length));
        Assert.Equal("usage.csv:1001: account_external_id: no account has external_id 'A-9'", lines[999]);
        Assert.Equal("… and 3 more errors", lines[1_000]);
        Assert.Equal("usage.csv rejected: 1,003 bad rows; nothing was imported.\n", output);
    }

    [Theory, Providers]
    public async Task Credit_notes_are_accepted_with_a_hyphen_and_one_row_is_one_row(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await new Importer(test.Database).ImportReferencesAsync(ImportKind.CreditNotes);
        var creditNotes = await WriteAsync("credit_notes.csv", ImportBook.CreditNotes);

        var result = await RunAsync(test, "import", "credit-notes", creditNotes);

        Assert.Equal((0, "credit_notes.csv: 1 row read, 1 new or changed, 0 unchanged (0.0 s)\n", ""), result);
        await using var db = test.Open();
        Assert.Equal("CN-1", (await db.CreditNotes.SingleAsync()).Number);
    }

    [Theory, Providers]
    public async Task On_a_terminal_the_progress_display_still_ends_with_the_summary(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var users = await WriteAsync("users.csv", ImportBook.Users);

        var (exit, output, error) = await RunOnTerminalAsync(test, "import", "users", users);

        Assert.Equal((0, ""), (exit, error));
        Assert.EndsWith("users.csv: 2 rows read, 2 new or changed, 0 unchanged (0.0 s)\n", output);
    }

    [Fact]
    public async Task A_missing_file_is_one_line_and_exit_code_2()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var missing = Path.Combine(_folder.FullName, "nope.csv");

        var result = await RunAsync(test, "import", "users", missing);

        Assert.Equal((2, "", $"csm-payments: file not found: {missing}\n"), result);
    }

    [Fact]
    public async Task An_unknown_kind_lists_the_kinds_and_exits_2()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var users = await WriteAsync("users.csv", ImportBook.Users);

        var result = await RunAsync(test, "import", "people", users);

        Assert.Equal((2, "", "csm-payments: 'people' is not something that can be imported; use one of: users, accounts, contacts, " +
                             "subscriptions, invoices, payments, credit_notes, usage, tickets, nps, touchpoints\n"), result);
    }

    [Fact]
    public async Task Import_without_a_file_is_a_usage_error_with_exit_code_2()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);

        var (exit, output, error) = await RunAsync(test, "import", "users");

        Assert.Equal((2, ""), (exit, output));
        Assert.StartsWith("csm-payments: ", error);
        Assert.EndsWith("Run 'csm-payments --help' for usage.\n", error);
    }

    private async Task<string> WriteAsync(string name, params string[] lines)
    {
        var path = Path.Combine(_folder.FullName, name);
        await File.WriteAllTextAsync(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(TestDatabase test, params string[] args)
    {
        var run = await CliRun.RunAsync(CliRun.Settings(test), Now, args);
        return (run.ExitCode, run.Output, run.Error);
    }

    /// <summary>As <see cref="CliRun"/>, but on what the command takes for a terminal, where it shows a progress display.</summary>
    private static async Task<(int Exit, string Output, string Error)> RunOnTerminalAsync(TestDatabase test, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(CliContext.BuildConfiguration(CliRun.Settings(test)), new FakeTimeProvider(Now), output, error, interactive: true);
        var exit = await CsmCli.RunAsync(args, context);
        return (exit, output.ToString(), error.ToString());
    }
}
