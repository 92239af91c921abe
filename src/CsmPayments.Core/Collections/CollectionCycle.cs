using System.Globalization;
using CsmPayments.Accounts;
using CsmPayments.Audit;
using CsmPayments.Billing;
using CsmPayments.Messaging;
using CsmPayments.Organisation;
using CsmPayments.Segments;
using CsmPayments.Storage;
using CsmPayments.Work;
using CsmPayments.Workflows;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Collections;

public enum CycleItemKind { Email, Task, PromiseKept, PromiseBroken, PlanCompleted, PlanBroken, RenewalReview, RenewalInvoice, TaskClosed }

/// <summary>One thing the cycle sent, created or decided (or, in a dry run, would).</summary>
public sealed record CycleItem(long AccountId, string Account, CycleItemKind Kind, string Key, string Summary);

/// <summary>
/// What a run did. <see cref="AlreadyDone"/> counts accounts whose actions another run recorded first (the unique
/// idempotency keys refused the second copy; nothing of it was written). <see cref="Items"/> lists what was done in
/// account order, at most as many as the run was asked to keep; <see cref="Counts"/> counts all of it, by kind.
/// </summary>
public sealed record CycleResult(DateOnly AsOf, bool DryRun, IReadOnlyList<CycleItem> Items, int AlreadyDone)
{
    public IReadOnlyDictionary<CycleItemKind, int> Counts { get; init; } = Items.CountBy(i => i.Kind).ToDictionary();

    /// <summary>What was done and not listed in <see cref="Items"/>.</summary>
    public int LeftOut => Counts.Values.Sum() - Items.Count;

    public int Count(CycleItemKind kind) => Counts.GetValueOrDefault(kind);
}

/// <summary>
/// Risk tiers that arrive range by range while the collection stage already runs: the daily cycle's health stage gives
/// them out as it evaluates the accounts in id order, and a range of the collection stage waits until its accounts have
/// theirs.
/// </summary>
public interface IArrivingRiskTiers
{
    /// <summary>Completes once every account with an id up to <paramref name="accountId"/> has its tier, or no more will come.</summary>
    Task ReadyThroughAsync(long accountId, CancellationToken ct);

    /// <summary>The account's tier; null for an account that was not given one.</summary>
    RiskTier? TierOf(long accountId);
}

