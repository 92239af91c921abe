using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Segments;
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

    /// <summary>The book of one account, or of all (<paramref name="accountId"/> null).</summary>
    public static Task<CollectionBook> LoadAsync(CsmDbContext db, DateOnly asOf, long? accountId, CancellationToken ct) =>
        accountId is { } id ? LoadRangeAsync(db, asOf, id, id, null, ct) : LoadRangeAsync(db, asOf, long.MinValue, long.MaxValue, null, ct);

    /// <summary>
    /// The book of the accounts with ids in [<paramref name="from"/>, <paramref name="to"/>]: one query per table for the
    /// whole range. Promises and payment plans are tracked (the cycle moves them on); everything else is read only.
    /// With <paramref name="owed"/> (the invoices the day's health stage found still owed, <see cref="OwedInvoices"/>)
    /// only those invoices are read, with their own payments and credit notes, and the payments of accounts whose open
    /// promise or plan counts what was paid; without, the range's whole ledger. Both give the same balances of what is
    /// owed, and only what is owed is collected.
    /// </summary>
    /// <paramref name="users"/>, when given, are every user, read once for all ranges. With <paramref name="owed"/> and
    /// <paramref name="reviewDays"/> (the playbook's renewal review window) the book holds only the accounts that may have
    /// something to do: those owing, with an open promise, plan or data task, or a subscription renewing within the window
    /// whose review is not open yet.
    /// The others would be found quiet; their accounts, contacts and subscriptions are not read. With
    /// <paramref name="mayAct"/> as well, an account that only owes is left out too when its playbook has nothing for it
    /// on the day: the predicate is asked with the account's invoices, pauses, steps done and whether it has a billing
    /// contact, as if it were not cancelled (which can only make a day quieter), and answers whether the decision would do
    /// anything.
    public static async Task<CollectionBook> LoadRangeAsync(CsmDbContext db, DateOnly asOf, long from, long to, long[]? owed, CancellationToken ct,
        Dictionary<long, User>? users = null, Action<string, TimeSpan>? time = null, int? reviewDays = null,
        Func<AccountCollectionState, bool>? mayAct = null)
    {
        var timer = new StepTimer(time, "read ");
        users ??= await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var promises = await db.PromisesToPay.Where(p => p.State == PromiseState.Open && p.AccountId >= from && p.AccountId <= to).ToListAsync(ct);
        var disputes = await db.Disputes.Where(d => d.State == DisputeState.Open && d.AccountId >= from && d.AccountId <= to).ToListAsync(ct);
        var plans = await db.PaymentPlans.Include(p => p.Instalments).Include(p => p.Invoices)
            .Where(p => p.State == PaymentPlanState.Active && p.AccountId >= from && p.AccountId <= to).AsSplitQuery().ToListAsync(ct);
        timer.Lap("promises, disputes, plans");

        // The owed invoices' ids as one parameter value, for the reads by ordinal below.
        var owedIds = owed is null ? null : LeanQuery.IdList(db, owed);
        List<Invoice> invoices;
        List<PaymentFacts> payments, applied;
        List<CreditNoteFacts> credits;
        IQueryable<Payment> succeeded = db.Payments.AsNoTracking().TagWith(SqliteLeanReads.Tag).Where(p => p.PaidOn <= asOf && p.Status == PaymentStatus.Succeeded);
        if (owed is null)
        {
            invoices = await db.Invoices.AsNoTracking().TagWith(SqliteLeanReads.Tag).Where(i => i.IssueDate <= asOf && i.AccountId >= from && i.AccountId <= to).ToListAsync(ct);
            applied = payments = await succeeded.Where(p => p.AccountId >= from && p.AccountId <= to)
                .Select(p => new PaymentFacts(p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn, true)).ToListAsync(ct);
            credits = await db.CreditNotes.AsNoTracking().TagWith(SqliteLeanReads.Tag).Where(c => c.IssuedOn <= asOf && c.AccountId >= from && c.AccountId <= to)
                .Select(c => new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn)).ToListAsync(ct);
        }
        else
        {
            // Read again here, inside the range's locked transaction: a payment recorded since the health stage read the
            // ledger is counted, so nobody is reminded of what was paid meanwhile. The ids go as one array (PostgreSQL) or
            // JSON (SQLite) parameter (EF.Parameter in the EF queries), not as thousands of parameters of a statement
            // prepared anew for every count.
            // The invoices are read by ordinal (LeanQuery), as the health stage reads: about one owed invoice per account.
            // PostgreSQL finds them among the range's invoices in the index that carries every column (one run of index
            // pages); by id, it would read a page of the table for nearly every one. SQLite looks each up by its key.
            var read = new List<Invoice>(owed.Length);
            await using (var query = await LeanQuery.CreateAsync(db, AccountSelection.Range(from, to), "account_id",
                             "SELECT id, account_id, amount, currency, due_date, issue_date, number, po_number, status FROM invoices WHERE "
                             + LeanQuery.AnyOf(db, "id", "owed") + " AND issue_date <= @asOf" + (db.Provider == StorageProvider.Postgres ? " AND {accounts}" : ""), ct))
                await query.With("owed", owedIds!).With("asOf", asOf).ForEachAsync(r =>
                    read.Add(Invoice.AsStored(r.GetInt64(0), r.GetInt64(1), r.GetDecimal(2), r.GetString(3), LeanQuery.Date(r, 4), LeanQuery.Date(r, 5),
                        r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), LeanQuery.Enum<InvoiceStatus>(r, 8))), ct);
            invoices = read;
            applied = await succeeded.Where(p => p.InvoiceId != null && EF.Parameter(owed).Contains(p.InvoiceId.Value))
                .Select(p => new PaymentFacts(p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn, true)).ToListAsync(ct);
            credits = await db.CreditNotes.AsNoTracking().TagWith(SqliteLeanReads.Tag).Where(c => c.IssuedOn <= asOf && EF.Parameter(owed).Contains(c.InvoiceId))
                .Select(c => new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn)).ToListAsync(ct);
            var counting = promises.Select(p => p.AccountId).Concat(plans.Select(p => p.AccountId)).Distinct().ToList();
            payments = counting.Count == 0 ? [] : await succeeded.Where(p => EF.Parameter(counting).Contains(p.AccountId))
                .Select(p => new PaymentFacts(p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn, true)).ToListAsync(ct);
        }
        var position = Ledger.Position(asOf, invoices.Select(InvoiceFacts.Of), applied, credits);
        timer.Lap("ledger");

        var contactTasks = await db.WorkTasks.AsNoTracking().TagWith(SqliteLeanReads.Tag)
            .Where(t => t.Kind == WorkTaskKind.BillingContactMissing && t.State == WorkTaskState.Open && t.AccountId >= from && t.AccountId <= to)
            .Select(t => new { t.AccountId, t.Id }).ToListAsync(ct);
        // What the day's decisions read: the steps done for owed invoices, today's actions, and plan reminders; without
        // owed invoices, every step done of the range. Read by ordinal: about one per owed invoice.
        var done = new List<CollectionStepDone>();
        await using (var query = await LeanQuery.CreateAsync(db, AccountSelection.Range(from, to), "account_id",
                         "SELECT account_id, invoice_id, step_id, acted_on, action_key FROM collection_steps_done WHERE {accounts}"
                         + (owed is null ? "" : " AND (" + LeanQuery.AnyOf(db, "invoice_id", "owed") + " OR acted_on = @asOf OR substr(step_id, 1, 5) = 'plan-')"), ct))
        {
            if (owedIds is not null) query.With("owed", owedIds).With("asOf", asOf);
            await query.ForEachAsync(r => done.Add(new CollectionStepDone(r.GetInt64(0), r.GetInt64(1), r.GetString(2), LeanQuery.Date(r, 3), r.GetString(4))), ct);
        }
        timer.Lap("steps done");
        // A review opens only before its renewal date: the reviews of renewals already passed are never asked about.
        var reviews = await db.RenewalReviews.AsNoTracking().TagWith(SqliteLeanReads.Tag).Where(r => r.AccountId >= from && r.AccountId <= to && r.RenewalDate > asOf)
            .Select(r => new { r.SubscriptionId, r.RenewalDate }).ToListAsync(ct);
        timer.Lap("reviews");
        var reviewed = reviews.Select(r => (r.SubscriptionId, r.RenewalDate)).ToHashSet();
        var selection = AccountSelection.Range(from, to);
        if (owed is not null && reviewDays is { } days)
        {
            // A renewal whose review is open already has nothing to do today.
            var renewing = (await db.Subscriptions.AsNoTracking().TagWith(SqliteLeanReads.Tag)
                    .Where(s => s.AccountId >= from && s.AccountId <= to && s.RenewalDate > asOf && s.RenewalDate <= asOf.AddDays(days))
                    .Select(s => new { s.AccountId, s.Id, s.RenewalDate }).ToListAsync(ct))
                .Where(s => !reviewed.Contains((s.Id, s.RenewalDate!.Value))).Select(s => s.AccountId);
            var busy = promises.Select(p => p.AccountId).Concat(plans.Select(p => p.AccountId)).Concat(contactTasks.Select(t => t.AccountId)).Concat(renewing).ToList();
            var owing = invoices.Select(i => i.AccountId);
            if (mayAct is not null)
            {
                var contacted = new HashSet<long>();
                await using (var query = await LeanQuery.CreateAsync(db, AccountSelection.Range(from, to), "account_id",
                                 "SELECT account_id FROM contacts WHERE {accounts} AND role = @role", ct))
                    await query.With("role", nameof(ContactRole.Billing)).ForEachAsync(r => contacted.Add(r.GetInt64(0)), ct);
                owing = MayAct(position, invoices, disputes, done, busy.ToHashSet(), contacted, asOf, mayAct);
            }
            selection = AccountSelection.Of(owing.Concat(busy));
            timer.Lap("accounts to read");
        }
        var accounts = selection.Ids is [] ? [] : await selection.Apply(db.Accounts.AsNoTracking().TagWith(SqliteLeanReads.Tag), a => a.Id).OrderBy(a => a.Id).ToListAsync(ct);
        timer.Lap("accounts");
        var contacts = selection.Ids is [] ? [] : await selection.Apply(db.Contacts.AsNoTracking().TagWith(SqliteLeanReads.Tag), c => c.AccountId).Where(c => c.Role == ContactRole.Billing).ToListAsync(ct);
        timer.Lap("contacts");
        var subscriptions = selection.Ids is [] ? [] : await selection.Apply(db.Subscriptions.AsNoTracking().TagWith(SqliteLeanReads.Tag), s => s.AccountId).ToListAsync(ct);
        timer.Lap("subscriptions");


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
            Reviews = reviewed,
            OpenContactTasks = contactTasks.ToLookup(t => t.AccountId, t => t.Id),
        };
    }

    /// <summary>
    /// The accounts owing on the day that are not <paramref name="busy"/> (an open promise, plan or data task, a renewal to
    /// review: read whatever their playbook says) and whose playbook may act: the state <see cref="CollectionCycle"/>
    /// composes for them (with a billing contact if <paramref name="contacted"/> holds the account, not cancelled), as
    /// <paramref name="mayAct"/> judges it.
    /// </summary>
    private static IEnumerable<long> MayAct(LedgerPosition position, List<Invoice> invoices, List<Dispute> disputes, List<CollectionStepDone> done,
        HashSet<long> busy, HashSet<long> contacted, DateOnly asOf, Func<AccountCollectionState, bool> mayAct)
    {
        var byId = invoices.ToDictionary(i => i.Id);
        var disputed = disputes.Select(d => d.InvoiceId).ToHashSet();
        var doneBy = done.ToLookup(d => d.AccountId);
        IReadOnlyList<PauseReason> paused = [new PauseReason(PauseKind.Disputed, "disputed")];
        foreach (var balances in position.Invoices.GroupBy(b => b.Invoice.AccountId))
        {
            var id = balances.Key;
            if (busy.Contains(id) || !balances.Any(b => b.Balance.IsPositive)) continue;
            var (stepsDone, reminded, delivered) = StepsDone(doneBy[id], id, asOf);
            var state = new AccountCollectionState(id, RiskTier.Low, HasBillingContact: contacted.Contains(id), Cancelled: false,
                balances.Select(b =>
                {
                    var invoice = byId[b.Invoice.Id];
                    return new CollectionInvoice(invoice.Id, invoice.Number, invoice.IssueDate, invoice.DueDate, invoice.Amount, b.Balance, invoice.PoNumber,
                        disputed.Contains(invoice.Id) ? paused : []);
                }).ToList(),
                stepsDone, RemindedToday: reminded, DeliveredToday: delivered);
            if (mayAct(state)) yield return id;
        }
    }

    /// <summary>
    /// An account's steps done as the decision reads them: each (invoice, step), and whether the day's reminder and its
    /// invoice delivery are among them (their action keys, <see cref="CollectionCycle.MessageKey"/>).
    /// </summary>
    public static (HashSet<(long InvoiceId, string StepId)> Done, bool RemindedToday, bool DeliveredToday) StepsDone(
        IEnumerable<CollectionStepDone> done, long accountId, DateOnly day)
    {
        var (reminderKey, deliveryKey) = (CollectionCycle.MessageKey(accountId, StepChannel.Reminder, day), CollectionCycle.MessageKey(accountId, StepChannel.Delivery, day));
        var steps = new HashSet<(long InvoiceId, string StepId)>();
        bool reminded = false, delivered = false;
        foreach (var x in done)
        {
            steps.Add((x.InvoiceId, x.StepId));
            reminded |= x.ActionKey == reminderKey;
            delivered |= x.ActionKey == deliveryKey;
        }
        return (steps, reminded, delivered);
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
