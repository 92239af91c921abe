using System.Globalization;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Collections;
using CsmPayments.Messaging;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;

namespace CsmPayments.Tests.Collections;

/// <summary>
/// A small book on a real database for collection scenarios: the four people of the escalation ladder, accounts with
/// invoices and payments, the shipped playbook and templates, a fake clock, and the cycle and dispatcher over them.
/// </summary>
public sealed class CollectionsWorld : IAsyncDisposable
{
    public static readonly DateOnly Start = D("2026-01-05");

    private CollectionsWorld(TestDatabase database, FakeTimeProvider clock)
    {
        Database = database;
        Clock = clock;
    }

    public TestDatabase Database { get; }
    public FakeTimeProvider Clock { get; }
    public OrganisationOptions Organisation { get; } = new() { Name = "Northwind Analytics", ExchangeRates = new(StringComparer.OrdinalIgnoreCase) { ["EUR"] = 1.08m } };
    public Playbook Playbook { get; private set; } = ShippedPlaybook();
    public MessageTemplates Templates { get; } = ShippedTemplates();
    public PaymentLinks Links { get; } = new(new EphemeralDataProtectionProvider(), "https://pay.northwind.test");

    public long Csm { get; private set; }
    public long Collector { get; private set; }
    public long Controller { get; private set; }
    public long Cfo { get; private set; }

    public static DateOnly D(string date) => DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string ShippedFile(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static MessageTemplates ShippedTemplates() => MessageTemplates.LoadDirectory(ShippedFile("templates"));

    public static Playbook ShippedPlaybook() => PlaybookFile.Load(ShippedFile(PlaybookFile.DefaultFileName), ShippedTemplates().Has);

    public static async Task<CollectionsWorld> CreateAsync(StorageProvider provider)
    {
        var world = new CollectionsWorld(await TestDatabase.CreateAsync(provider), new FakeTimeProvider(At(Start)));
        await using var db = world.Database.Open();
        var users = new[]
        {
            new User("casey@northwind.test", "Casey Morgan", UserRole.Csm, 50),
            new User("carla@northwind.test", "Carla Diaz", UserRole.Collector, null),
            new User("conor@northwind.test", "Conor Walsh", UserRole.Controller, null),
            new User("fiona@northwind.test", "Fiona Lee", UserRole.Cfo, null),
        };
        db.Users.AddRange(users);
        await db.SaveChangesAsync();
        (world.Csm, world.Collector, world.Controller, world.Cfo) = (users[0].Id, users[1].Id, users[2].Id, users[3].Id);
        return world;
    }

    public static DateTimeOffset At(DateOnly date) => new(date.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero);

    public void UsePlaybook(string yaml) => Playbook = PlaybookFile.Parse(yaml, "test.yaml", Templates.Has);

    public async Task<long> AccountAsync(string name, string? billingEmail = "ap@{0}.test", string currency = "USD", DateOnly? subscribedFrom = null, DateOnly? renewal = null, decimal mrr = 1000m)
    {
        await using var db = Database.Open();
        var slug = name.ToLowerInvariant().Replace(' ', '-');
        var account = new Account(slug, name, "Software", 120, "US", "Growth", Csm, currency, null, null);
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        if (billingEmail is not null) db.Contacts.Add(new Contact(string.Format(CultureInfo.InvariantCulture, billingEmail, slug), account.Id, $"{name} Payables", ContactRole.Billing));
        db.Subscriptions.Add(new Subscription($"sub-{slug}", account.Id, "Growth", new Money(mrr, currency), subscribedFrom ?? D("2025-01-01"), null, renewal, null));
        await db.SaveChangesAsync();
        return account.Id;
    }

    public async Task<long> InvoiceAsync(long accountId, string number, DateOnly issued, DateOnly due, decimal amount, string? po = null, string currency = "USD")
    {
        await using var db = Database.Open();
        var invoice = new Invoice(number, accountId, issued, due, new Money(amount, currency), po, InvoiceStatus.Open);
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync();
        return invoice.Id;
    }

    public async Task PayAsync(long accountId, long? invoiceId, decimal amount, DateOnly on, string currency = "USD")
    {
        await using var db = Database.Open();
        db.Payments.Add(new Payment($"pay-{Guid.NewGuid():N}", accountId, invoiceId, new Money(amount, currency), on, PaymentMethod.Ach, PaymentStatus.Succeeded, null));
        await db.SaveChangesAsync();
    }

    public CsmPayments.Workflows.CollectionWorkflows Workflows() => new(Database.Database, Playbook.Settings, Organisation.Rates(), Clock);

    public CollectionCycle Cycle() => new(Database.Database, Playbook, Templates, Organisation, Links, Clock);

    public OutboxDispatcher Dispatcher(int port) => new(Database.Database, Smtp(port), Clock);

    public static SmtpOptions Smtp(int port) => new() { Host = "127.0.0.1", Port = port, UseTls = false, From = "billing@northwind.test" };

    /// <summary>
    /// Whether <see cref="RunDayAsync"/> writes as the daily cycle does on SQLite: the day's renewal invoices first, then
    /// every range read on its own connection and written in one transaction that holds the write lock from its start
    /// (<see cref="HeldWriteLock"/>), committed at the end.
    /// </summary>
    public bool WritesUnderHeldLock { get; set; }

    /// <summary>Sets the clock to the morning of <paramref name="day"/> and runs the cycle for it.</summary>
    public async Task<CycleResult> RunDayAsync(DateOnly day, bool dryRun = false)
    {
        var now = At(day);
        if (now > Clock.GetUtcNow()) Clock.SetUtcNow(now);
        if (!WritesUnderHeldLock) return await Cycle().RunAsync(day, dryRun);
        var cycle = Cycle();
        cycle.EnsurePaymentLinkKey();
        var renewals = await cycle.IssueRenewalInvoicesAsync(day, dryRun, null, CancellationToken.None);
        await using var writer = Database.Open();
        await using var transaction = await writer.Database.BeginTransactionAsync();
        using var held = new HeldWriteLock(writer);
        var result = await cycle.RunAsync(day, dryRun, renewalsIssued: renewals, held: held);
        await transaction.CommitAsync();
        return result;
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
