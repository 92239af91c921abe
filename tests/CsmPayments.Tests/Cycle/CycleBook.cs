using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Demo;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Organisation;
using CsmPayments.Segments;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Usage;

namespace CsmPayments.Tests.Cycle;

/// <summary>
/// Three medium-touch accounts of one CSM as of <see cref="AsOf"/>: ACC-A healthy; ACC-B silently churning (no active
/// users since 20 days before, no touchpoint for 100 days); ACC-C with a failed card payment on an unpaid invoice.
/// </summary>
internal sealed class CycleBook
{
    public static readonly DateOnly AsOf = new(2026, 6, 30);

    public static EvaluationSettings Settings { get; } = new(new HealthOptions(), new SegmentOptions(),
        new ExchangeRates("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m }));

    public long CsmId { get; private set; }
    public long A { get; private set; }
    public long B { get; private set; }
    public long C { get; private set; }
    public long InvoiceC { get; private set; }

    /// <summary>Rates to US dollars for the demo company's currencies (those its catalogue prices in).</summary>
    public static Organisation.ExchangeRates DemoRates { get; } = new("USD", new Dictionary<string, decimal>
    {
        ["EUR"] = 1.08m,
        ["GBP"] = 1.27m,
        ["CAD"] = 0.73m,
        ["AUD"] = 0.66m,
        ["NZD"] = 0.60m,
        ["SGD"] = 0.74m,
        ["JPY"] = 0.0067m,
    });

    /// <summary>The demo company of 80 accounts (seed 11, as of <see cref="AsOf"/>), imported from its CSV files.</summary>
    public static async Task ImportDemoAsync(TestDatabase test)
    {
        var folder = Path.Combine(Path.GetTempPath(), "csm-payments-demo-book-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            DemoFiles.Write(new DemoCompany(new DemoSettings(80, 11, AsOf)), folder);
            var imported = await DemoImport.ImportAsync(test.Database, folder);
            Assert.All(imported, r => Assert.True(r.Succeeded));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static async Task<CycleBook> SeedAsync(TestDatabase test)
    {
        var book = new CycleBook();
        await using var db = test.Open();
        var csm = new User("casey@example.com", "Casey Smith", UserRole.Csm, 40);
        db.Users.Add(csm);
        await db.SaveChangesAsync();
        book.CsmId = csm.Id;

        Account Add(string id) => db.Accounts.Add(new Account(id, "Company " + id, "Software", 120, "US", "Growth", csm.Id, "USD", null, null)).Entity;
        var a = Add("ACC-A");
        var b = Add("ACC-B");
        var c = Add("ACC-C");
        await db.SaveChangesAsync();
        (book.A, book.B, book.C) = (a.Id, b.Id, c.Id);

        foreach (var account in new[] { a, b, c })
        {
            db.Subscriptions.Add(new Subscription("SUB-" + account.ExternalId, account.Id, "Growth", new Money(1_500m, "USD"), new DateOnly(2025, 1, 1), null,
                new DateOnly(2027, 1, 1), null));
            for (var day = AsOf.AddDays(-140); day <= AsOf.AddDays(10); day = day.AddDays(1))
            {
                var stopped = account == b && day > AsOf.AddDays(-20);
                db.UsageDays.Add(new UsageDay(account.Id, day, stopped ? 0 : 10, stopped ? 0 : 400));
            }
            if (account != b) db.Touchpoints.Add(new Touchpoint(account.Id, csm.Id, AsOf.AddDays(-5), TouchpointKind.Call, "check-in"));
            db.Touchpoints.Add(new Touchpoint(account.Id, csm.Id, AsOf.AddDays(-100), TouchpointKind.Qbr, "QBR"));
            db.NpsResponses.Add(new NpsResponse(account.Id, $"champion@{account.ExternalId.ToLowerInvariant()}.example", AsOf.AddDays(-60), 9, null));
            for (var month = 1; month <= 5; month++)
            {
                var issued = new DateOnly(2026, month, 1);
                var invoice = db.Invoices.Add(new Invoice($"INV-{account.ExternalId}-{month}", account.Id, issued, issued.AddDays(15), new Money(1_500m, "USD"), null, InvoiceStatus.Open)).Entity;
                await db.SaveChangesAsync();
                db.Payments.Add(new Payment($"PAY-{account.ExternalId}-{month}", account.Id, invoice.Id, new Money(1_500m, "USD"), issued.AddDays(10), PaymentMethod.Card,
                    PaymentStatus.Succeeded, null));
            }
        }
        var unpaid = db.Invoices.Add(new Invoice("INV-ACC-C-6", c.Id, AsOf.AddDays(-10), AsOf.AddDays(-5), new Money(1_500m, "USD"), null, InvoiceStatus.Open)).Entity;
        await db.SaveChangesAsync();
        book.InvoiceC = unpaid.Id;
        db.Payments.Add(new Payment("PAY-C-FAIL", c.Id, unpaid.Id, new Money(1_500m, "USD"), AsOf.AddDays(-3), PaymentMethod.Card, PaymentStatus.Failed, "card_declined"));
        db.Tickets.Add(new Ticket("TKT-A-1", a.Id, AsOf.AddDays(-40), TicketPriority.Normal, TicketStatus.Solved, AsOf.AddDays(-38), "How do I export?"));
        await db.SaveChangesAsync();
        return book;
    }

    public static Task<CycleSummary> RunAsync(TestDatabase test, DateOnly asOf, bool dryRun = false) =>
        DailyCycle.RunAsync(new CycleRun(test.Database, asOf, Settings, dryRun), CancellationToken.None);
}
