using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;
using static CsmPayments.Tests.Metrics.LedgerBuilder;

namespace CsmPayments.Tests.Metrics;

/// <summary>
/// The small ledger stored in each database and read back through <c>csm-payments report</c> in-process.
/// Hand-computed figures (USD base, EUR at 1.08; as of 2026-03-31, period from 2026-01-01):
/// AR(S) = 250 + 1000 + 2000 = 3250; AR(E) = 250 (90+) + 300 (61-90) + 2000 (1-30) + 4000 + 1080 (current) = 7630;
/// current AR(E) = 5080; invoiced in (S, E] = 3000 + 4000 + 300 (uncollectible) + 1080 = 8380; invoiced in the 90 days
/// to E = 8380 + 2000 = 10380. DSO = 7630 / 10380 × 90 = 66.16; best = 5080 / 10380 × 90 = 44.05;
/// ADD = 2550 / 10380 × 90 = 22.11; CEI = (3250 + 8380 − 7630) / (3250 + 8380 − 5080) × 100 = 4000 / 6550 × 100 = 61.07.
/// MRR(S): A 1000, B 500 EUR = 540, C 600, D 400 = 2540; B grows to 750 EUR = 810 (expansion 270); C (delinquent) and
/// D (voluntary) churn 1000. GRR = 1540 / 2540 = 0.6063; NRR = 1810 / 2540 = 0.7126; logo churn 2 / 4; delinquent 1 / 4.
/// </summary>
public sealed class ReportCommandTests
{
    // 20:00 UTC on 03-30 is 09:00 on 03-31 in Auckland: "today" must come from the organisation's time zone.
    private static readonly DateTimeOffset Now = new(2026, 3, 30, 20, 0, 0, TimeSpan.Zero);

    private const string AgingJson =
        """{"asOf":"2026-03-31","currency":"USD","buckets":{"current":5080.00,"1-30":2000.00,"31-60":0.00,"61-90":300.00,"90+":250.00},"total":7630.00}""";

    private const string MetricsJson =
        """{"from":"2026-01-01","asOf":"2026-03-31","currency":"USD","dso":66.2,"cei":61.1,"averageDaysDelinquent":22.1,"grr":0.6063,"nrr":0.7126,"logoChurn":0.5000,"delinquentChurn":0.2500}""";

    [Theory, Providers]
    public async Task Aging_as_json_matches_the_hand_computed_ledger(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        var today = await RunAsync(test, "report", "aging", "--format", "json");
        var explicitDate = await RunAsync(test, "report", "aging", "--as-of", "2026-03-31", "--format", "json");
        var startOfYear = await RunAsync(test, "report", "aging", "--as-of", "2026-01-01", "--format", "json");

        Assert.Equal((0, AgingJson + "\n", ""), today);
        Assert.Equal((0, AgingJson + "\n", ""), explicitDate);
        // On 01-01: inv2 2000 not yet due; inv1 1000 one day late; inv0 250 31 days late; later invoices and payments unseen.
        Assert.Equal((0, """{"asOf":"2026-01-01","currency":"USD","buckets":{"current":2000.00,"1-30":1000.00,"31-60":250.00,"61-90":0.00,"90+":0.00},"total":3250.00}""" + "\n", ""),
            startOfYear);
    }

    [Theory, Providers]
    public async Task Metrics_as_json_match_the_hand_computed_ledger(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        var result = await RunAsync(test, "report", "metrics", "--from", "2026-01-01", "--as-of", "2026-03-31", "--format", "json");
        var defaultAsOf = await RunAsync(test, "report", "metrics", "--from", "2026-01-01", "--format", "json");

        Assert.Equal((0, MetricsJson + "\n", ""), result);
        Assert.Equal((0, MetricsJson + "\n", ""), defaultAsOf);
    }

