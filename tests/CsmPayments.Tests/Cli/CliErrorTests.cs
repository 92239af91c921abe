using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;

namespace CsmPayments.Tests.Cli;

public sealed class CliErrorTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_unknown_verb_is_one_clear_line_and_a_non_zero_exit()
    {
        var run = await CliRun.RunAsync(new Dictionary<string, string?>(), Now, "frobnicate");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("csm-payments: Unrecognized command or argument 'frobnicate'.", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task An_unreachable_database_is_one_clear_line_not_a_stack_trace()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:CsmPayments"] = "Host=127.0.0.1;Port=1;Database=nowhere;Timeout=3",
        };
        var run = await CliRun.RunAsync(settings, Now, "db", "migrate");
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("csm-payments: database error", line);
        Assert.Contains("127.0.0.1:1", line);
    }

    [Fact]
    public async Task An_unsupported_provider_names_the_setting()
    {
        var run = await CliRun.RunAsync(new Dictionary<string, string?> { ["Database:Provider"] = "oracle" }, Now, "db", "migrate");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("csm-payments: Database:Provider 'oracle' is not supported: use 'sqlite' or 'postgres'", run.Error.Trim());
    }

    [Fact]
    public async Task A_file_that_is_not_a_sqlite_database_is_reported_as_a_database_error()
    {
        var file = Path.Combine(Path.GetTempPath(), $"not-a-db-{Guid.NewGuid():N}.db");
        await File.WriteAllTextAsync(file, "this is a text file, not a database, and it is long enough to have a header page......");
        try
        {
            var run = await CliRun.RunAsync(new Dictionary<string, string?> { ["ConnectionStrings:CsmPayments"] = $"Data Source={file}" }, Now, "db", "migrate");
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("csm-payments: database error", run.Error);
            Assert.DoesNotContain("   at ", run.Error);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Theory, Providers]
    public async Task Db_migrate_reports_up_to_date_on_a_migrated_database(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var run = await CliRun.RunAsync(CliRun.Settings(test), Now, "db", "migrate");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"The {provider} database is up to date.", run.Output.Trim());
    }
}
