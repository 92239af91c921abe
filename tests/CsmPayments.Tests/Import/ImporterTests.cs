using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Import;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Import;

public sealed class ImporterTests
{
    [Theory, Providers]
    public async Task Every_file_of_the_design_imports_with_its_references_resolved(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);

        foreach (var (kind, lines) in ImportBook.All)
        {
            var result = await importer.ImportAsync(kind, lines);
            Assert.Equal([], result.Messages());
            Assert.True(result.Succeeded);
            Assert.Equal((kind, lines.Length - 1L, lines.Length - 1L), (result.Kind, result.RowsRead, result.RowsChanged));
        }

        await using var db = test.Open();
        var users = await db.Users.ToDictionaryAsync(u => u.Email);
        var accounts = await db.Accounts.ToDictionaryAsync(a => a.ExternalId);
        var invoices = await db.Invoices.ToDictionaryAsync(i => i.Number);
        var (casey, cole, acme, beta) = (users["casey@example.com"], users["cole@example.com"], accounts["A-1"], accounts["A-2"]);

        Assert.Equal((UserRole.Csm, (int?)50), (casey.Role, casey.Capacity));
        Assert.Equal((UserRole.Collector, (int?)null), (cole.Role, cole.Capacity));
        Assert.Equal(("Acme", 40, "US", casey.Id, "USD", "America/New_York", (ServiceTier?)ServiceTier.High),
            (acme.Name, acme.Employees, acme.Country, acme.CsmId, acme.Currency, acme.TimeZone, acme.Tier));
        Assert.Equal(("DE", casey.Id, "EUR", (string?)null, (ServiceTier?)null), (beta.Country, beta.CsmId, beta.Currency, beta.TimeZone, beta.Tier));

        var contacts = await db.Contacts.OrderBy(c => c.Email).Select(c => new { c.Email, c.AccountId, c.Role }).ToListAsync();
        Assert.Equal([("ap@acme.example", acme.Id, ContactRole.Billing), ("champ@beta.example", beta.Id, ContactRole.Champion)],
            contacts.Select(c => (c.Email, c.AccountId, c.Role)));

        var ended = await db.Subscriptions.SingleAsync(s => s.ExternalId == "S-2");
        Assert.Equal((beta.Id, new Money(250.50m, "EUR"), new DateOnly(2025, 12, 1), (CancellationReason?)CancellationReason.Voluntary),
            (ended.AccountId, ended.Mrr, ended.EndDate, ended.CancellationReason));

        Assert.Equal((acme.Id, new Money(1200m, "USD"), "PO-7", InvoiceStatus.Open),
            (invoices["INV-1"].AccountId, invoices["INV-1"].Amount, invoices["INV-1"].PoNumber, invoices["INV-1"].Status));
        Assert.Equal(InvoiceStatus.Void, invoices["INV-3"].Status);

        var payments = await db.Payments.OrderBy(p => p.ExternalId).ToListAsync();
        Assert.Equal(
            [
                ("P-1", acme.Id, (long?)invoices["INV-1"].Id, 1000.00m, PaymentStatus.Succeeded, (string?)null),
                ("P-2", acme.Id, invoices["INV-1"].Id, 200.00m, PaymentStatus.Failed, "card_declined"),
                ("P-3", beta.Id, null, 50.00m, PaymentStatus.Succeeded, null),
            ],
            payments.Select(p => (p.ExternalId, p.AccountId, p.InvoiceId, p.AmountValue, p.Status, p.FailureCode)));

        var creditNote = await db.CreditNotes.SingleAsync();
        Assert.Equal((acme.Id, invoices["INV-1"].Id, new Money(200m, "USD")), (creditNote.AccountId, creditNote.InvoiceId, creditNote.Amount));

