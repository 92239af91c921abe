using CsmPayments.Import;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Import;

/// <summary>A small book of accounts as the CSV files of DESIGN §4, and helpers to import and read it back.</summary>
internal static class ImportBook
{
    public static readonly string[] Users =
    [
        "email,name,role,capacity",
        "casey@example.com,Casey Csm,csm,50",
        "cole@example.com,Cole Collector,collector,",
    ];

    public static readonly string[] Accounts =
    [
        "external_id,name,industry,employees,country,plan,csm_email,currency,timezone,tier",
        "A-1,Acme,Retail,40,US,Growth,casey@example.com,USD,America/New_York,high",
        "A-2,Beta,Software,12,de,Starter,Casey@Example.com,EUR,,",
    ];

    public static readonly string[] Contacts =
    [
        "email,account_external_id,name,role",
        "ap@acme.example,A-1,Alex Payable,billing",
        "champ@beta.example,A-2,Bo Champion,champion",
    ];

    public static readonly string[] Subscriptions =
    [
        "external_id,account_external_id,plan,mrr,currency,start_date,end_date,renewal_date,cancellation_reason",
        "S-1,A-1,Growth,1000.00,USD,2025-01-01,,2026-01-01,",
        "S-2,A-2,Starter,250.50,EUR,2025-03-01,2025-12-01,,voluntary",
    ];

    public static readonly string[] Invoices =
    [
        "number,account_external_id,issue_date,due_date,amount,currency,po_number,status",
        "INV-1,A-1,2026-01-10,2026-02-09,1200.00,USD,PO-7,",
        "INV-2,A-2,2026-01-15,2026-02-14,300,EUR,,open",
        "INV-3,A-1,2025-12-10,2026-01-09,99.99,USD,,void",
    ];

    public static readonly string[] Payments =
    [
        "external_id,account_external_id,invoice_number,amount,currency,paid_on,method,status,failure_code",
        "P-1,A-1,INV-1,1000.00,USD,2026-02-01,card,succeeded,",
        "P-2,A-1,INV-1,200.00,USD,2026-02-03,card,failed,card_declined",
        "P-3,A-2,,50.00,EUR,2026-01-20,wire,succeeded,",
    ];

    public static readonly string[] CreditNotes =
    [
        "number,account_external_id,invoice_number,amount,currency,issued_on",
        "CN-1,A-1,INV-1,200.00,USD,2026-01-20",
    ];

    public static readonly string[] Usage =
    [
        "account_external_id,date,active_users,events",
        "A-1,2026-01-01,12,340",
        "A-1,2026-01-02,10,290",
        "A-2,2026-01-01,3,40",
    ];

    public static readonly string[] Tickets =
    [
        "external_id,account_external_id,opened_on,priority,status,solved_on,subject",
        "T-1,A-1,2026-01-05,high,solved,2026-01-07,\"Invoice PDF missing, please resend\"",
        "T-2,A-2,2026-01-06,normal,open,,",
    ];

    public static readonly string[] Nps =
    [
        "account_external_id,contact_email,responded_on,score,comment",
        "A-1,ap@acme.example,2026-01-12,9,Great support",
        "A-2,Champ@Beta.example,2026-01-12,4,",
    ];

    public static readonly string[] Touchpoints =
    [
        "account_external_id,user_email,occurred_on,kind,summary",
        "A-1,casey@example.com,2026-01-08,call,Renewal check-in",
        "A-1,cole@example.com,2026-01-08,email,Reminder for INV-1",
        "A-2,casey@example.com,2026-01-09,qbr,",
    ];

    /// <summary>Every file, in the order their references need.</summary>
    public static readonly (ImportKind Kind, string[] Lines)[] All =
    [
        (ImportKind.Users, Users), (ImportKind.Accounts, Accounts), (ImportKind.Contacts, Contacts),
        (ImportKind.Subscriptions, Subscriptions), (ImportKind.Invoices, Invoices), (ImportKind.Payments, Payments),
        (ImportKind.CreditNotes, CreditNotes), (ImportKind.Usage, Usage), (ImportKind.Tickets, Tickets), (ImportKind.Nps, Nps),
        (ImportKind.Touchpoints, Touchpoints),
    ];

