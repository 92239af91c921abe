using CsmPayments.Access;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Hosting;
using CsmPayments.Import;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CsmPayments.Api;

/// <summary>
/// Users, accounts, contacts, subscriptions, invoices, payments and credit notes: created and updated with the CSV
/// import's rules (a record is an object whose fields are the file's columns; see <see cref="Records"/>), read by key.
/// </summary>
public static class LedgerApi
{
    public sealed record UserView(string Email, string Name, UserRole Role, int? Capacity);

    public sealed record ContactView(string Email, string AccountExternalId, string Name, ContactRole Role);

    public sealed record SubscriptionView(string ExternalId, string AccountExternalId, string Plan, MoneyView Mrr, DateOnly StartDate, DateOnly? EndDate,
        DateOnly? RenewalDate, CancellationReason? CancellationReason);

    public sealed record InvoiceView(string Number, string AccountExternalId, DateOnly IssueDate, DateOnly DueDate, MoneyView Amount, string? PoNumber,
        InvoiceStatus Status, DateOnly AsOf, MoneyView Balance, int DaysPastDue);

    public sealed record PaymentView(string ExternalId, string AccountExternalId, string? InvoiceNumber, MoneyView Amount, DateOnly PaidOn,
        PaymentMethod Method, PaymentStatus Status, string? FailureCode);