    [Theory, Providers]
    public async Task Metrics_period_defaults_to_the_90_days_before_today(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        var (exit, output, error) = await RunAsync(test, "report", "metrics", "--format", "json");

        // From 2025-12-31: AR(S) = 250 + 1000 = 1250 and invoiced in (S, E] = 10380, so
        // CEI = (1250 + 10380 − 7630) / (1250 + 10380 − 5080) × 100 = 4000 / 6550 × 100 again; MRR is unchanged between 12-31 and 01-01.
        Assert.Equal((0, ""), (exit, error));
        Assert.Equal(MetricsJson.Replace("\"from\":\"2026-01-01\"", "\"from\":\"2025-12-31\"", StringComparison.Ordinal) + "\n", output);
    }

    [Theory, Providers]
    public async Task Aging_as_csv_and_as_a_table_show_the_same_figures(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        var csv = await RunAsync(test, "report", "aging", "--as-of", "2026-03-31", "--format", "csv");
        var table = await RunAsync(test, "report", "aging", "--as-of", "2026-03-31");

        Assert.Equal((0,
            """
            as_of,currency,bucket,amount,share_of_total
            2026-03-31,USD,current,5080.00,0.6658
            2026-03-31,USD,1-30,2000.00,0.2621
            2026-03-31,USD,31-60,0.00,0.0000
            2026-03-31,USD,61-90,300.00,0.0393
            2026-03-31,USD,90+,250.00,0.0328
            2026-03-31,USD,total,7630.00,1.0000

            """, ""), csv);

        Assert.Equal((0, ""), (table.Exit, table.Error));
        var lines = table.Output.Split('\n');
        Assert.Contains("AR aging as of 2026-03-31 (USD)", table.Output);
        Assert.Single(lines, l => l.Contains("Current (not yet due)") && l.Contains("5,080.00") && l.Contains("66.6 %"));
        Assert.Single(lines, l => l.Contains("1-30 days") && l.Contains("2,000.00") && l.Contains("26.2 %"));
        Assert.Single(lines, l => l.Contains("31-60 days") && l.Contains("0.00") && l.Contains("0.0 %"));
        Assert.Single(lines, l => l.Contains("61-90 days") && l.Contains("300.00") && l.Contains("3.9 %"));
        Assert.Single(lines, l => l.Contains("Over 90 days") && l.Contains("250.00") && l.Contains("3.3 %"));
        Assert.Single(lines, l => l.Contains("Total") && l.Contains("7,630.00") && l.Contains("100.0 %"));
    }

    [Theory, Providers]
    public async Task Metrics_as_csv_and_as_a_table_show_the_same_figures(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        var csv = await RunAsync(test, "report", "metrics", "--from", "2026-01-01", "--as-of", "2026-03-31", "--format", "csv");
        var table = await RunAsync(test, "report", "metrics", "--from", "2026-01-01", "--as-of", "2026-03-31", "--format", "table");

        Assert.Equal((0,
            """
            from,as_of,currency,metric,value,unit
            2026-01-01,2026-03-31,USD,dso,66.2,days
            2026-01-01,2026-03-31,USD,cei,61.1,percent
            2026-01-01,2026-03-31,USD,averageDaysDelinquent,22.1,days
            2026-01-01,2026-03-31,USD,grr,0.6063,ratio
            2026-01-01,2026-03-31,USD,nrr,0.7126,ratio
            2026-01-01,2026-03-31,USD,logoChurn,0.5000,ratio
            2026-01-01,2026-03-31,USD,delinquentChurn,0.2500,ratio

            """, ""), csv);

        Assert.Equal((0, ""), (table.Exit, table.Error));
        var lines = table.Output.Split('\n');
        Assert.Contains("Collections and retention, 2026-01-01 to 2026-03-31 (USD)", table.Output);
        Assert.Single(lines, l => l.Contains("DSO (90 days)") && l.Contains("66.2 days"));
        Assert.Single(lines, l => l.Contains("CEI") && l.Contains("61.1 %"));
        Assert.Single(lines, l => l.Contains("Average days delinquent") && l.Contains("22.1 days"));
        Assert.Single(lines, l => l.Contains("GRR") && l.Contains("60.6 %"));
        Assert.Single(lines, l => l.Contains("NRR") && l.Contains("71.3 %"));
        Assert.Single(lines, l => l.Contains("Logo churn") && l.Contains("50.0 %"));
        Assert.Single(lines, l => l.Contains("Delinquent churn") && l.Contains("25.0 %"));
    }