    public static Task<ImportResult> ImportAsync(this Importer importer, ImportKind kind, params string[] lines) =>
        importer.ImportAsync(kind, new StringReader(string.Join("\n", lines) + "\n"), ImportKinds.FileName(kind));

    /// <summary>Imports the files that <paramref name="kind"/> refers to (users and accounts, and invoices for payments and credit notes).</summary>
    public static async Task ImportReferencesAsync(this Importer importer, ImportKind kind)
    {
        foreach (var (k, lines) in All.TakeWhile(f => f.Kind != kind))
            if (k is ImportKind.Users or ImportKind.Accounts or ImportKind.Invoices)
                Assert.True((await importer.ImportAsync(k, lines)).Succeeded);
    }

    /// <summary>The errors of a result as the CLI prints them.</summary>
    public static string[] Messages(this ImportResult result) => result.Errors.Select(e => e.ToString()).ToArray();

    /// <summary>Every stored row of every table the import writes, as text, in a stable order.</summary>
    public static async Task<string[]> SnapshotAsync(TestDatabase test)
    {
        await using var db = test.Open();
        var rows = new List<string>();
        rows.AddRange((await db.Users.AsNoTracking().ToListAsync()).Select(u => $"user {u.Id} {u.Email} {u.Name} {u.Role} {u.Capacity}"));
        rows.AddRange((await db.Accounts.AsNoTracking().ToListAsync()).Select(a =>
            $"account {a.Id} {a.ExternalId} {a.Name} {a.Industry} {a.Employees} {a.Country} {a.Plan} {a.CsmId} {a.Currency} {a.TimeZone} {a.Tier} {a.StripeCustomerId}"));
        rows.AddRange((await db.Contacts.AsNoTracking().ToListAsync()).Select(c => $"contact {c.Id} {c.Email} {c.AccountId} {c.Name} {c.Role}"));
        rows.AddRange((await db.Subscriptions.AsNoTracking().ToListAsync()).Select(s =>
            $"subscription {s.Id} {s.ExternalId} {s.AccountId} {s.Plan} {s.Mrr} {s.StartDate} {s.EndDate} {s.RenewalDate} {s.CancellationReason}"));
        rows.AddRange((await db.Invoices.AsNoTracking().ToListAsync()).Select(i =>
            $"invoice {i.Id} {i.Number} {i.AccountId} {i.IssueDate} {i.DueDate} {i.Amount} {i.PoNumber} {i.Status}"));
        rows.AddRange((await db.Payments.AsNoTracking().ToListAsync()).Select(p =>
            $"payment {p.Id} {p.ExternalId} {p.AccountId} {p.InvoiceId} {p.Amount} {p.PaidOn} {p.Method} {p.Status} {p.FailureCode}"));
        rows.AddRange((await db.CreditNotes.AsNoTracking().ToListAsync()).Select(c =>
            $"credit note {c.Id} {c.Number} {c.AccountId} {c.InvoiceId} {c.Amount} {c.IssuedOn}"));
        rows.AddRange((await db.UsageDays.AsNoTracking().ToListAsync()).Select(u => $"usage {u.AccountId} {u.Date} {u.ActiveUsers} {u.Events}"));
        rows.AddRange((await db.Tickets.AsNoTracking().ToListAsync()).Select(t =>
            $"ticket {t.Id} {t.ExternalId} {t.AccountId} {t.OpenedOn} {t.Priority} {t.Status} {t.SolvedOn} {t.Subject}"));
        rows.AddRange((await db.NpsResponses.AsNoTracking().ToListAsync()).Select(n =>
            $"nps {n.Id} {n.AccountId} {n.ContactEmail} {n.RespondedOn} {n.Score} {n.Comment}"));
        rows.AddRange((await db.Touchpoints.AsNoTracking().ToListAsync()).Select(t =>
            $"touchpoint {t.Id} {t.AccountId} {t.UserId} {t.OccurredOn} {t.Kind} {t.Summary}"));
        rows.Sort(StringComparer.Ordinal);
        return rows.ToArray();
    }
}
