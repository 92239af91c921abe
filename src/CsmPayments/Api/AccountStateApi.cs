using CsmPayments.Access;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CsmPayments.Api;

/// <summary><c>GET /api/accounts/{externalId}</c>: an account's state today in one call — money, revenue, usage and engagement.</summary>
public static class AccountStateApi
{
    public const int UsageDays = 30;
    public const int RecentPayments = 10;
    public const int FailedPaymentWindowDays = 90;

    public sealed record OpenInvoice(string Number, DateOnly IssueDate, DateOnly DueDate, MoneyView Amount, MoneyView Balance, int DaysPastDue);

    public sealed record ActiveSubscription(string ExternalId, string Plan, MoneyView Mrr, DateOnly StartDate, DateOnly? EndDate, DateOnly? RenewalDate);

    public sealed record RecentPayment(string ExternalId, string? InvoiceNumber, MoneyView Amount, DateOnly PaidOn, PaymentMethod Method, PaymentStatus Status,
        string? FailureCode);

    public sealed record UsagePoint(DateOnly Date, int ActiveUsers, long Events);

    public sealed record OpenTicket(string ExternalId, DateOnly OpenedOn, TicketPriority Priority, TicketStatus Status, string Subject);

    public sealed record OpenDispute(string DisputeId, string PaymentExternalId, MoneyView Amount, string Reason, string Status, DateOnly OpenedOn);

    public sealed record ContactSummary(string Email, string Name, ContactRole Role);

    public sealed record AccountState(
        string ExternalId, string Name, string Industry, int Employees, string Country, string Plan, string Currency, string? Timezone,
        ServiceTier? Tier, string CsmEmail, string? StripeCustomerId, DateOnly AsOf,
        MoneyView Mrr, IReadOnlyList<ActiveSubscription> Subscriptions,
        MoneyView Receivable, MoneyView Overdue, MoneyView Credit, IReadOnlyList<OpenInvoice> OpenInvoices,
        IReadOnlyList<RecentPayment> RecentPayments, int FailedPaymentsLast90Days, IReadOnlyList<OpenDispute> OpenDisputes,
        IReadOnlyList<UsagePoint> Usage, IReadOnlyList<OpenTicket> OpenTickets, LatestNps? LatestNps, LastTouchpoint? LastTouchpoint,
        IReadOnlyList<ContactSummary> Contacts);

    public sealed record LatestNps(string ContactEmail, DateOnly RespondedOn, int Score, string? Comment);

    public sealed record LastTouchpoint(string UserEmail, DateOnly OccurredOn, TouchpointKind Kind, string Summary);

