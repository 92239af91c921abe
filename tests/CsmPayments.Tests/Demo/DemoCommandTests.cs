using CsmPayments.Accounts;
using CsmPayments.Demo;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;

namespace CsmPayments.Tests.Demo;

public sealed class DemoCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "csm-payments-demo-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Demo_keeps_the_files_in_the_folder_given_and_prints_what_it_wrote()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var run = await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", "--accounts", "20", "--seed", "3", "--out", _folder);

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("seed 3, 2025-06-30 to 2026-06-30", run.Output);
        Assert.Contains("14 users, 20 accounts", run.Output);
        Assert.Contains($"CSV files kept in {_folder}", run.Output);
        Assert.All(DemoFiles.InImportOrder, file => Assert.True(File.Exists(Path.Combine(_folder, file)), file));
        Assert.Equal(21, File.ReadAllLines(Path.Combine(_folder, "accounts.csv")).Length);
    }

    [Fact]
    public async Task The_as_of_date_defaults_to_the_organisations_today()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var run = await CliRun.RunAsync(CliRun.Settings(test), new DateTimeOffset(2026, 3, 15, 23, 30, 0, TimeSpan.Zero),
            "demo", "--accounts", "5", "--out", _folder);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("seed 42, 2025-03-15 to 2026-03-15", run.Output);
        var lastUsage = File.ReadLines(Path.Combine(_folder, "usage.csv")).Skip(1).Max(l => l.Split(',')[1]);
        Assert.Equal("2026-03-15", lastUsage);
    }

    [Theory]
    [InlineData("--as-of", "30/06/2026", "csm-payments: --as-of must be a date written yyyy-MM-dd, not '30/06/2026'")]
    [InlineData("--accounts", "0", "csm-payments: --accounts must be between 1 and 1,000,000, not 0")]
    [InlineData("--as-of", "1066-10-14", "csm-payments: --as-of must be between 2000-01-01 and 9990-12-31, not 1066-10-14")]
    public async Task A_bad_option_is_one_clear_line(string option, string value, string message)
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var run = await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(message, run.Error.Trim());
    }

    [Fact]
    public async Task Demo_refuses_a_database_that_holds_another_company_and_writes_nothing_into_it()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await using (var db = test.Open())
        {
            var csm = new User("kim@acme.example", "Kim", UserRole.Csm, 40);
            db.Users.Add(csm);
            await db.SaveChangesAsync();
            db.Accounts.Add(new Account("CUST-1", "A real customer", "Retail", 40, "US", "Growth", csm.Id, "USD", null, null));
            await db.SaveChangesAsync();
        }

        var run = await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", "--accounts", "10", "--out", _folder);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("csm-payments: the database already holds 1 account, 1 of them not in this demo. Use an empty database", run.Error);
        await using (var db = test.Open())
            Assert.Equal(["CUST-1"], db.Accounts.Select(a => a.ExternalId).ToList());
    }
}
