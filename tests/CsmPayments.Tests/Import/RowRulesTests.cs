using CsmPayments.Import;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;

namespace CsmPayments.Tests.Import;

/// <summary>Each file's rules: every bad row reported as file:line: column: reason, in plain words, and the file rejected.</summary>
public sealed class RowRulesTests
{
    [Theory, Providers]
    public async Task Users_need_an_email_a_name_a_known_role_and_a_positive_capacity(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Users,
            "email,name,role,capacity",
            "casey@example.com,Casey,csm,50",
            "not-an-email,Ann,csm,",
            "bob@example.com,,manager,0",
            "CASEY@example.com,Casey Again,cs_lead,-2",
            "dee@example.com,Dee,CFO,12.5");

        AssertRejected(result,
            "users.csv:3: email: 'not-an-email' is not an email address",
            "users.csv:4: name: a value is required",
            "users.csv:4: role: 'manager' is not one of: csm, collector, controller, cfo, cs_lead, admin",
            "users.csv:4: capacity: '0' is less than 1; expected a whole number of 1 or more",
            "users.csv:5: capacity: '-2' is negative; expected a whole number of 1 or more",
            "users.csv:5: email: user casey@example.com already appears on line 2",
            "users.csv:6: capacity: '12.5' is not a whole number");
    }

    [Theory, Providers]
    public async Task Accounts_need_an_existing_csm_a_known_currency_and_valid_codes(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Accounts,
            "external_id,name,industry,employees,country,plan,csm_email,currency,timezone,tier",
            "A-1,Acme,Retail,40,US,Growth,casey@example.com,USD,,",
            "A-2,Beta,Software,-3,USA,Starter,nobody@example.com,XYZ,Mars/Olympus,gold",
            "A-1,Acme Again,Retail,1.5,US,Growth,casey@example.com,USD,,",
            ",No Id,Retail,1,US,Growth,,USD,,");

        AssertRejected(result,
            "accounts.csv:3: employees: '-3' is negative; expected a whole number of 0 or more",
            "accounts.csv:3: country: 'USA' is not a two-letter ISO 3166 country code (such as US or DE)",
            "accounts.csv:3: csm_email: no user has email 'nobody@example.com'",
            "accounts.csv:3: currency: 'XYZ' is not an ISO-4217 currency code",
            "accounts.csv:3: timezone: 'Mars/Olympus' is not an IANA time zone (such as Europe/Berlin)",
            "accounts.csv:3: tier: 'gold' is not one of: high, medium, low",
            "accounts.csv:4: employees: '1.5' is not a whole number",
            "accounts.csv:4: external_id: account A-1 already appears on line 2",
            "accounts.csv:5: external_id: a value is required",
            "accounts.csv:5: csm_email: a value is required");
    }

    [Theory, Providers]
    public async Task An_account_with_money_recorded_keeps_its_currency_and_one_without_may_change_it(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Payments);
        Assert.True((await importer.ImportAsync(ImportKind.Accounts,
            "external_id,name,industry,employees,country,plan,csm_email,currency",
            "A-3,Gamma,Retail,5,GB,Starter,casey@example.com,USD")).Succeeded);

        var toEuro = await importer.ImportAsync(ImportKind.Accounts,
            "external_id,name,industry,employees,country,plan,csm_email,currency",
            "A-1,Acme,Retail,40,US,Growth,casey@example.com,EUR",
            "A-3,Gamma,Retail,5,GB,Starter,casey@example.com,GBP");
        var gammaOnly = await importer.ImportAsync(ImportKind.Accounts,
            "external_id,name,industry,employees,country,plan,csm_email,currency",
            "A-3,Gamma,Retail,5,GB,Starter,casey@example.com,GBP");

        AssertRejected(toEuro, "accounts.csv:2: currency: account A-1 already has invoices, payments or subscriptions in USD; its currency cannot change to EUR");
        Assert.Equal((true, 1L), (gammaOnly.Succeeded, gammaOnly.RowsChanged));
    }

    [Theory, Providers]
    public async Task Contacts_need_an_email_an_existing_account_and_a_known_role(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Contacts,
            "email,account_external_id,name,role",
            "ap@acme.example,A-1,Alex,billing",
            "ap@ACME.example,A-2,Alex Two,boss",
            "x.example.com,A-9,,user");

        AssertRejected(result,
            "contacts.csv:3: role: 'boss' is not one of: billing, champion, executive, user",
            "contacts.csv:3: email: contact ap@acme.example already appears on line 2",
            "contacts.csv:4: email: 'x.example.com' is not an email address",
            "contacts.csv:4: account_external_id: no account has external_id 'A-9'",
            "contacts.csv:4: name: a value is required");
    }

    [Theory, Providers]
    public async Task Subscriptions_run_forward_in_the_accounts_currency(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Subscriptions,
            "external_id,account_external_id,plan,mrr,currency,start_date,end_date,renewal_date,cancellation_reason",
            "S-1,A-1,Growth,1000.00,USD,2025-01-01,,,",
            "S-2,A-1,Growth,-10,EUR,2025-01-01,2024-12-01,2024-06-01,churned",
            "S-3,A-2,Starter,10,EUR,2025-02-30,,,delinquent",
            "S-1,A-2,Starter,10,EUR,2025-01-01,,,");

        AssertRejected(result,
            "subscriptions.csv:3: currency: 'EUR' is not the currency of account A-1, which is billed in USD",
            "subscriptions.csv:3: mrr: '-10' is negative; an amount cannot be negative",
            "subscriptions.csv:3: cancellation_reason: 'churned' is not one of: voluntary, delinquent",
            "subscriptions.csv:3: end_date: 2024-12-01 is before the start date 2025-01-01",
            "subscriptions.csv:3: renewal_date: 2024-06-01 is before the start date 2025-01-01",
            "subscriptions.csv:4: start_date: '2025-02-30' is not a date (expected yyyy-MM-dd)",
            "subscriptions.csv:4: cancellation_reason: only an ended subscription has a cancellation reason, and end_date is empty",
            "subscriptions.csv:5: external_id: subscription S-1 already appears on line 2");
    }

    [Theory, Providers]
    public async Task Invoices_need_real_dates_due_after_issue_and_exact_amounts_in_the_accounts_currency(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Payments);
        Assert.True((await importer.ImportAsync(ImportKind.Accounts,
            "external_id,name,industry,employees,country,plan,csm_email,currency",
            "A-JP,Kaisha,Retail,5,JP,Starter,casey@example.com,JPY")).Succeeded);

        var result = await importer.ImportAsync(ImportKind.Invoices,
            "number,account_external_id,issue_date,due_date,amount,currency,po_number,status",
            "INV-10,A-1,2026-01-14,2026-02-30,1200.00,USD,,",
            "INV-11,A-1,2026-03-01,2026-02-01,\"12,50\",USD,,",
            "INV-12,A-2,2026-01-14,2026-02-14,10.005,EUR,,paid",
            "INV-1,A-2,2026-01-10,2026-02-09,1200.00,EUR,,",
            "INV-13,A-1,2026-01-14,2026-02-14,5,usd,,",
            "INV-13,A-1,2026-01-14,2026-02-14,5,USD,,",
            "INV-14,A-1,2026-01-14,2026-02-14,,GBP,,",
            "INV-15,A-1,2026-01-14,2026-02-14,1e3,USD,,",
            "INV-16,A-JP,2026-01-14,2026-02-14,100.5,JPY,,",
            "INV-17,A-JP,2026-01-14,2026-02-14,1000000000000000,JPY,,");

        AssertRejected(result,
            "invoices.csv:2: due_date: '2026-02-30' is not a date (expected yyyy-MM-dd)",
            "invoices.csv:3: amount: '12,50' is not an amount (expected digits with '.' for decimals, such as 1234.50)",
            "invoices.csv:3: due_date: 2026-02-01 is before the issue date 2026-03-01",
            "invoices.csv:4: amount: '10.005' has more decimals than EUR has (2)",
            "invoices.csv:4: status: 'paid' is not one of: open, void, uncollectible",
            "invoices.csv:5: account_external_id: invoice INV-1 is recorded for account A-1; an invoice cannot move to another account",
            "invoices.csv:7: number: invoice INV-13 already appears on line 6",
            "invoices.csv:8: currency: 'GBP' is not the currency of account A-1, which is billed in USD",
            "invoices.csv:8: amount: a value is required",
            "invoices.csv:9: amount: '1e3' is not an amount (expected digits with '.' for decimals, such as 1234.50)",
            "invoices.csv:10: amount: '100.5' has decimals, but JPY amounts have none",
            "invoices.csv:11: amount: '1000000000000000' is too large; amounts go up to 999,999,999,999,999.99");
    }

    [Theory, Providers]
    public async Task Payments_apply_only_to_their_own_accounts_invoices_and_only_failures_carry_a_code(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Payments,
            "external_id,account_external_id,invoice_number,amount,currency,paid_on,method,status,failure_code",
            "P-1,A-1,INV-2,100.00,USD,2026-02-01,card,succeeded,",
            "P-2,A-1,INV-9,0,USD,2026-02-01,cash,pending,",
            "P-3,A-1,INV-1,100.00,USD,2026-02-01,card,succeeded,card_declined",
            "P-4,A-1,INV-1,100.00,USD,2026-02-01,card,failed,",
            "P-5,A-2,,-1.00,EUR,2026-13-01,wire,failed,insufficient_funds",
            "P-4,A-1,,100.00,USD,,ach,succeeded,");

        AssertRejected(result,
            "payments.csv:2: invoice_number: invoice INV-2 belongs to account A-2, not A-1",
            "payments.csv:3: invoice_number: no invoice has number 'INV-9'",
            "payments.csv:3: amount: '0' is zero; the amount must be more than zero",
            "payments.csv:3: method: 'cash' is not one of: card, ach, wire, check",
            "payments.csv:3: status: 'pending' is not one of: succeeded, failed",
            "payments.csv:4: failure_code: a succeeded payment has no failure code, but this one has 'card_declined'",
            "payments.csv:6: amount: '-1.00' is negative; an amount cannot be negative",
            "payments.csv:6: paid_on: '2026-13-01' is not a date (expected yyyy-MM-dd)",
            "payments.csv:7: paid_on: a value is required",
            "payments.csv:7: external_id: payment P-4 already appears on line 5");
    }

    [Theory, Providers]
    public async Task Credit_notes_credit_an_invoice_of_their_account_issued_before_them(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.CreditNotes,
            "number,account_external_id,invoice_number,amount,currency,issued_on",
            "CN-1,A-1,INV-1,50.00,USD,2026-01-20",
            "CN-2,A-1,INV-2,50.00,USD,2026-01-20",
            "CN-3,A-1,,50.00,USD,2026-01-20",
            "CN-4,A-1,INV-1,50.00,USD,2026-01-01",
            "CN-5,A-2,INV-2,-5,EUR,2026-01-20",
            "CN-1,A-1,INV-1,50.00,USD,2026-01-20");

        AssertRejected(result,
            "credit_notes.csv:3: invoice_number: invoice INV-2 belongs to account A-2, not A-1",
            "credit_notes.csv:4: invoice_number: a value is required",
            "credit_notes.csv:5: issued_on: 2026-01-01 is before invoice INV-1 was issued (2026-01-10)",
            "credit_notes.csv:6: amount: '-5' is negative; an amount cannot be negative",
            "credit_notes.csv:7: number: credit note CN-1 already appears on line 2");
    }

    [Theory, Providers]
    public async Task Usage_is_one_row_per_account_and_day_with_counts_of_zero_or_more(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Usage,
            "account_external_id,date,active_users,events",
            "A-1,2026-01-01,12,340",
            "A-1,2026-01-01,13,350",
            "A-1,2026-1-2,-1,many",
            "A-9,2026-01-03,1,1",
            ",2026-01-04,,",
            "A-1,2026-01-05,99999999999,1");

        AssertRejected(result,
            "usage.csv:3: date: usage of account A-1 on 2026-01-01 already appears on line 2",
            "usage.csv:4: date: '2026-1-2' is not a date (expected yyyy-MM-dd)",
            "usage.csv:4: active_users: '-1' is negative; expected a whole number of 0 or more",
            "usage.csv:4: events: 'many' is not a whole number",
            "usage.csv:5: account_external_id: no account has external_id 'A-9'",
            "usage.csv:6: account_external_id: a value is required",
            "usage.csv:6: active_users: a value is required",
            "usage.csv:6: events: a value is required",
            "usage.csv:7: active_users: '99999999999' is too large");
    }

    [Theory, Providers]
    public async Task Tickets_have_known_priorities_and_statuses_and_are_solved_after_they_open(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Tickets,
            "external_id,account_external_id,opened_on,priority,status,solved_on,subject",
            "T-1,A-1,2026-01-05,critical,closed,,Broken",
            "T-2,A-1,2026-01-05,high,solved,2026-01-04,Late",
            "T-3,A-1,2026-01-05,low,open,2026-01-06,Reopened",
            "T-4,A-1,2026-01-05,urgent,solved,,",
            "T-4,A-2,2026-01-06,low,pending,,Again");

        AssertRejected(result,
            "tickets.csv:2: priority: 'critical' is not one of: low, normal, high, urgent",
            "tickets.csv:2: status: 'closed' is not one of: open, pending, solved",
            "tickets.csv:3: solved_on: 2026-01-04 is before the ticket was opened (2026-01-05)",
            "tickets.csv:4: solved_on: the ticket's status is open, so it has no solved date",
            "tickets.csv:6: external_id: ticket T-4 already appears on line 5");
    }

    [Theory, Providers]
    public async Task Nps_scores_are_whole_numbers_from_0_to_10_once_per_contact_and_day(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Nps,
            "account_external_id,contact_email,responded_on,score,comment",
            "A-1,ap@acme.example,2026-01-12,11,",
            "A-1,ap@acme.example,2026-01-13,-1,",
            "A-1,ap@acme.example,2026-01-14,7.5,",
            "A-1,ap@acme.example,2026-01-15,10,Loves it",
            "A-1,AP@acme.example,2026-01-15,9,Changed mind",
            "A-2,someone,2026-01-15,0,");

        AssertRejected(result,
            "nps.csv:2: score: '11' is outside 0–10",
            "nps.csv:3: score: '-1' is outside 0–10",
            "nps.csv:4: score: '7.5' is not a whole number",
            "nps.csv:6: responded_on: a response from ap@acme.example for account A-1 on 2026-01-15 already appears on line 5",
            "nps.csv:7: contact_email: 'someone' is not an email address");
    }

    [Theory, Providers]
    public async Task Touchpoints_name_an_existing_user_and_a_known_kind(StorageProvider provider)
    {
        var result = await ImportAsync(provider, ImportKind.Touchpoints,
            "account_external_id,user_email,occurred_on,kind,summary",
            "A-1,casey@example.com,2026-01-08,visit,On site",
            "A-1,nobody@example.com,2026-01-08,call,Hello",
            "A-1,casey@example.com,2026-01-08,call,First",
            "A-1,casey@example.com,2026-01-08,call,Second",
            "A-1,casey@example.com,2026-01-08,email,");

        AssertRejected(result,
            "touchpoints.csv:2: kind: 'visit' is not one of: call, email, meeting, qbr, note",
            "touchpoints.csv:3: user_email: no user has email 'nobody@example.com'",
            "touchpoints.csv:5: kind: a call by the same user with account A-1 on 2026-01-08 already appears on line 4");
    }

    /// <summary>Imports the file into a fresh book holding what it refers to, and checks it stored nothing.</summary>
    private static async Task<ImportResult> ImportAsync(StorageProvider provider, ImportKind kind, params string[] lines)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(kind);
        var before = await ImportBook.SnapshotAsync(test);
        var result = await importer.ImportAsync(kind, lines);
        Assert.Equal(before, await ImportBook.SnapshotAsync(test));
        return result;
    }

    private static void AssertRejected(ImportResult result, params string[] expected)
    {
        Assert.Equal(expected, result.Messages());
        Assert.Equal((false, expected.Length, 0L), (result.Succeeded, result.ErrorCount, result.RowsChanged));
    }
}
