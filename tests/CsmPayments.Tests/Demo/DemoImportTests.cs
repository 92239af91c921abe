using CsmPayments.Billing;
using CsmPayments.Demo;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Demo;

public sealed class DemoImportTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory, Providers]
    public async Task The_demo_imports_without_a_rejected_row_and_a_second_run_changes_nothing(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var folder = Path.Combine(Path.GetTempPath(), "csm-payments-demo-import-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var first = await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", "--accounts", "40", "--seed", "9", "--out", folder);
            Assert.Equal("", first.Error);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("rows written", first.Output);

            long Rows(string file) => File.ReadLines(Path.Combine(folder, file)).LongCount() - 1;
            await using (var db = test.Open())
            {
                Assert.Equal(Rows("users.csv"), await db.Users.LongCountAsync());
                Assert.Equal(40, await db.Accounts.LongCountAsync());
                Assert.Equal(Rows("contacts.csv"), await db.Contacts.LongCountAsync());
                Assert.Equal(Rows("subscriptions.csv"), await db.Subscriptions.LongCountAsync());
                Assert.Equal(Rows("invoices.csv"), await db.Invoices.LongCountAsync());
                Assert.Equal(Rows("payments.csv"), await db.Payments.LongCountAsync());
                Assert.Equal(Rows("credit_notes.csv"), await db.CreditNotes.LongCountAsync());
                Assert.Equal(Rows("usage.csv"), await db.UsageDays.LongCountAsync());
                Assert.Equal(Rows("tickets.csv"), await db.Tickets.LongCountAsync());
                Assert.Equal(Rows("nps.csv"), await db.NpsResponses.LongCountAsync());
                Assert.Equal(Rows("touchpoints.csv"), await db.Touchpoints.LongCountAsync());

                // What was stored gives each invoice the balance the generated rows give it.
                var asOf = DateOnly.FromDateTime(Now.Date);
                var generated = new DemoCompany(new DemoSettings(40, 9, asOf)).Accounts().ToList();
                var numbers = generated.SelectMany(a => a.Invoices).Select(i => i.Number).ToList();
                var expected = DemoLedger.Position(asOf, generated).Invoices.Select((b, i) => (numbers[i], b.Balance)).ToList();
                var invoices = await db.Invoices.ToListAsync();
                var byId = invoices.ToDictionary(i => i.Id, i => i.Number);
                var stored = Ledger.Position(asOf, invoices.Select(InvoiceFacts.Of), (await db.Payments.ToListAsync()).Select(PaymentFacts.Of),
                    (await db.CreditNotes.ToListAsync()).Select(CreditNoteFacts.Of));
                Assert.Equal(expected.OrderBy(e => e.Item1, StringComparer.Ordinal), stored.Invoices.Select(b => (byId[b.Invoice.Id], b.Balance)).OrderBy(e => e.Item1, StringComparer.Ordinal));
                Assert.Contains(expected, e => e.Balance.IsPositive);
            }

            var second = await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", "--accounts", "40", "--seed", "9");
            Assert.Equal("", second.Error);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("the database already held this demo, nothing changed", second.Output);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Another_demo_is_not_written_over_the_one_in_the_database()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        Assert.Equal(0, (await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", "--accounts", "10", "--seed", "9")).ExitCode);

        var otherSeed = await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", "--accounts", "10", "--seed", "10");
        Assert.Equal(2, otherSeed.ExitCode);
        Assert.StartsWith("csm-payments: the database already holds 10 accounts, 10 of them not as this demo writes them (e.g. ACC-00001).", otherSeed.Error);

        var nextDay = await CliRun.RunAsync(CliRun.Settings(test), Now.AddDays(1), "demo", "--accounts", "10", "--seed", "9");
        Assert.Equal(2, nextDay.ExitCode);
        Assert.Contains("If it is the demo written as of 2026-06-30, pass --as-of 2026-06-30", nextDay.Error);

        var larger = await CliRun.RunAsync(CliRun.Settings(test), Now, "demo", "--accounts", "15", "--seed", "9");
        Assert.Equal(0, larger.ExitCode);
        await using var db = test.Open();
        Assert.Equal(15, await db.Accounts.CountAsync());
    }

    [Fact]
    public async Task Importing_stops_at_the_first_file_the_importer_rejects_and_stores_nothing_of_it()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var folder = Path.Combine(Path.GetTempPath(), "csm-payments-demo-reject-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            DemoFiles.Write(new DemoCompany(new DemoSettings(10, 9, DateOnly.FromDateTime(Now.Date))), folder);
            var invoices = Path.Combine(folder, "invoices.csv");
            var lines = File.ReadAllLines(invoices);
            var fields = lines[1].Split(',');
            fields[5] = fields[5] == "USD" ? "EUR" : "USD"; // not the account's currency
            lines[1] = string.Join(',', fields);
            await File.WriteAllLinesAsync(invoices, lines);

            var results = await DemoImport.ImportAsync(test.Database, folder);

            Assert.Equal(DemoImport.Order.Take(5), results.Select(r => r.Kind));
            Assert.All(results.SkipLast(1), r => Assert.True(r.Succeeded));
            var rejected = results[^1];
            Assert.False(rejected.Succeeded);
            Assert.StartsWith("invoices.csv:2: ", rejected.Errors[0].ToString());
            await using var db = test.Open();
            Assert.Equal(0, await db.Invoices.CountAsync());
            Assert.Equal(10, await db.Accounts.CountAsync());
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