    [Theory, Providers]
    public async Task Metrics_on_an_empty_database_do_not_apply(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);

        var json = await RunAsync(test, "report", "metrics", "--format", "json");
        var aging = await RunAsync(test, "report", "aging", "--format", "json");

        Assert.Equal((0, """{"from":"2025-12-31","asOf":"2026-03-31","currency":"USD","dso":null,"cei":null,"averageDaysDelinquent":null,"grr":null,"nrr":null,"logoChurn":null,"delinquentChurn":null}""" + "\n", ""), json);
        Assert.Equal((0, """{"asOf":"2026-03-31","currency":"USD","buckets":{"current":0.00,"1-30":0.00,"31-60":0.00,"61-90":0.00,"90+":0.00},"total":0.00}""" + "\n", ""), aging);
    }

    [Theory, Providers]
    public async Task Bad_arguments_give_one_line_on_stderr_and_a_non_zero_exit(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        (string[] Args, string Error)[] cases =
        [
            (["report", "aging", "--as-of", "2026-3-31"], "csm-payments: --as-of '2026-3-31' is not a date: use yyyy-MM-dd, e.g. 2026-03-31"),
            (["report", "aging", "--as-of", "31/03/2026"], "csm-payments: --as-of '31/03/2026' is not a date: use yyyy-MM-dd, e.g. 2026-03-31"),
            (["report", "metrics", "--from", "2026-02-30"], "csm-payments: --from '2026-02-30' is not a date: use yyyy-MM-dd, e.g. 2026-03-31"),
            (["report", "metrics", "--from", "2026-04-01", "--as-of", "2026-03-31"],
                "csm-payments: --from 2026-04-01 is after --as-of 2026-03-31: the period must start on or before its end"),
            (["report", "aging", "--format", "xml"], "csm-payments: --format 'xml' is not supported: use table, json or csv"),
        ];
        foreach (var (args, expected) in cases)
        {
            var (exit, output, error) = await RunAsync(test, args);
            Assert.Equal((2, "", expected + "\n"), (exit, output, error));
        }
    }

    [Theory, Providers]
    public async Task A_currency_without_an_exchange_rate_is_named_in_one_line(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using (var db = test.Open())
        {
            var csm = new User("csm@example.com", "Casey", UserRole.Csm, 50);
            db.Users.Add(csm);
            await db.SaveChangesAsync();
            var swiss = new Account("CH-1", "Zürich AG", "Banking", 80, "CH", "Growth", csm.Id, "CHF", null, null);
            db.Accounts.Add(swiss);
            await db.SaveChangesAsync();
            db.Invoices.Add(new Invoice("CH-INV-1", swiss.Id, D("2026-03-01"), D("2026-03-31"), new Money(100m, "CHF"), null, InvoiceStatus.Open));
            await db.SaveChangesAsync();
        }

        var (exit, output, error) = await RunAsync(test, "report", "aging", "--format", "json");

        Assert.Equal((2, "", "csm-payments: no exchange rate to USD is configured for CHF: set Organisation:ExchangeRates:CHF\n"), (exit, output, error));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(TestDatabase test, params string[] args)
    {
        var settings = CliRun.Settings(test);
        settings["Organisation:TimeZone"] = "Pacific/Auckland";
        settings["Organisation:BaseCurrency"] = "USD";
        settings["Organisation:ExchangeRates:EUR"] = "1.08";
        var run = await CliRun.RunAsync(settings, Now, args);
        return (run.ExitCode, run.Output, run.Error);
    }

    /// <summary>The ledger of this class's summary, plus INV-P: paid in full in 2025, owing nothing on any date of the reports.</summary>
    internal static async Task SeedAsync(TestDatabase test)
    {
        await using var db = test.Open();
        var csm = new User("csm@example.com", "Casey", UserRole.Csm, 50);
        db.Users.Add(csm);
        await db.SaveChangesAsync();

        Account NewAccount(string id, string currency) => new(id, "Account " + id, "Software", 120, "US", "Growth", csm.Id, currency, null, null);
        var a = NewAccount("A", "USD");
        var b = NewAccount("B", "EUR");
        var c = NewAccount("C", "USD");
        var d = NewAccount("D", "USD");
        db.Accounts.AddRange(a, b, c, d);
        await db.SaveChangesAsync();

        Invoice NewInvoice(string number, Account account, string issued, string due, decimal amount, InvoiceStatus status = InvoiceStatus.Open) =>
            new(number, account.Id, D(issued), D(due), new Money(amount, account.Currency), null, status);
        var inv0 = NewInvoice("INV-0", a, "2025-11-01", "2025-12-01", 250.00m);
        var inv1 = NewInvoice("INV-1", a, "2025-12-01", "2025-12-31", 1000.00m);
        var inv2 = NewInvoice("INV-2", a, "2026-01-01", "2026-01-31", 2000.00m);
        var inv3 = NewInvoice("INV-3", a, "2026-02-15", "2026-03-17", 3000.00m);
        var inv4 = NewInvoice("INV-4", a, "2026-03-15", "2026-04-14", 4000.00m);
        var inv5 = NewInvoice("INV-5", a, "2026-02-01", "2026-03-01", 500.00m, InvoiceStatus.Void);
        var inv6 = NewInvoice("INV-6", a, "2026-02-01", "2026-03-01", 300.00m, InvoiceStatus.Uncollectible);
        var inv7 = NewInvoice("INV-7", a, "2026-04-01", "2026-05-01", 9999.00m);
        var invB = NewInvoice("INV-B1", b, "2026-03-01", "2026-03-31", 1000.00m);
        var invP = NewInvoice("INV-P", a, "2025-10-01", "2025-10-31", 500.00m);
        db.Invoices.AddRange(inv0, inv1, inv2, inv3, inv4, inv5, inv6, inv7, invB, invP);
        await db.SaveChangesAsync();

        var n = 0;
        Payment Paid(Account account, Invoice? invoice, decimal amount, string on, PaymentStatus status = PaymentStatus.Succeeded) =>
            new($"PAY-{++n}", account.Id, invoice?.Id, new Money(amount, account.Currency), D(on), PaymentMethod.Card, status,
                status == PaymentStatus.Failed ? "card_declined" : null);
        db.Payments.AddRange(
            Paid(a, inv1, 600.00m, "2026-01-15"),
            Paid(a, inv2, 2000.00m, "2026-02-10"),
            Paid(a, inv3, 1000.00m, "2026-03-20"),
            Paid(a, inv3, 2000.00m, "2026-04-02"),                   // after the as-of date
            Paid(a, inv4, 4000.00m, "2026-03-25", PaymentStatus.Failed),
            Paid(a, null, 75.00m, "2026-03-11"),                     // unapplied: credit, offsets nothing
            Paid(a, invP, 450.00m, "2025-10-20"));
        db.CreditNotes.AddRange(
            new CreditNote("CN-1", a.Id, inv1.Id, new Money(100.00m, "USD"), D("2026-02-01")),
            new CreditNote("CN-P", a.Id, invP.Id, new Money(50.00m, "USD"), D("2025-10-25")));

        Subscription Sub(string id, Account account, decimal mrr, string start, string? end = null, CancellationReason? reason = null) =>
            new(id, account.Id, "Growth", new Money(mrr, account.Currency), D(start), end is null ? null : D(end), null, reason);
        db.Subscriptions.AddRange(
            Sub("S-A", a, 1000m, "2025-01-01"),
            Sub("S-B1", b, 500m, "2025-06-01", "2026-02-01"),
            Sub("S-B2", b, 750m, "2026-02-01"),
            Sub("S-C", c, 600m, "2025-01-01", "2026-03-01", CancellationReason.Delinquent),
            Sub("S-D", d, 400m, "2025-01-01", "2026-02-15", CancellationReason.Voluntary));
        await db.SaveChangesAsync();
    }
}