    public static IEndpointRouteBuilder MapAccountStateApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/accounts/{externalId}", GetAsync).WithTags("Ledger").RequireAuthorization(ApiScopes.LedgerRead).WithKeyProblems().WithNotFoundProblem()
            .WithSummary("An account's state today: balances, open invoices, MRR, recent payments and usage, open tickets, latest NPS");
        return api;
    }

    public static async Task<Results<Ok<AccountState>, NotFound>> GetAsync(string externalId, CsmDbContext db, IOptions<OrganisationOptions> organisation,
        TimeProvider clock, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.ExternalId == externalId, ct);
        if (account is null) return TypedResults.NotFound();
        var today = organisation.Value.Today(clock);
        var id = account.Id;
        var csm = await db.Users.AsNoTracking().Where(u => u.Id == account.CsmId).Select(u => u.Email).FirstAsync(ct);

        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.AccountId == id).ToListAsync(ct);
        var mrr = MonthlyRecurringRevenue.Of(subscriptions.Select(SubscriptionFacts.Of), today, account.Currency);
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.AccountId == id).ToListAsync(ct);
        var payments = await db.Payments.AsNoTracking().Where(p => p.AccountId == id).ToListAsync(ct);
        var credits = await db.CreditNotes.AsNoTracking().Where(c => c.AccountId == id).ToListAsync(ct);
        var position = Ledger.Position(today, invoices.Select(InvoiceFacts.Of), payments.Select(PaymentFacts.Of), credits.Select(CreditNoteFacts.Of));
        var numbers = invoices.ToDictionary(i => i.Id, i => i.Number);
        var open = position.Invoices.Where(b => b.Balance.IsPositive).OrderBy(b => b.Invoice.DueDate).ToList();
        var zero = Money.Zero(account.Currency);
        var receivable = open.Aggregate(zero, (sum, b) => sum + b.Balance);
        var overdue = open.Where(b => b.DaysPastDue(today) > 0).Aggregate(zero, (sum, b) => sum + b.Balance);
        var credit = position.CreditByAccount.TryGetValue(id, out var c) ? c : zero;

        var since = today.AddDays(-(UsageDays - 1));
        var usage = await db.UsageDays.AsNoTracking().Where(u => u.AccountId == id && u.Date >= since && u.Date <= today).OrderBy(u => u.Date)
            .Select(u => new UsagePoint(u.Date, u.ActiveUsers, u.Events)).ToListAsync(ct);
        var tickets = (await db.Tickets.AsNoTracking().Where(t => t.AccountId == id && t.Status != TicketStatus.Solved).ToListAsync(ct))
            .Where(t => t.IsOpenOn(today)).OrderBy(t => t.OpenedOn)
            .Select(t => new OpenTicket(t.ExternalId, t.OpenedOn, t.Priority, t.Status, t.Subject)).ToList();
        var nps = await db.NpsResponses.AsNoTracking().Where(n => n.AccountId == id && n.RespondedOn <= today).OrderByDescending(n => n.RespondedOn)
            .Select(n => new LatestNps(n.ContactEmail, n.RespondedOn, n.Score, n.Comment)).FirstOrDefaultAsync(ct);
        var touchpoint = await (from t in db.Touchpoints.AsNoTracking()
                                join u in db.Users on t.UserId equals u.Id
                                where t.AccountId == id && t.OccurredOn <= today
                                orderby t.OccurredOn descending
                                select new LastTouchpoint(u.Email, t.OccurredOn, t.Kind, t.Summary)).FirstOrDefaultAsync(ct);
        var disputes = (await db.ChargeDisputes.AsNoTracking().Where(d => d.AccountId == id && d.ClosedOn == null).ToListAsync(ct))
            .Select(d => new OpenDispute(d.DisputeId, d.PaymentExternalId, MoneyView.Of(d.Amount), d.Reason, d.Status, d.OpenedOn)).ToList();
        var contacts = await db.Contacts.AsNoTracking().Where(x => x.AccountId == id).OrderBy(x => x.Email)
            .Select(x => new ContactSummary(x.Email, x.Name, x.Role)).ToListAsync(ct);

        var failedSince = today.AddDays(-FailedPaymentWindowDays);
        return TypedResults.Ok(new AccountState(account.ExternalId, account.Name, account.Industry, account.Employees, account.Country, account.Plan,
            account.Currency, account.TimeZone, account.Tier, csm, account.StripeCustomerId, today,
            MoneyView.Of(mrr),
            subscriptions.Where(s => s.IsActiveOn(today)).OrderBy(s => s.ExternalId)
                .Select(s => new ActiveSubscription(s.ExternalId, s.Plan, MoneyView.Of(s.Mrr), s.StartDate, s.EndDate, s.RenewalDate)).ToList(),
            MoneyView.Of(receivable), MoneyView.Of(overdue), MoneyView.Of(credit),
            open.Select(b => new OpenInvoice(numbers[b.Invoice.Id], b.Invoice.IssueDate, b.Invoice.DueDate,
                MoneyView.Of(new Money(b.Invoice.Amount, b.Invoice.Currency)), MoneyView.Of(b.Balance), b.DaysPastDue(today))).ToList(),
            payments.Where(p => p.PaidOn <= today).OrderByDescending(p => p.PaidOn).ThenBy(p => p.ExternalId).Take(RecentPayments)
                .Select(p => new RecentPayment(p.ExternalId, p.InvoiceId is { } i ? numbers.GetValueOrDefault(i) : null, MoneyView.Of(p.Amount), p.PaidOn,
                    p.Method, p.Status, p.FailureCode)).ToList(),
            payments.Count(p => !p.Succeeded && p.PaidOn > failedSince && p.PaidOn <= today),
            disputes, usage, tickets, nps, touchpoint, contacts));
    }
}
