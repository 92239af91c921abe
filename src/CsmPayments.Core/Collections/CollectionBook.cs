using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Storage;
using CsmPayments.Work;
using CsmPayments.Workflows;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Collections;

/// <summary>What the collection cycle reads, as of one date, for all accounts or one.</summary>
internal sealed class CollectionBook
{
    public required DateOnly AsOf { get; init; }
    public required List<Account> Accounts { get; init; }
    public required Dictionary<long, User> Users { get; init; }
    public required ILookup<long, Contact> BillingContacts { get; init; }
    public required ILookup<long, Subscription> Subscriptions { get; init; }
    public required ILookup<long, InvoiceBalance> Balances { get; init; }
    public required Dictionary<long, Invoice> Invoices { get; init; }
    public required ILookup<long, PaymentFacts> Payments { get; init; }
    public required ILookup<long, PromiseToPay> OpenPromises { get; init; }
    public required ILookup<long, Dispute> OpenDisputes { get; init; }
    public required ILookup<long, PaymentPlan> ActivePlans { get; init; }
    public required ILookup<long, CollectionStepDone> Done { get; init; }
    public required HashSet<(long SubscriptionId, DateOnly RenewalDate)> Reviews { get; init; }
    /// <summary>Open "find the billing contact" tasks per account: their ids.</summary>
    public required ILookup<long, long> OpenContactTasks { get; init; }

    public static async Task<CollectionBook> LoadAsync(CsmDbContext db, DateOnly asOf, long? accountId, CancellationToken ct)
    {
        IQueryable<T> Of<T>(IQueryable<T> all, System.Linq.Expressions.Expression<Func<T, bool>> one) => accountId is null ? all : all.Where(one);
        var id = accountId ?? 0;

        var accounts = await Of(db.Accounts.AsNoTracking(), a => a.Id == id).OrderBy(a => a.Id).ToListAsync(ct);
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var contacts = await Of(db.Contacts.AsNoTracking().Where(c => c.Role == ContactRole.Billing), c => c.AccountId == id).ToListAsync(ct);
        var subscriptions = await Of(db.Subscriptions.AsNoTracking(), s => s.AccountId == id).ToListAsync(ct);
        var invoices = await Of(db.Invoices.AsNoTracking().Where(i => i.IssueDate <= asOf), i => i.AccountId == id).ToListAsync(ct);
        var payments = await Of(db.Payments.AsNoTracking().Where(p => p.PaidOn <= asOf && p.Status == PaymentStatus.Succeeded), p => p.AccountId == id)
            .Select(p => new PaymentFacts(p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn, true)).ToListAsync(ct);
        var credits = await Of(db.CreditNotes.AsNoTracking().Where(c => c.IssuedOn <= asOf), c => c.AccountId == id)
            .Select(c => new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn)).ToListAsync(ct);
        var position = Ledger.Position(asOf, invoices.Select(InvoiceFacts.Of), payments, credits);

        var promises = await Of(db.PromisesToPay.Where(p => p.State == PromiseState.Open), p => p.AccountId == id).ToListAsync(ct);
        var disputes = await Of(db.Disputes.Where(d => d.State == DisputeState.Open), d => d.AccountId == id).ToListAsync(ct);
        var plans = await Of(db.PaymentPlans.Include(p => p.Instalments).Include(p => p.Invoices).Where(p => p.State == PaymentPlanState.Active), p => p.AccountId == id)
            .AsSplitQuery().ToListAsync(ct);
        var done = await Of(db.CollectionStepsDone.AsNoTracking(), d => d.AccountId == id).ToListAsync(ct);
        var reviews = await Of(db.RenewalReviews.AsNoTracking(), r => r.AccountId == id).Select(r => new { r.SubscriptionId, r.RenewalDate }).ToListAsync(ct);
        var contactTasks = await Of(db.WorkTasks.AsNoTracking().Where(t => t.Kind == WorkTaskKind.BillingContactMissing && t.State == WorkTaskState.Open), t => t.AccountId == id)
            .Select(t => new { t.AccountId, t.Id }).ToListAsync(ct);

        return new CollectionBook
        {
            AsOf = asOf,
            Accounts = accounts,
            Users = users,
            BillingContacts = contacts.OrderBy(c => c.Id).ToLookup(c => c.AccountId),
            Subscriptions = subscriptions.ToLookup(s => s.AccountId),
            Balances = position.Invoices.ToLookup(i => i.Invoice.AccountId),
            Invoices = invoices.ToDictionary(i => i.Id),
            Payments = payments.ToLookup(p => p.AccountId),
            OpenPromises = promises.ToLookup(p => p.AccountId),
            OpenDisputes = disputes.ToLookup(d => d.AccountId),
            ActivePlans = plans.ToLookup(p => p.AccountId),
            Done = done.ToLookup(d => d.AccountId),
            Reviews = reviews.Select(r => (r.SubscriptionId, r.RenewalDate)).ToHashSet(),
            OpenContactTasks = contactTasks.ToLookup(t => t.AccountId, t => t.Id),
        };
    }

    /// <summary>Successful payments of the account from <paramref name="from"/> through the as-of date, in one currency.</summary>
    public Money PaidSince(long accountId, DateOnly from, string currency) =>
        new(Payments[accountId].Where(p => p.PaidOn >= from && p.Currency == currency).Sum(p => p.Amount), currency);

    /// <summary>An account is cancelled when it had subscriptions and none is active on the as-of date.</summary>
    public bool IsCancelled(long accountId)
    {
        var subscriptions = Subscriptions[accountId].ToList();
        return subscriptions.Count > 0 && !subscriptions.Any(s => s.IsActiveOn(AsOf));
    }
}