/// <summary>
/// The collection part of the daily run for as-of date D: evaluates promises and payment plans, works out each
/// account's due playbook steps (<see cref="CollectionDecision"/>), opens renewal reviews, and records every action
/// with its outbox message, tasks and audit entries. Accounts go in ranges of <see cref="RangeSize"/>: each range is
/// read with one query per table and written in one transaction. Each action carries a unique
/// idempotency key — (account, D) for the day's reminder and invoice delivery, (account, step, D) for tasks, (invoice,
/// step) for what a step covered — so a re-run
/// of the same day, a crash half way, or two processes running at once never records anything twice. A range's account
/// rows are locked first (<see cref="LockAccountsAsync"/>), so two runs work one range one after the other. Messages are delivered by the
/// <see cref="OutboxDispatcher"/>.
/// </summary>
public sealed class CollectionCycle(Database database, Playbook playbook, MessageTemplates templates, OrganisationOptions organisation,
    PaymentLinks paymentLinks, TimeProvider clock)
{
    /// <summary>
    /// Runs the cycle for <paramref name="asOf"/>. With <paramref name="dryRun"/> it returns what it would send and
    /// create, and writes nothing.
    /// </summary>
    /// <paramref name="riskTiers"/> are the tiers the day's segmentation gave (the daily cycle passes them); without
    /// them they are read with <see cref="LoadRiskTiersAsync"/>. <paramref name="owed"/> are the invoices the day's health
    /// stage found still owed (the daily cycle passes them): only those are read, instead of every account's ledger.
    /// <paramref name="time"/>, when given, is told where the time went (summed over ranges, which may run at once).
    /// The result lists at most <paramref name="itemsKept"/> items (the first in account order) and counts them all: a
    /// first run on a large book does hundreds of thousands of things, all of them in the outbox, tasks and audit log.
    /// <paramref name="arriving"/>, instead of <paramref name="riskTiers"/>, gives the tiers while the health stage still
    /// evaluates (each range waits for its accounts' tiers and owed invoices). <paramref name="renewalsIssued"/> are the
    /// renewal invoices the caller issued for the day already (<see cref="IssueRenewalInvoicesAsync"/>); without them the
    /// run issues them first. With <paramref name="held"/> (SQLite, beside the daily cycle's health stage) each range
    /// is read outside any transaction and written in the held one; it then commits when its holder commits.
    public async Task<CycleResult> RunAsync(DateOnly asOf, bool dryRun = false, CancellationToken ct = default,
        IReadOnlyDictionary<long, RiskTier>? riskTiers = null, OwedInvoices? owed = null, Action<string, TimeSpan>? time = null,
        int itemsKept = int.MaxValue, IArrivingRiskTiers? arriving = null, IReadOnlyList<CycleItem>? renewalsIssued = null,
        HeldWriteLock? held = null)
    {
        var timer = new StepTimer(time);
        var rates = organisation.Rates();
        paymentLinks.EnsureKey();
        // Renewal invoices first, so the invoice delivery step below sends each one the day it is issued.
        var items = renewalsIssued?.ToList() ?? await IssueRenewalInvoicesAsync(asOf, dryRun, owed, ct);
        timer.Lap("renewal invoices");
        List<long> ids;
        Func<long, RiskTier> tiers;
        Dictionary<long, User> users;
        await using (var db = database.Open())
        {
            ids = await db.Accounts.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct);
            if (arriving is not null) tiers = id => arriving.TierOf(id) ?? RiskTier.Low;
            else
            {
                var known = riskTiers ?? await LoadRiskTiersAsync(db, asOf, rates, ct);
                tiers = id => known.GetValueOrDefault(id, RiskTier.Low);
            }
            users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        }
        timer.Lap("accounts and tiers");

        // Ranges are disjoint, each in its own transaction on its own connection, so on PostgreSQL several run at once
        // (a competing process still meets each range's row locks). SQLite lets one writer in at a time: one by one,
        // unless the write lock is held for them all already, when ranges only read on their own connections.
        var ranges = ids.Chunk(RangeSize).ToArray();
        // Each range's items are counted, and kept while fewer than asked for are, in range order; a range that finishes
        // before an earlier one waits here until that one is in.
        var finished = new List<CycleItem>?[ranges.Length];
        var counts = items.CountBy(i => i.Kind).ToDictionary();
        var kept = items.Take(itemsKept).ToList();
        var next = 0;
        var alreadyDone = 0;
        void Gather(int index, List<CycleItem> written, int done)
        {
            lock (finished)
            {
                alreadyDone += done;
                finished[index] = written;
                for (; next < finished.Length && finished[next] is { } ready; finished[next++] = [])
                    foreach (var item in ready)
                    {
                        counts[item.Kind] = counts.GetValueOrDefault(item.Kind) + 1;
                        if (kept.Count < itemsKept) kept.Add(item);
                    }
            }
        }
        var atOnce = database.Options.Provider == StorageProvider.Postgres || held is not null ? RangesAtOnce : 1;
        await Parallel.ForEachAsync(Enumerable.Range(0, ranges.Length), new ParallelOptions { MaxDegreeOfParallelism = atOnce, CancellationToken = ct },
            async (i, token) =>
            {
                if (arriving is not null)
                {
                    var waiting = System.Diagnostics.Stopwatch.StartNew();
                    await arriving.ReadyThroughAsync(ranges[i][^1], token);
                    time?.Invoke("waiting for health", waiting.Elapsed);
                }
                var (written, done) = await RunRangeAsync(ranges[i][0], ranges[i][^1], tiers, users, rates, asOf, dryRun,
                    owed?.InRange(ranges[i][0], ranges[i][^1]), held, time, token);
                Gather(i, written, done);
            });
        timer.Lap("ranges (wall)");
        return new CycleResult(asOf, dryRun, kept, alreadyDone) { Counts = counts };
    }

    /// <summary>
    /// Makes sure the payment links' key ring has its key (<see cref="PaymentLinks.EnsureKey"/>): the daily cycle calls it
    /// before its health stage takes SQLite's write lock, which the collection stage beside it then writes under.
    /// </summary>
    public void EnsurePaymentLinkKey() => paymentLinks.EnsureKey();

    /// <summary>How many accounts (by id) one range covers: read with one query per table, written in one transaction.</summary>
    public int RangeSize { get; init; } = 2000;

    /// <summary>Ranges worked at once on PostgreSQL, and on SQLite under a held write lock (otherwise SQLite works one at a time).</summary>
    public int RangesAtOnce
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(RangesAtOnce), "at least one range at a time");
    } = 2;

    /// <summary>
    /// Locks the rows of the accounts in [<paramref name="from"/>, <paramref name="to"/>] for the transaction, so that
    /// competing runs (and any write that locks one account) queue here. PostgreSQL: <c>SELECT … FOR NO KEY UPDATE</c>,
    /// which leaves the rows as they are and is the lock an update of an account row takes, so runs and such writes
    /// still queue, while rows that merely refer to an account (the health stage's segment history, written beside this
    /// stage in a transaction held until it ends) are not kept waiting, nor keep it waiting; SQLite: a no-op update,
    /// which takes the database's write lock.
    /// </summary>
    private static Task LockAccountsAsync(CsmDbContext db, long from, long to, CancellationToken ct) =>
        db.Provider == StorageProvider.Postgres
            ? db.Database.ExecuteSqlInterpolatedAsync($"SELECT id FROM accounts WHERE id >= {from} AND id <= {to} FOR NO KEY UPDATE", ct)
            : db.Accounts.Where(a => a.Id >= from && a.Id <= to).ExecuteUpdateAsync(s => s.SetProperty(a => a.Name, a => a.Name), ct);

    /// <summary>
    /// One range of accounts: their rows locked (so competing runs work a range one after the other and the second sees
    /// what the first recorded), their book read with one query per table, each account's day composed, and everything
    /// written in one transaction. Should another writer have recorded some of the same actions first (a unique key
    /// refuses the range), the range is written account by account instead, and the accounts already done are counted.
    /// With <paramref name="held"/> the range takes no lock of its own: it reads outside any transaction (no other
    /// writer can commit while the lock is held) and writes in the held transaction, within a savepoint, so a range that
    /// fails leaves nothing of itself there. No other writer can have recorded anything first, so a refusal is an error.
    /// </summary>
    private async Task<(List<CycleItem> Items, int AlreadyDone)> RunRangeAsync(long from, long to, Func<long, RiskTier> tiers,
        Dictionary<long, User> users, ExchangeRates rates, DateOnly asOf, bool dryRun, long[]? owed, HeldWriteLock? held, Action<string, TimeSpan>? time,
        CancellationToken ct)
    {
        var timer = new StepTimer(time);
        var works = new List<(Account Account, RiskTier Tier, AccountWork Work)>();
        await using (var db = database.Open())
        {
            await using var tx = held is null ? await db.Database.BeginTransactionAsync(ct) : null;
            // Takes the rows' locks (and SQLite's write lock) before reading, so competing runs queue here.
            if (!dryRun && held is null) await LockAccountsAsync(db, from, to, ct);
            timer.Lap("lock ranges");
            // An account that only owes is read when its playbook may act today (the decision is not quiet for it).
            var book = await CollectionBook.LoadRangeAsync(db, asOf, from, to, owed, ct, users, time, playbook.Settings.RenewalReviewDays,
                state => !CollectionDecision.Decide(playbook, state with { Tier = tiers(state.AccountId) }, asOf, rates).IsQuiet);
            timer.Skip();
            foreach (var account in book.Accounts)
            {
                if (NothingToDo(book, account.Id)) continue;
                var tier = tiers(account.Id);
                var work = Compose(book, account, tier, rates);
                if (!work.IsEmpty) works.Add((account, tier, work));
            }
            timer.Lap("compose");
            // A dry run ends here: the transaction is rolled back and nothing composed is saved.
            if (dryRun || works.Count == 0) return (works.SelectMany(w => w.Work.Items).ToList(), 0);

            if (held is not null)
            {
                await held.WriteAsync(async (writer, token) =>
                {
                    var transaction = writer.Database.CurrentTransaction
                                      ?? throw new InvalidOperationException("the held write lock has no transaction to write the range in");
                    await transaction.CreateSavepointAsync(RangeSavepoint, token);
                    try
                    {
                        // The promises and plans the day moved on were read here; the holder saves them.
                        MoveChanges(db, writer);
                        await WriteRangeAsync(writer, works, asOf, token);
                        await transaction.ReleaseSavepointAsync(RangeSavepoint, token);
                    }
                    catch
                    {
                        await transaction.RollbackToSavepointAsync(RangeSavepoint, CancellationToken.None);
                        await transaction.ReleaseSavepointAsync(RangeSavepoint, CancellationToken.None);
                        throw;
                    }
                }, ct);
                timer.Lap("write");
                if (Stage is { } written)
                    foreach (var (account, _, _) in works) await written("written", account.Id);
                return (works.SelectMany(w => w.Work.Items).ToList(), 0);
            }

            try
            {
                await WriteRangeAsync(db, works, asOf, ct);
                if (Stage is { } beforeCommit)
                    foreach (var (account, _, _) in works) await beforeCommit("before-commit", account.Id);
                await tx!.CommitAsync(ct);
            }
            catch (Exception e) when (IsUniqueViolation(e))
            {
                await tx!.RollbackAsync(ct);
                works.Clear();
            }
            timer.Lap("write");
            if (works.Count > 0)
            {
                if (Stage is { } committed)
                    foreach (var (account, _, _) in works) await committed("committed", account.Id);
                return (works.SelectMany(w => w.Work.Items).ToList(), 0);
            }
        }

        // Refused as a whole: account by account, each in its own transaction, as another writer left it.
        var items = new List<CycleItem>();
        var alreadyDone = 0;
        await using (var db = database.Open())
            foreach (var account in await db.Accounts.AsNoTracking().Where(a => a.Id >= from && a.Id <= to).OrderBy(a => a.Id).ToListAsync(ct))
            {
                var written = await WriteAccountAsync(account, tiers(account.Id), rates, asOf, ct);
                if (written is null) alreadyDone++;
                else items.AddRange(written);
            }
        return (items, alreadyDone);
    }

    private const string RangeSavepoint = "collection_range";

    /// <summary>
    /// The range's work, in <paramref name="db"/>'s transaction: the new rows go in without change tracking (a first run
    /// on a large book writes millions of them), COPYed on PostgreSQL, by one prepared INSERT on SQLite; the promises,
    /// plans and tasks the day moved on are saved by EF.
    /// </summary>
    private static async Task WriteRangeAsync(CsmDbContext db, List<(Account Account, RiskTier Tier, AccountWork Work)> works, DateOnly asOf, CancellationToken ct)
    {
        var close = works.SelectMany(w => w.Work.CloseTasks).ToList();
        if (close.Count > 0)
            foreach (var task in await db.WorkTasks.Where(t => close.Contains(t.Id) && t.State == WorkTaskState.Open).ToListAsync(ct))
                task.Complete(asOf);
        await db.SaveChangesAsync(ct);
        await new BulkUpsert<OutboxMessage>(db).InsertNewAsync(works.SelectMany(w => w.Work.Messages).ToList(), ct);
        await new BulkUpsert<WorkTask>(db).InsertNewAsync(works.SelectMany(w => w.Work.Tasks).ToList(), ct);
        await new BulkUpsert<CollectionStepDone>(db).InsertNewAsync(works.SelectMany(w => w.Work.Done).ToList(), ct);
        await new BulkUpsert<AuditEntry>(db).InsertNewAsync(works.SelectMany(w => w.Work.Audit).ToList(), ct);
        await new BulkUpsert<RenewalReview>(db).InsertNewAsync(works.SelectMany(w => w.Work.Reviews).ToList(), ct);
    }

    /// <summary>
    /// Gives <paramref name="to"/> the entities <paramref name="from"/> tracks, in the states they have there (the
    /// properties changed marked changed, with their values as read), so that saving <paramref name="to"/> writes what
    /// the range changed. Every tracked entity goes, unchanged ones too, so that each one a changed one refers to is
    /// known to <paramref name="to"/> as it is.
    /// </summary>
    private static void MoveChanges(CsmDbContext from, CsmDbContext to)
    {
        from.ChangeTracker.DetectChanges();
        var moving = from.ChangeTracker.Entries()
            .Select(e => (e.Entity, e.State, Changed: e.Properties.Where(p => p.IsModified).Select(p => (p.Metadata.Name, p.OriginalValue)).ToList()))
            .ToList();
        from.ChangeTracker.Clear();
        foreach (var (entity, state, _) in moving)
            to.Entry(entity).State = state == EntityState.Added ? EntityState.Added : EntityState.Unchanged;
        foreach (var (entity, state, changed) in moving)
        {
            var target = to.Entry(entity);
            if (state == EntityState.Deleted) target.State = EntityState.Deleted;
            foreach (var (name, original) in changed)
            {
                var property = target.Property(name);
                property.OriginalValue = original;
                property.IsModified = true;
            }
        }
    }

    /// <summary>
    /// Issues the renewal invoice of every approved review whose issue date has come (<see cref="RenewalInvoicing"/>),
    /// each in its own transaction with the review's record of it and an audit entry. The account row is locked first
    /// and the invoice number is unique per subscription and renewal, so a re-run or a second process issues nothing twice.
    /// </summary>
    public async Task<List<CycleItem>> IssueRenewalInvoicesAsync(DateOnly asOf, bool dryRun, OwedInvoices? owed, CancellationToken ct)
    {
        var settings = playbook.Settings.RenewalInvoice;
        List<RenewalReview> approved;
        await using (var db = database.Open())
            approved = (await db.RenewalReviews.AsNoTracking().Where(r => r.State == RenewalReviewState.Approved && r.InvoiceId == null).ToListAsync(ct))
                .Where(r => asOf >= RenewalInvoicing.IssueOn(r.RenewalDate, settings)).OrderBy(r => r.AccountId).ThenBy(r => r.Id).ToList();

        var items = new List<CycleItem>();
        foreach (var candidate in approved)
        {
            await using var db = database.Open();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!dryRun) await db.Accounts.Where(a => a.Id == candidate.AccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Name, a => a.Name), ct);
            var review = await db.RenewalReviews.SingleAsync(r => r.Id == candidate.Id, ct);
            var subscription = await db.Subscriptions.AsNoTracking().SingleAsync(x => x.Id == review.SubscriptionId, ct);
            var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == review.AccountId, ct);
            var invoices = await db.Invoices.AsNoTracking().Where(i => i.AccountId == account.Id && i.IssueDate <= asOf).ToListAsync(ct);
            var draft = RenewalInvoicing.Draft(review, subscription, RenewalInvoicing.PaymentTerms(invoices), settings, asOf);
            if (draft is null) continue;
            var summary = $"renewal invoice {draft.Number} for {subscription.ExternalId} (renews {Date(review.RenewalDate)}): {draft.Amount}, {draft.Basis}, due {Date(draft.DueDate)}";
            var item = new CycleItem(account.Id, account.Name, CycleItemKind.RenewalInvoice, $"renewal-invoice:{review.Id}", summary);
            if (dryRun)
            {
                items.Add(item);
                continue;
            }
            var invoice = new Invoice(draft.Number, account.Id, draft.IssueDate, draft.DueDate, draft.Amount, null, InvoiceStatus.Open);
            db.Invoices.Add(invoice);
            try
            {
                await db.SaveChangesAsync(ct);
                review.RecordInvoice(invoice.Id, asOf);
                db.AuditEntries.Add(new AuditEntry(account.Id, clock.GetUtcNow(), "system", AuditActions.RenewalInvoiceIssued,
                    $"{summary}; approved by {review.DecidedBy} on {Date(review.DecidedOn!.Value)}", draft.Amount));
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (DbUpdateException e) when (IsUniqueViolation(e))
            {
                await tx.RollbackAsync(ct);
                continue;
            }
            owed?.Add(account.Id, invoice.Id);
            items.Add(item);
        }
        return items;
    }

    /// <summary>
    /// What waits on renewal reviews, per account, for <c>report collections</c>: held renewal invoices with the reason,
    /// approved ones not yet issued with their date, and reviews still undecided when their invoice was due to go out.
    /// </summary>
    public async Task<ILookup<long, string>> RenewalNotesAsync(DateOnly asOf, CancellationToken ct = default)
    {
        var settings = playbook.Settings.RenewalInvoice;
        await using var db = database.Open();
        var reviews = await db.RenewalReviews.AsNoTracking().Where(r => r.InvoiceId == null && r.RenewalDate >= asOf).ToListAsync(ct);
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => reviews.Select(r => r.SubscriptionId).Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.ExternalId, ct);
        return reviews.OrderBy(r => r.RenewalDate).Select(r =>
            {
                var what = $"renewal invoice for {subscriptions[r.SubscriptionId]} (renews {Date(r.RenewalDate)})";
                var issueOn = RenewalInvoicing.IssueOn(r.RenewalDate, settings);
                return (r.AccountId, Note: r.State switch
                {
                    RenewalReviewState.Held => $"{what} held by {r.DecidedBy} on {Date(r.DecidedOn!.Value)}: {r.Reason}; it does not go out",
                    RenewalReviewState.Approved => $"{what} approved; issued on {Date(issueOn > asOf ? issueOn : asOf)}",
                    _ => asOf >= issueOn ? $"{what} waits for its review; it was due to go out on {Date(issueOn)}" : null,
                });
            })
            .Where(n => n.Note is not null)
            .ToLookup(n => n.AccountId, n => n.Note!);
    }

    /// <summary>What each account's day looks like, for reports: stage, next step, pauses. Changes nothing.</summary>
    public async Task<IReadOnlyList<(Account Account, CollectionDay Day)>> PlanAsync(DateOnly asOf, CancellationToken ct = default)
    {
        var rates = organisation.Rates();
        await using var db = database.Open();
        var book = await CollectionBook.LoadAsync(db, asOf, null, ct);
        var tiers = await LoadRiskTiersAsync(db, asOf, rates, ct);
        return book.Accounts
            .Select(a => (a, Compose(book, a, tiers.GetValueOrDefault(a.Id, RiskTier.Low), rates).Day))
            .ToList();
    }

    /// <summary>
    /// The risk tier of every account as of <paramref name="asOf"/>, which chooses its playbook: the tier the daily
    /// cycle's segmentation stored for the account (its latest assignment on or before the day); for an account the
    /// cycle has not segmented yet, <see cref="RiskTierRule"/> (open balance and late invoices of the last year).
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, RiskTier>> LoadRiskTiersAsync(CsmDbContext db, DateOnly asOf, ExchangeRates rates, CancellationToken ct = default)
    {
        var stored = await SegmentAssignments.RiskTiersAsync(db, asOf, ct);
        var derived = await DeriveRiskTiersAsync(db, asOf, rates, ct);
        return derived.ToDictionary(t => t.Key, t => stored.TryGetValue(t.Key, out var tier) ? tier : t.Value);
    }

    private static async Task<IReadOnlyDictionary<long, RiskTier>> DeriveRiskTiersAsync(CsmDbContext db, DateOnly asOf, ExchangeRates rates, CancellationToken ct)
    {
        var from = asOf.AddDays(-365);
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.IssueDate <= asOf).ToListAsync(ct);
        var invoiceIds = invoices.Select(i => i.Id).ToHashSet();
        var payments = await db.Payments.AsNoTracking().Where(p => p.PaidOn <= asOf && p.Status == PaymentStatus.Succeeded)
            .Select(p => new PaymentFacts(p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn, true)).ToListAsync(ct);
        var credits = await db.CreditNotes.AsNoTracking().Where(c => c.IssuedOn <= asOf)
            .Select(c => new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn)).ToListAsync(ct);
        var facts = invoices.Select(InvoiceFacts.Of).ToList();
        var position = Ledger.Position(asOf, facts, payments, credits);
        var open = position.Invoices.GroupBy(b => b.Invoice.AccountId)
            .ToDictionary(g => g.Key, g => g.Sum(b => rates.ToBase(b.Balance.Amount, b.Balance.Currency)));
        var paymentsByAccount = payments.ToLookup(p => p.AccountId);
        var creditsByAccount = credits.ToLookup(c => c.AccountId);
        var accountIds = await db.Accounts.AsNoTracking().Select(a => a.Id).ToListAsync(ct);
        var invoicesByAccount = facts.Where(f => f.IssueDate >= from).ToLookup(f => f.AccountId);
        return accountIds.ToDictionary(id => id, id => RiskTierRule.Derive(open.GetValueOrDefault(id),
            RiskTierRule.LateInvoices(asOf, invoicesByAccount[id], paymentsByAccount[id], creditsByAccount[id])));
    }

    /// <summary>Called with the account id at <c>before-commit</c> and <c>committed</c>, so crash tests can stop a run exactly there.</summary>
    internal Func<string, long, Task>? Stage { get; init; }

    private async Task<IReadOnlyList<CycleItem>?> WriteAccountAsync(Account account, RiskTier tier, ExchangeRates rates, DateOnly asOf, CancellationToken ct)
    {
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Takes the account's row lock (and SQLite's write lock) before reading, so competing runs queue here.
        await db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Name, a => a.Name), ct);
        var book = await CollectionBook.LoadAsync(db, asOf, account.Id, ct);
        var work = Compose(book, account, tier, rates);
        if (work.IsEmpty) return [];
        db.OutboxMessages.AddRange(work.Messages);
        db.WorkTasks.AddRange(work.Tasks);
        db.CollectionStepsDone.AddRange(work.Done);
        db.AuditEntries.AddRange(work.Audit);
        db.RenewalReviews.AddRange(work.Reviews);
        foreach (var task in await db.WorkTasks.Where(t => work.CloseTasks.Contains(t.Id) && t.State == WorkTaskState.Open).ToListAsync(ct))
            task.Complete(asOf);
        try
        {
            await db.SaveChangesAsync(ct);
            if (Stage is { } beforeCommit) await beforeCommit("before-commit", account.Id);
            await tx.CommitAsync(ct);
            if (Stage is { } committed) await committed("committed", account.Id);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            await tx.RollbackAsync(ct);
            return null;
        }
        return work.Items;
    }

    /// <summary>A unique key refused a row: from EF's save (the provider's error inside) or from a COPY (PostgreSQL's own).</summary>
    private static bool IsUniqueViolation(Exception e) => (e is DbUpdateException ? e.InnerException : e) switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        _ => false,
    };

    private sealed class AccountWork
    {
        public required CollectionDay Day { get; init; }
        public List<OutboxMessage> Messages { get; } = [];
        public List<WorkTask> Tasks { get; } = [];
        public List<CollectionStepDone> Done { get; } = [];
        public List<AuditEntry> Audit { get; } = [];
        public List<RenewalReview> Reviews { get; } = [];
        public List<long> CloseTasks { get; } = [];
        public List<CycleItem> Items { get; } = [];
        public bool Changed { get; set; }
        public bool IsEmpty => !Changed && Messages.Count == 0 && Tasks.Count == 0 && Reviews.Count == 0 && Audit.Count == 0;
    }

    private AccountWork Compose(CollectionBook book, Account account, RiskTier tier, ExchangeRates rates)
    {
        var d = book.AsOf;
        var now = clock.GetUtcNow();
        var settings = playbook.Settings;
        var balances = book.Balances[account.Id].ToList();
        var pauses = balances.ToDictionary(b => b.Invoice.Id, _ => new List<PauseReason>());
        var audit = new List<AuditEntry>();
        var tasks = new List<WorkTask>();
        var items = new List<CycleItem>();
        var messages = new List<OutboxMessage>();
        var done = new List<CollectionStepDone>();
        var changed = false;
        var csm = book.Users.GetValueOrDefault(account.CsmId);

        void Item(CycleItemKind kind, string key, string summary) => items.Add(new CycleItem(account.Id, account.Name, kind, key, summary));

        void Task(string key, WorkTaskKind kind, UserRole role, string title, string detail, DateOnly dueOn)
        {
            var owner = OwnerFor(role, account, book);
            tasks.Add(new WorkTask(key, account.Id, kind, role, owner?.Id, title, detail, d, dueOn));
            audit.Add(new AuditEntry(account.Id, now, "system", AuditActions.TaskCreated, $"{title} - for {owner?.Email ?? RoleName(role)}"));
            Item(CycleItemKind.Task, key, $"task for {owner?.Email ?? RoleName(role)}: {title}");
        }

        foreach (var promise in book.OpenPromises[account.Id])
        {
            var paid = book.PaidSince(account.Id, promise.RecordedOn, promise.Currency);
            switch (promise.Evaluate(paid, d, settings.PromiseGraceDays))
            {
                case PromiseState.Kept:
                    promise.Keep(d);
                    changed = true;
                    audit.Add(new AuditEntry(account.Id, now, "system", AuditActions.PromiseKept, $"promise to pay {promise.Amount} by {Date(promise.PromisedFor)} kept: {paid} received", promise.Amount));
                    Item(CycleItemKind.PromiseKept, $"promise:{promise.Id}", $"promise to pay {promise.Amount} by {Date(promise.PromisedFor)} kept");
                    break;
                case PromiseState.Broken:
                    promise.Break(d);
                    changed = true;
                    audit.Add(new AuditEntry(account.Id, now, "system", AuditActions.PromiseBroken,
                        $"promise to pay {promise.Amount} by {Date(promise.PromisedFor)} broken: {paid} received; reminders resume", promise.Amount));
                    Item(CycleItemKind.PromiseBroken, $"promise:{promise.Id}", $"promise to pay {promise.Amount} by {Date(promise.PromisedFor)} broken");
                    Task($"promise-broken:{promise.Id}", WorkTaskKind.BrokenPromise, UserRole.Csm, $"{account.Name} broke its promise to pay {promise.Amount} by {Date(promise.PromisedFor)}",
                        $"Received {paid} since the promise of {Date(promise.RecordedOn)}. Reminders resume at the next step.", d);
                    break;
                default:
                    foreach (var list in pauses.Values) list.Add(new PauseReason(PauseKind.Promised, $"promise to pay {promise.Amount} by {Date(promise.PromisedFor)}"));
                    break;
            }
        }

        foreach (var dispute in book.OpenDisputes[account.Id])
            if (pauses.TryGetValue(dispute.InvoiceId, out var list)) list.Add(new PauseReason(PauseKind.Disputed, $"disputed since {Date(dispute.OpenedOn)}: {dispute.Reason}"));

        var contact = book.BillingContacts[account.Id].FirstOrDefault();
        foreach (var plan in book.ActivePlans[account.Id])
        {
            var paid = book.PaidSince(account.Id, plan.ApprovedOn!.Value, plan.Currency);
            switch (plan.Evaluate(paid, d, settings.PlanGraceDays))
            {
                case PaymentPlanState.Completed:
                    plan.Complete(d);
                    changed = true;
                    audit.Add(new AuditEntry(account.Id, now, "system", AuditActions.PlanCompleted, $"payment plan {plan.Id} paid in full", plan.Total));
                    Item(CycleItemKind.PlanCompleted, $"plan:{plan.Id}", $"payment plan {plan.Id} paid in full");
                    break;
                case PaymentPlanState.Broken:
                    var missed = plan.NextUnpaid(paid)!;
                    plan.Break(d, $"instalment {missed.Number} of {missed.Amount} due {Date(missed.DueOn)} not paid");
                    changed = true;
                    audit.Add(new AuditEntry(account.Id, now, "system", AuditActions.PlanBroken,
                        $"payment plan {plan.Id} broken: instalment {missed.Number} of {missed.Amount} due {Date(missed.DueOn)} not paid; reminders resume", missed.Amount));
                    Item(CycleItemKind.PlanBroken, $"plan:{plan.Id}", $"payment plan {plan.Id} broken: instalment {missed.Number} missed");
                    Task($"plan-broken:{plan.Id}", WorkTaskKind.MissedInstalment, UserRole.Csm, $"{account.Name} missed instalment {missed.Number} of its payment plan",
                        $"{missed.Amount} was due {Date(missed.DueOn)}; {paid} received since the plan was approved. The plan is broken and reminders resume.", d);
                    break;
                default:
                    foreach (var invoice in plan.Invoices)
                        if (pauses.TryGetValue(invoice.InvoiceId, out var list)) list.Add(new PauseReason(PauseKind.OnPlan, $"on payment plan {plan.Id}"));
                    var next = plan.NextUnpaid(paid);
                    var firstInvoice = plan.Invoices.Min(i => i.InvoiceId);
                    var stepId = $"plan-{plan.Id}-instalment-{next?.Number}";
                    if (next is not null && d >= next.DueOn.AddDays(-settings.PlanReminderDays) && d <= next.DueOn && contact is not null
                        && !book.Done[account.Id].Any(x => x.StepId == stepId))
                    {
                        var remaining = plan.Instalments.Where(i => i.Number > next.Number).Aggregate(Money.Zero(plan.Currency), (s, i) => s + i.Amount);
                        var key = $"email:{account.Id}:{stepId}:{Date(d)}";
                        var model = Model(account, contact, Sender(UserRole.Collector, account, book), [], balances, book, d);
                        model["instalment"] = new Dictionary<string, object?>
                        {
                            ["number"] = next.Number,
                            ["count"] = plan.Instalments.Count,
                            ["amount"] = next.Amount.ToString(),
                            ["due_date"] = Date(next.DueOn),
                            ["remaining_after"] = remaining.ToString(),
                        };
                        messages.Add(Message(key, account, contact, UserRole.Collector, book, "instalment", model, now));
                        done.Add(new CollectionStepDone(account.Id, firstInvoice, stepId, d, key));
                        Item(CycleItemKind.Email, key, $"instalment {next.Number} reminder to {contact.Email}");
                    }
                    break;
            }
        }

        var (stepsDone, reminded, delivered) = CollectionBook.StepsDone(book.Done[account.Id], account.Id, d);
        var state = new AccountCollectionState(account.Id, tier, contact is not null, book.IsCancelled(account.Id),
            balances.Select(b =>
            {
                var invoice = book.Invoices[b.Invoice.Id];
                return new CollectionInvoice(invoice.Id, invoice.Number, invoice.IssueDate, invoice.DueDate, invoice.Amount, b.Balance, invoice.PoNumber, pauses[invoice.Id]);
            }).ToList(),
            stepsDone, RemindedToday: reminded, DeliveredToday: delivered);
        var day = CollectionDecision.Decide(playbook, state, d, rates);

        foreach (var message in new[] { day.Delivery, day.Reminder })
        {
            if (message is null || contact is null) continue;
            var key = MessageKey(account.Id, message.Step.Channel, d);
            var sender = Sender(message.Step.Role, account, book);
            var model = Model(account, contact, sender, message.Invoices, balances, book, d);
            messages.Add(Message(key, account, contact, message.Step.Role, book, message.Step.Template!, model, now));
            done.AddRange(message.Covers.Select(c => new CollectionStepDone(account.Id, c.InvoiceId, c.StepId, d, key)));
            var numbers = string.Join(", ", message.Invoices.Select(i => i.Number));
            var total = message.Invoices.Select(i => i.Balance).Aggregate((a, b) => a + b);
            audit.Add(new AuditEntry(account.Id, now, "system", AuditActions.ReminderQueued,
                $"{message.Step.Id}: '{message.Step.Template}' to {contact.Email} in the name of {sender.Name} ({sender.Title}) for {numbers}", total));
            Item(CycleItemKind.Email, key, $"{message.Step.Id} to {contact.Email} from {sender.Name} ({sender.Title}) for {numbers}");
        }

        foreach (var work in day.Work)
        {
            var key = $"task:{account.Id}:{work.Step.Id}:{Date(d)}";
            var detail = string.Join("; ", work.Invoices.Select(i => $"{i.Number}: {i.Balance} open, {i.DaysOverdue(d)} days overdue"));
            Task(key, work.Step.Action == StepAction.Call ? WorkTaskKind.CollectionCall : WorkTaskKind.CollectionFollowUp, work.Step.Role,
                $"{account.Name}: {work.Step.Title}", detail, d);
            done.AddRange(work.Invoices.Select(i => new CollectionStepDone(account.Id, i.Id, work.Step.Id, d, key)));
        }

        // The CSM's data task closes itself once a billing contact is known; the held reminders then go out.
        var closeTasks = contact is null ? [] : book.OpenContactTasks[account.Id].ToList();
        if (closeTasks.Count > 0) Item(CycleItemKind.TaskClosed, $"billing-contact:{account.Id}", $"billing contact task closed: {contact!.Email} is the billing contact");
        if (day.BillingContactNeeded && !book.OpenContactTasks.Contains(account.Id))
            Task($"billing-contact:{account.Id}:{Date(d)}", WorkTaskKind.BillingContactMissing, UserRole.Csm,
                $"{account.Name} has no billing contact: find out who pays the invoices",
                day.Next is { } n ? $"Reminders wait until a billing contact is known; the next one is {n.Step.Id} on {Date(n.On)} for {n.InvoiceNumber}." : "Reminders wait until a billing contact is known.",
                day.Next is { } m && m.On > d ? m.On : d);

        var reviews = new List<RenewalReview>();
        foreach (var subscription in book.Subscriptions[account.Id])
        {
            if (!ReviewDue(book, subscription) || subscription.RenewalDate is not { } renewal) continue;
            reviews.Add(new RenewalReview(account.Id, subscription.Id, renewal, d));
            audit.Add(new AuditEntry(account.Id, now, "system", AuditActions.RenewalReviewOpened,
                $"renewal of {subscription.ExternalId} ({subscription.Plan}, {subscription.Mrr} MRR) on {Date(renewal)}: may the renewal invoice go out?"));
            Item(CycleItemKind.RenewalReview, $"renewal:{subscription.Id}:{Date(renewal)}", $"renewal review for {subscription.ExternalId}, renewing {Date(renewal)}");
            var title = $"{account.Name}: review the renewal invoice for {subscription.ExternalId} (renews {Date(renewal)})";
            var due = Min(renewal.AddDays(-1), d.AddDays(14));
            Task($"renewal:{subscription.Id}:{Date(renewal)}:csm", WorkTaskKind.RenewalReview, UserRole.Csm, title, "Approve the renewal invoice or hold it with a reason, together with finance.", due);
            Task($"renewal:{subscription.Id}:{Date(renewal)}:finance", WorkTaskKind.RenewalReview, UserRole.Controller, title, "Approve the renewal invoice or hold it with a reason, together with the CSM.", due);
        }

        var result = new AccountWork { Day = day, Changed = changed || closeTasks.Count > 0 };
        result.CloseTasks.AddRange(closeTasks);
        result.Messages.AddRange(messages);
        result.Tasks.AddRange(tasks);
        result.Done.AddRange(done);
        result.Audit.AddRange(audit);
        result.Reviews.AddRange(reviews);
        result.Items.AddRange(items);
        return result;
    }

    /// <summary>Whether a subscription's renewal review opens on the book's day: active, renewing within the review window, not yet reviewed.</summary>
    private bool ReviewDue(CollectionBook book, Subscription subscription) =>
        subscription.RenewalDate is { } renewal && subscription.IsActiveOn(book.AsOf)
        && book.AsOf >= renewal.AddDays(-playbook.Settings.RenewalReviewDays) && book.AsOf < renewal
        && !book.Reviews.Contains((subscription.Id, renewal));

    /// <summary>
    /// An account that owes nothing, has no open promise, plan or data task, and no renewal review to open: its day is
    /// quiet whatever its tier (what <see cref="Compose"/> would find empty), so it is not composed at all. Most of a
    /// large book, most days.
    /// </summary>
    private bool NothingToDo(CollectionBook book, long accountId)
    {
        foreach (var b in book.Balances[accountId])
            if (b.Balance.IsPositive) return false;
        if (book.OpenPromises.Contains(accountId) || book.ActivePlans.Contains(accountId) || book.OpenContactTasks.Contains(accountId)) return false;
        foreach (var subscription in book.Subscriptions[accountId])
            if (ReviewDue(book, subscription)) return false;
        return true;
    }

    /// <summary>
    /// The idempotency key of an account's reminder (or invoice delivery) of one day: per account and day, not per step,
    /// so the unique key itself refuses a second reminder for the day even if a later run chose another step.
    /// </summary>
    public static string MessageKey(long accountId, StepChannel channel, DateOnly day) =>
        $"email:{accountId}:{(channel == StepChannel.Delivery ? "delivery" : "reminder")}:{Date(day)}";

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private OutboxMessage Message(string key, Account account, Contact contact, UserRole role, CollectionBook book, string template,
        Dictionary<string, object?> model, DateTimeOffset now)
    {
        var rendered = templates.Render(template, model);
        var sender = Sender(role, account, book);
        return new OutboxMessage(key, account.Id, contact.Email, contact.Name, $"{sender.Name} ({organisation.Name})", sender.Email,
            rendered.Subject, rendered.Body, now, rendered.Html);
    }

    internal sealed record SenderInfo(string Name, string? Email, string Title);

    private SenderInfo Sender(UserRole role, Account account, CollectionBook book)
    {
        var user = OwnerFor(role, account, book);
        return new SenderInfo(user?.Name ?? $"{organisation.Name} {RoleTitle(role)}", user?.Email, RoleTitle(role));
    }

    /// <summary>The person holding a role for an account: its CSM, else the first user with that role.</summary>
    private static User? OwnerFor(UserRole role, Account account, CollectionBook book) =>
        role == UserRole.Csm
            ? book.Users.GetValueOrDefault(account.CsmId)
            : book.Users.Values.Where(u => u.Role == role).OrderBy(u => u.Id).FirstOrDefault();

    public static string RoleTitle(UserRole role) => role switch
    {
        UserRole.Csm => "Customer Success Manager",
        UserRole.Collector => "Accounts Receivable",
        UserRole.Controller => "Controller",
        UserRole.Cfo => "Chief Financial Officer",
        UserRole.CsLead => "Head of Customer Success",
        _ => "Administrator",
    };

    private static string RoleName(UserRole role) => role switch
    {
        UserRole.CsLead => "cs_lead",
        _ => role.ToString().ToLowerInvariant(),
    };

    private Dictionary<string, object?> Model(Account account, Contact contact, SenderInfo sender, IReadOnlyList<CollectionInvoice> atStage,
        IReadOnlyList<InvoiceBalance> balances, CollectionBook book, DateOnly d)
    {
        Dictionary<string, object?> Invoice(long id, Money balance)
        {
            var invoice = book.Invoices[id];
            return new Dictionary<string, object?>
            {
                ["number"] = invoice.Number,
                ["amount"] = invoice.Amount.ToString(),
                ["balance"] = balance.ToString(),
                ["issue_date"] = Date(invoice.IssueDate),
                ["due_date"] = Date(invoice.DueDate),
                ["days_overdue"] = Math.Max(0, d.DayNumber - invoice.DueDate.DayNumber),
                ["po_number"] = invoice.PoNumber,
            };
        }

        var stageIds = atStage.Select(i => i.Id).ToHashSet();
        var open = balances.Where(b => b.Balance.IsPositive).ToList();
        var total = open.Count == 0 ? Money.Zero(account.Currency) : open.Select(b => b.Balance).Aggregate((a, b) => a + b);
        var stageTotal = atStage.Count == 0 ? total : atStage.Select(i => i.Balance).Aggregate((a, b) => a + b);
        var expires = d.AddDays(playbook.Settings.PaymentLinkDays);
        return new Dictionary<string, object?>
        {
            ["organisation"] = new Dictionary<string, object?> { ["name"] = organisation.Name },
            ["account"] = new Dictionary<string, object?> { ["name"] = account.Name, ["external_id"] = account.ExternalId },
            ["contact"] = new Dictionary<string, object?> { ["name"] = contact.Name, ["email"] = contact.Email },
            ["sender"] = new Dictionary<string, object?> { ["name"] = sender.Name, ["email"] = sender.Email, ["title"] = sender.Title },
            ["invoices"] = atStage.Select(i => (object?)Invoice(i.Id, i.Balance)).ToList(),
            ["other_invoices"] = open.Where(b => !stageIds.Contains(b.Invoice.Id)).OrderBy(b => b.Invoice.DueDate).Select(b => (object?)Invoice(b.Invoice.Id, b.Balance)).ToList(),
            ["total_balance"] = stageTotal.ToString(),
            ["account_balance"] = total.ToString(),
            ["payment_link"] = paymentLinks.For(account.Id, expires),
            ["link_expires_on"] = Date(expires),
            ["today"] = Date(d),
        };
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