    public sealed record CreditNoteView(string Number, string AccountExternalId, string InvoiceNumber, MoneyView Amount, DateOnly IssuedOn);

    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder api)
    {
        var write = api.MapGroup("").WithTags("Ledger").RequireAuthorization(ApiScopes.LedgerWrite).WithKeyProblems();
        write.MapPost("/users", CreateOrUpdateUsersAsync).AcceptsOneOrList<UserRecord>().WithWriteProblems().RequireAuthorization(ApiScopes.Admin)
            .WithSummary("Create or update users (users.csv fields: email, name, role, capacity); needs the admin scope");
        write.MapPost("/accounts", CreateOrUpdateAccountsAsync).AcceptsOneOrList<AccountRecord>().WithWriteProblems()
            .WithSummary("Create or update accounts (accounts.csv fields: external_id, name, industry, employees, country, plan, csm_email, currency, timezone, tier)");
        write.MapPost("/contacts", CreateOrUpdateContactsAsync).AcceptsOneOrList<ContactRecord>().WithWriteProblems()
            .WithSummary("Create or update contacts (contacts.csv fields: email, account_external_id, name, role)");
        write.MapPost("/subscriptions", CreateOrUpdateSubscriptionsAsync).AcceptsOneOrList<SubscriptionRecord>().WithWriteProblems()
            .WithSummary("Create or update subscriptions (subscriptions.csv fields)");
        write.MapPost("/invoices", CreateOrUpdateInvoicesAsync).AcceptsOneOrList<InvoiceRecord>().WithWriteProblems().WithSummary("Create or update invoices (invoices.csv fields)");
        write.MapPost("/payments", CreateOrUpdatePaymentsAsync).AcceptsOneOrList<PaymentRecord>().WithWriteProblems().WithSummary("Create or update payments and failed attempts (payments.csv fields)");
        write.MapPost("/credit-notes", CreateOrUpdateCreditNotesAsync).AcceptsOneOrList<CreditNoteRecord>().WithWriteProblems().WithSummary("Create or update credit notes (credit_notes.csv fields)");

        var read = api.MapGroup("").WithTags("Ledger").RequireAuthorization(ApiScopes.LedgerRead).WithKeyProblems();
        read.MapGet("/users/{email}", GetUserAsync).WithNotFoundProblem().WithSummary("A user by email");
        read.MapGet("/contacts/{email}", GetContactAsync).WithNotFoundProblem().WithSummary("A contact by email");
        read.MapGet("/subscriptions/{externalId}", GetSubscriptionAsync).WithNotFoundProblem().WithSummary("A subscription by external id");
        read.MapGet("/invoices/{number}", GetInvoiceAsync).WithNotFoundProblem().WithSummary("An invoice by number, with its balance today");
        read.MapGet("/payments/{externalId}", GetPaymentAsync).WithNotFoundProblem().WithSummary("A payment or failed attempt by external id");
        read.MapGet("/credit-notes/{number}", GetCreditNoteAsync).WithNotFoundProblem().WithSummary("A credit note by number");
        api.MapPartialUpdateApi();
        return api;
    }

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateUsersAsync(HttpRequest request, Database database,
        IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) => Records.WriteAsync(ImportKind.Users, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateAccountsAsync(HttpRequest request, Database database,
        IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) => Records.WriteAsync(ImportKind.Accounts, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateContactsAsync(HttpRequest request, Database database,
        IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) => Records.WriteAsync(ImportKind.Contacts, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateSubscriptionsAsync(HttpRequest request,
        Database database, IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) =>
        Records.WriteAsync(ImportKind.Subscriptions, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateInvoicesAsync(HttpRequest request, Database database,
        IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) => Records.WriteAsync(ImportKind.Invoices, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdatePaymentsAsync(HttpRequest request, Database database,
        IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) => Records.WriteAsync(ImportKind.Payments, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateCreditNotesAsync(HttpRequest request,
        Database database, IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) =>
        Records.WriteAsync(ImportKind.CreditNotes, request, database, api.Value, changes, ct);

    public static async Task<Results<Ok<UserView>, NotFound>> GetUserAsync(string email, CsmDbContext db, CancellationToken ct)
    {
        var key = email.Trim().ToLowerInvariant();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == key, ct);
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(new UserView(user.Email, user.Name, user.Role, user.Capacity));
    }

    public static async Task<Results<Ok<ContactView>, NotFound>> GetContactAsync(string email, CsmDbContext db, CancellationToken ct)
    {
        var key = email.Trim().ToLowerInvariant();
        var found = await (from c in db.Contacts.AsNoTracking()
                           join a in db.Accounts on c.AccountId equals a.Id
                           where c.Email == key
                           select new ContactView(c.Email, a.ExternalId, c.Name, c.Role)).FirstOrDefaultAsync(ct);
        return found is null ? TypedResults.NotFound() : TypedResults.Ok(found);
    }

    public static async Task<Results<Ok<SubscriptionView>, NotFound>> GetSubscriptionAsync(string externalId, CsmDbContext db, CancellationToken ct)
    {
        var found = await (from s in db.Subscriptions.AsNoTracking()
                           join a in db.Accounts on s.AccountId equals a.Id
                           where s.ExternalId == externalId
                           select new { s, a.ExternalId }).FirstOrDefaultAsync(ct);
        return found is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new SubscriptionView(found.s.ExternalId, found.ExternalId, found.s.Plan, MoneyView.Of(found.s.Mrr), found.s.StartDate,
                found.s.EndDate, found.s.RenewalDate, found.s.CancellationReason));
    }

    public static async Task<Results<Ok<InvoiceView>, NotFound>> GetInvoiceAsync(string number, CsmDbContext db, IOptions<OrganisationOptions> organisation,
        TimeProvider clock, CancellationToken ct)
    {
        var found = await (from i in db.Invoices.AsNoTracking()
                           join a in db.Accounts on i.AccountId equals a.Id
                           where i.Number == number
                           select new { i, a.ExternalId }).FirstOrDefaultAsync(ct);
        if (found is null) return TypedResults.NotFound();
        var today = organisation.Value.Today(clock);
        var payments = await db.Payments.AsNoTracking().Where(p => p.InvoiceId == found.i.Id).ToListAsync(ct);
        var credits = await db.CreditNotes.AsNoTracking().Where(c => c.InvoiceId == found.i.Id).ToListAsync(ct);
        var position = Ledger.Position(today, [InvoiceFacts.Of(found.i)], payments.Select(PaymentFacts.Of), credits.Select(CreditNoteFacts.Of));
        var balance = position.Invoices.Count == 1 ? position.Invoices[0].Balance : Money.Zero(found.i.Currency);
        return TypedResults.Ok(new InvoiceView(found.i.Number, found.ExternalId, found.i.IssueDate, found.i.DueDate, MoneyView.Of(found.i.Amount),
            found.i.PoNumber, found.i.Status, today, MoneyView.Of(balance), found.i.DaysPastDue(today)));
    }

    public static async Task<Results<Ok<PaymentView>, NotFound>> GetPaymentAsync(string externalId, CsmDbContext db, CancellationToken ct)
    {
        var found = await (from p in db.Payments.AsNoTracking()
                           join a in db.Accounts on p.AccountId equals a.Id
                           join i in db.Invoices on p.InvoiceId equals i.Id into invoices
                           from i in invoices.DefaultIfEmpty()
                           where p.ExternalId == externalId
                           select new { p, a.ExternalId, Number = i == null ? null : i.Number }).FirstOrDefaultAsync(ct);
        return found is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new PaymentView(found.p.ExternalId, found.ExternalId, found.Number, MoneyView.Of(found.p.Amount), found.p.PaidOn, found.p.Method,
                found.p.Status, found.p.FailureCode));
    }

    public static async Task<Results<Ok<CreditNoteView>, NotFound>> GetCreditNoteAsync(string number, CsmDbContext db, CancellationToken ct)
    {
        var found = await (from c in db.CreditNotes.AsNoTracking()
                           join a in db.Accounts on c.AccountId equals a.Id
                           join i in db.Invoices on c.InvoiceId equals i.Id
                           where c.Number == number
                           select new { c, a.ExternalId, i.Number }).FirstOrDefaultAsync(ct);
        return found is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new CreditNoteView(found.c.Number, found.ExternalId, found.Number, MoneyView.Of(found.c.Amount), found.c.IssuedOn));
    }
}