        Assert.Equal(630L, await db.UsageDays.Where(u => u.AccountId == acme.Id).SumAsync(u => u.Events));
        Assert.Equal("Invoice PDF missing, please resend", (await db.Tickets.SingleAsync(t => t.ExternalId == "T-1")).Subject);
        var detractor = await db.NpsResponses.SingleAsync(n => n.AccountId == beta.Id);
        Assert.Equal(("champ@beta.example", 4, (string?)null), (detractor.ContactEmail, detractor.Score, detractor.Comment));
        Assert.Equal([(acme.Id, casey.Id, TouchpointKind.Call), (acme.Id, cole.Id, TouchpointKind.Email), (beta.Id, casey.Id, TouchpointKind.Qbr)],
            (await db.Touchpoints.OrderBy(t => t.Id).ToListAsync()).Select(t => (t.AccountId, t.UserId, t.Kind)));
    }

    [Theory, Providers]
    public async Task Reimporting_the_same_file_changes_nothing(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        foreach (var (kind, lines) in ImportBook.All) Assert.True((await importer.ImportAsync(kind, lines)).Succeeded);
        var before = await ImportBook.SnapshotAsync(test);

        foreach (var (kind, lines) in ImportBook.All)
        {
            var again = await importer.ImportAsync(kind, lines);
            Assert.True(again.Succeeded);
            Assert.Equal((kind, lines.Length - 1L, 0L, lines.Length - 1L), (again.Kind, again.RowsRead, again.RowsChanged, again.RowsUnchanged));
        }

        Assert.Equal(before, await ImportBook.SnapshotAsync(test));
        Assert.Equal(25, before.Length);
    }

    [Theory, Providers]
    public async Task A_changed_value_updates_the_stored_row_and_a_new_key_adds_one(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Payments);
        Assert.Equal(3, (await importer.ImportAsync(ImportKind.Payments, ImportBook.Payments)).RowsChanged);

        var result = await importer.ImportAsync(ImportKind.Payments,
            "external_id,account_external_id,invoice_number,amount,currency,paid_on,method,status,failure_code",
            "P-1,A-1,INV-1,1000.00,USD,2026-02-01,card,succeeded,",
            "P-2,A-1,INV-1,200.00,USD,2026-02-03,card,succeeded,",
            "P-4,A-1,,5.00,USD,2026-02-05,ach,succeeded,");

        Assert.Equal((3L, 2L, 1L), (result.RowsRead, result.RowsChanged, result.RowsUnchanged));
        await using var db = test.Open();
        Assert.Equal([("P-1", PaymentStatus.Succeeded, (string?)null), ("P-2", PaymentStatus.Succeeded, null), ("P-3", PaymentStatus.Succeeded, null), ("P-4", PaymentStatus.Succeeded, null)],
            (await db.Payments.OrderBy(p => p.ExternalId).ToListAsync()).Select(p => (p.ExternalId, p.Status, p.FailureCode)));
    }

    [Theory, Providers]
    public async Task Reimporting_accounts_keeps_the_stripe_customer_link_no_file_carries(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Accounts);
        Assert.True((await importer.ImportAsync(ImportKind.Accounts, ImportBook.Accounts)).Succeeded);
        await using (var db = test.Open())
        {
            var acme = await db.Accounts.SingleAsync(a => a.ExternalId == "A-1");
            db.Entry(acme).Property(a => a.StripeCustomerId).CurrentValue = "cus_123";
            await db.SaveChangesAsync();
        }

        var renamed = await importer.ImportAsync(ImportKind.Accounts,
            "external_id,name,industry,employees,country,plan,csm_email,currency",
            "A-1,Acme Corp,Retail,40,US,Growth,casey@example.com,USD");

        Assert.Equal(1, renamed.RowsChanged);
        await using var check = test.Open();
        var stored = await check.Accounts.SingleAsync(a => a.ExternalId == "A-1");
        Assert.Equal(("Acme Corp", "cus_123", (string?)null), (stored.Name, stored.StripeCustomerId, stored.TimeZone));
    }

    [Theory, Providers]
    public async Task A_file_with_one_bad_row_stores_none_of_its_good_rows(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Invoices);
        var before = await ImportBook.SnapshotAsync(test);

        var result = await importer.ImportAsync(ImportKind.Invoices,
            "number,account_external_id,issue_date,due_date,amount,currency",
            "INV-1,A-1,2026-01-10,2026-02-09,1200.00,USD",
            "INV-2,A-2,2026-01-15,2026-02-14,300.00,EUR",
            "INV-3,A-1,2026-01-15,2026-02-14,-300.00,USD");

        Assert.Equal(["invoices.csv:4: amount: '-300.00' is negative; an amount cannot be negative"], result.Messages());
        Assert.Equal((false, 3L, 0L, 1, 1), (result.Succeeded, result.RowsRead, result.RowsChanged, result.ErrorCount, result.BadRows));
        Assert.Equal(before, await ImportBook.SnapshotAsync(test));
    }

    [Theory, Providers]
    public async Task Every_bad_row_is_reported_not_just_the_first(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Usage);

        var result = await importer.ImportAsync(ImportKind.Usage,
            "account_external_id,date,active_users,events",
            "A-1,2026-01-01,12,340",
            "A-1,2026-01-02,ten,290",
            "A-1,2026-01-03,10,290",
            "A-3,2026-01-04,10,290",
            "A-1,2026-01-05,10,290",
            "A-1,01/06/2026,10,-4");

        Assert.Equal(
        [
            "usage.csv:3: active_users: 'ten' is not a whole number",
            "usage.csv:5: account_external_id: no account has external_id 'A-3'",
            "usage.csv:7: date: '01/06/2026' is not a date (expected yyyy-MM-dd)",
            "usage.csv:7: events: '-4' is negative; expected a whole number of 0 or more",
        ], result.Messages());
        Assert.Equal((4, 3, 6L), (result.ErrorCount, result.BadRows, result.RowsRead));
    }

    [Theory, Providers]
    public async Task A_bad_row_after_sixty_thousand_good_ones_stores_nothing_and_keeps_what_was_stored(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Usage);
        Assert.True((await importer.ImportAsync(ImportKind.Usage, "account_external_id,date,active_users,events", "A-1,2026-01-01,12,340")).Succeeded);
        var before = await ImportBook.SnapshotAsync(test);

        // More rows than one PostgreSQL batch, so the bad row arrives after rows were already written.
        var lines = new List<string> { "account_external_id,date,active_users,events", "A-1,2026-01-01,99,999" };
        lines.AddRange(Enumerable.Range(1, 60_000).Select(day => $"A-2,{UsageDates.Day(day)},1,{day}"));
        lines.Add("A-1,2026-01-02,1,NaN");
        var result = await importer.ImportAsync(ImportKind.Usage, lines.ToArray());

        Assert.Equal(["usage.csv:60003: events: 'NaN' is not a whole number"], result.Messages());
        Assert.Equal((60_002L, 0L), (result.RowsRead, result.RowsChanged));
        Assert.Equal(before, await ImportBook.SnapshotAsync(test));
    }

    [Theory, Providers]
    public async Task Cancelling_an_import_midway_stores_nothing(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Usage);
        var lines = new List<string> { "account_external_id,date,active_users,events" };
        lines.AddRange(Enumerable.Range(1, 80_000).Select(day => $"A-1,{UsageDates.Day(day)},1,{day}"));
        using var cancel = new CancellationTokenSource();
        var cancelAfterSixtyThousand = new SynchronousProgress(p =>
        {
            if (p.RowsRead >= 60_000) cancel.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            importer.ImportAsync(ImportKind.Usage, new StringReader(string.Join("\n", lines)), "usage.csv", cancelAfterSixtyThousand, cancel.Token));

        await using var db = test.Open();
        Assert.Equal(0, await db.UsageDays.CountAsync());
    }

    [Theory, Providers]
    public async Task Errors_beyond_the_first_thousand_are_counted_but_not_listed(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        var lines = new List<string> { "account_external_id,date,active_users,events" };
        lines.AddRange(Enumerable.Range(1, 1_200).Select(day => $"A-9,{UsageDates.Day(day)},1,1"));

        var result = await importer.ImportAsync(ImportKind.Usage, lines.ToArray());

        Assert.Equal((1_000, 1_200, 1_200), (result.Errors.Count, result.ErrorCount, result.BadRows));
        Assert.Equal("usage.csv:1001: account_external_id: no account has external_id 'A-9'", result.Errors[^1].ToString());
    }

    [Theory, Providers]
    public async Task A_200_000_row_usage_file_streams_from_disk(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Accounts);
        var folder = Directory.CreateTempSubdirectory("csm-import-");
        try
        {
            var accounts = Path.Combine(folder.FullName, "accounts.csv");
            await File.WriteAllLinesAsync(accounts, new[] { "external_id,name,industry,employees,country,plan,csm_email,currency" }
                .Concat(Enumerable.Range(0, 200).Select(i => $"B-{i},Company {i},Retail,{i},US,Growth,casey@example.com,USD")));
            Assert.Equal(200, (await importer.ImportAsync(ImportKind.Accounts, accounts)).RowsChanged);

            var usage = Path.Combine(folder.FullName, "usage.csv");
            long expectedEvents = 0;
            await using (var writer = new StreamWriter(usage))
            {
                await writer.WriteLineAsync("account_external_id,date,active_users,events");
                for (var account = 0; account < 200; account++)
                    for (var day = 0; day < 1_000; day++)
                    {
                        expectedEvents += account + day;
                        await writer.WriteLineAsync($"B-{account},{UsageDates.Day(day)},{day % 40},{account + day}");
                    }
            }
            var reports = new List<ImportProgress>();

            var result = await importer.ImportAsync(ImportKind.Usage, usage, new SynchronousProgress(reports.Add));

            Assert.Equal((true, "usage.csv", 200_000L, 200_000L), (result.Succeeded, result.File, result.RowsRead, result.RowsChanged));
            var length = new FileInfo(usage).Length;
            Assert.Equal(new ImportProgress(200_000, length, length), reports[^1]);
            Assert.Equal(21, reports.Count); // every 10,000 rows, and at the end
            Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.BytesRead > p.First.BytesRead));
            await using var db = test.Open();
            Assert.Equal(200_000, await db.UsageDays.CountAsync());
            Assert.Equal(expectedEvents, await db.UsageDays.SumAsync(u => u.Events));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}

/// <summary>Calls back on the importing thread, unlike <see cref="Progress{T}"/>, so a test sees every report in order.</summary>
internal sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
{
    public void Report(ImportProgress value) => report(value);
}

internal static class UsageDates
{
    public static string Day(int offset) => new DateOnly(2020, 1, 1).AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
