using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Integrations.Stripe;

/// <summary>What applying an event did: its outcome, why parts of it were left out, and the accounts it changed.</summary>
public sealed record StripeApplied(string EventId, string Type, StripeOutcome Outcome, bool Duplicate, IReadOnlyList<string> Notes,
    IReadOnlyCollection<long> ChangedAccounts);

/// <summary>
/// Writes the changes of one Stripe event in one transaction, with the event's id, so a second delivery changes nothing.
/// Each change first checks the object's version: an event older than the last one applied to that object is skipped.
/// </summary>
public static class StripeLedger
{
    public static async Task<StripeApplied> ApplyAsync(CsmDbContext db, StripeEventChanges e, DateTimeOffset now, CancellationToken ct = default) =>
        await ApplyAsync(db, e, now, StripeNewAccounts.Default, ct);

    public static async Task<StripeApplied> ApplyAsync(CsmDbContext db, StripeEventChanges e, DateTimeOffset now, StripeNewAccounts newAccounts,
        CancellationToken ct = default)
    {
        if (await db.StripeEvents.AsNoTracking().AnyAsync(x => x.EventId == e.EventId, ct)) return Duplicate(e);
        var notes = new List<string>();
        var accounts = new HashSet<long>();
        var (applied, stale) = (0, 0);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The event id is claimed first: a second delivery of the same event at the same moment waits on it (the row lock on
        // PostgreSQL, the write lock on SQLite) and then meets the unique key, so it is told apart as a duplicate instead of
        // failing half way through the same changes.
        var record = new StripeEventRecord(e.EventId, e.Type, e.CreatedAt, now, StripeOutcome.Ignored, null);
        db.StripeEvents.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            if (await OtherDeliveryStoredAsync(db, e.EventId)) return Duplicate(e);
            throw;
        }
        foreach (var received in e.Changes)
        {
            var change = received is PaymentChange p ? p with { ObjectId = await PaymentKeyAsync(db, p.Keys, ct) } : received;
            var version = await db.StripeObjects.FindAsync([change.ObjectId], ct);
            if (version is not null && !version.Admits(e.Created))
            {
                stale++;
                notes.Add($"{change.ObjectId}: a newer event was already applied");
                continue;
            }
            var (accountId, localKey, note) = await ApplyAsync(db, change, newAccounts, ct);
            if (note is not null) notes.Add($"{change.ObjectId}: {note}");
            if (accountId is not { } id) continue;
            applied++;
            accounts.Add(id);
            if (version is null) db.StripeObjects.Add(new StripeObjectVersion(change.ObjectId, e.Created, localKey));
            else version.Advance(e.Created, localKey);
            // Later changes of the same event look up what this one wrote (an invoice before its payment).
            await db.SaveChangesAsync(ct);
        }
        var outcome = applied > 0 ? StripeOutcome.Applied : stale > 0 && stale == e.Changes.Count ? StripeOutcome.Stale : StripeOutcome.Ignored;
        if (e.Changes.Count == 0) notes.Add($"{e.Type} events are not mapped to the ledger");
        record.Complete(outcome, notes.Count == 0 ? null : string.Join("; ", notes));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new StripeApplied(e.EventId, e.Type, outcome, false, notes, accounts);
    }

    /// <summary>Records a signed event whose content could not be read, so that its redeliveries are known; changes nothing else.</summary>
    public static async Task<StripeApplied> RecordUnreadableAsync(CsmDbContext db, string eventId, string type, long created, string reason,
        DateTimeOffset now, CancellationToken ct = default)
    {
        if (await db.StripeEvents.AsNoTracking().AnyAsync(x => x.EventId == eventId, ct))
            return new StripeApplied(eventId, type, StripeOutcome.Ignored, true, ["this event was already received"], []);
        db.StripeEvents.Add(new StripeEventRecord(eventId, type, DateTimeOffset.FromUnixTimeSeconds(created), now, StripeOutcome.Ignored, reason));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await OtherDeliveryStoredAsync(db, eventId))
                return new StripeApplied(eventId, type, StripeOutcome.Ignored, true, ["this event was already received"], []);
            throw;
        }
        return new StripeApplied(eventId, type, StripeOutcome.Ignored, false, [reason], []);
    }

    private static StripeApplied Duplicate(StripeEventChanges e) =>
        new(e.EventId, e.Type, StripeOutcome.Ignored, true, ["this event was already received"], []);

    private static async Task<bool> OtherDeliveryStoredAsync(CsmDbContext db, string eventId)
    {
        await using var fresh = db.Provider == StorageProvider.Postgres
            ? (CsmDbContext)new PostgresCsmDbContext(Database.PostgresOptions(db.Database.GetConnectionString()!))
            : new SqliteCsmDbContext(Database.SqliteOptions(db.Database.GetConnectionString()!));
        return await fresh.StripeEvents.AnyAsync(x => x.EventId == eventId);
    }

    /// <summary>
    /// The key a payment is recorded under: the first of <paramref name="keys"/> (the payment intent, the charge…) that a
    /// payment here already has, or else the first, so that every event about the same money lands on one payment.
    /// </summary>
    private static async Task<string> PaymentKeyAsync(CsmDbContext db, IReadOnlyList<string> keys, CancellationToken ct)
    {
        if (keys.Count == 1) return keys[0];
        var known = await db.Payments.AsNoTracking().Where(x => keys.Contains(x.ExternalId)).Select(x => x.ExternalId).ToListAsync(ct);
        return keys.FirstOrDefault(known.Contains) ?? keys[0];
    }

    private readonly record struct Linked(long Id, string ExternalId, string Currency);

    private static async Task<(long? AccountId, string? LocalKey, string? Note)> ApplyAsync(CsmDbContext db, StripeChange change, StripeNewAccounts newAccounts,
        CancellationToken ct)
    {
        if (change is CustomerChange customer) return await CustomerAsync(db, customer, newAccounts, ct);
        if (change is DisputeChange dispute) return await DisputeAsync(db, dispute, ct);
        if (change.CustomerId is null && change is PaymentChange { InvoiceId: { } invoiceOf })
        {
            // An invoice_payment names no customer: it is the account's whose invoice it pays.
            var number = (await db.StripeObjects.FindAsync([invoiceOf], ct))?.LocalKey;
            var owner = number is null ? default
                : await db.Invoices.AsNoTracking().Where(x => x.Number == number)
                    .Join(db.Accounts, x => x.AccountId, a => a.Id, (x, a) => new Linked(a.Id, a.ExternalId, a.Currency)).FirstOrDefaultAsync(ct);
            if (owner.Id == 0) return (null, null, $"invoice {invoiceOf} has not been received, so the account its payment belongs to is not known");
            return await PaymentAsync(db, (PaymentChange)change, owner, ct);
        }
        var account = await db.Accounts.AsNoTracking().Where(a => a.StripeCustomerId == change.CustomerId)
            .Select(a => new Linked(a.Id, a.ExternalId, a.Currency)).FirstOrDefaultAsync(ct);
        if (account.Id == 0)
            return (null, null, $"Stripe customer {change.CustomerId} is linked to no account; set account_external_id in the customer's metadata");
        try
        {
            return change switch
            {
                SubscriptionChange s => await SubscriptionAsync(db, s, account, ct),
                InvoiceChange i => await InvoiceAsync(db, i, account, ct),
                PaymentChange p => await PaymentAsync(db, p, account, ct),
                CreditNoteChange c => await CreditNoteAsync(db, c, account, ct),
                _ => (null, null, $"{change.GetType().Name} is not written"),
            };
        }
        catch (ArgumentException error)
        {
            return (null, null, error.Message);
        }
    }

    private static async Task<(long?, string?, string?)> CustomerAsync(CsmDbContext db, CustomerChange c, StripeNewAccounts newAccounts, CancellationToken ct)
    {
        var linked = await db.Accounts.FirstOrDefaultAsync(a => a.StripeCustomerId == c.ObjectId, ct);
        if (c.Deleted)
        {
            if (linked is null) return (null, null, "the deleted customer was linked to no account");
            linked.UnlinkStripeCustomer();
            return (linked.Id, null, null);
        }
        if (linked is not null)
            return (linked.Id, null, c.AccountExternalId is { } named && named != linked.ExternalId
                ? $"the metadata names account {named}, but the customer stays linked to account {linked.ExternalId}"
                : null);
        if (c.AccountExternalId is null) return await NewAccountAsync(db, c, newAccounts, ct);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.ExternalId == c.AccountExternalId, ct);
        if (account is null) return (null, null, $"no account has external id {c.AccountExternalId}");
        if (account.StripeCustomerId is { } other)
            return (null, null, $"account {account.ExternalId} is already linked to Stripe customer {other}");
        account.LinkStripeCustomer(c.ObjectId);
        return (account.Id, null, null);
    }

    /// <summary>
    /// An account for a customer whose metadata names none: its external id is the Stripe customer id (an account already
    /// keyed so is linked instead), its owner the configured CSM or the CSM with the fewest accounts, and the customer's
    /// email its billing contact.
    /// </summary>
    private static async Task<(long?, string?, string?)> NewAccountAsync(CsmDbContext db, CustomerChange c, StripeNewAccounts newAccounts, CancellationToken ct)
    {
        var existing = await db.Accounts.FirstOrDefaultAsync(a => a.ExternalId == c.ObjectId, ct);
        if (existing is not null)
        {
            if (existing.StripeCustomerId is { } other) return (null, null, $"account {existing.ExternalId} is already linked to Stripe customer {other}");
            existing.LinkStripeCustomer(c.ObjectId);
            return (existing.Id, null, null);
        }
        long? csm = newAccounts.CsmEmail is { Length: > 0 } email
            ? await db.Users.AsNoTracking().Where(u => u.Email == email.Trim().ToLowerInvariant()).Select(u => (long?)u.Id).FirstOrDefaultAsync(ct)
            : await db.Users.AsNoTracking().Where(u => u.Role == UserRole.Csm)
                .OrderBy(u => db.Accounts.Count(a => a.CsmId == u.Id)).ThenBy(u => u.Id).Select(u => (long?)u.Id).FirstOrDefaultAsync(ct);
        if (csm is null)
            return (null, null, newAccounts.CsmEmail is { Length: > 0 }
                ? $"Stripe:NewAccountCsmEmail names {newAccounts.CsmEmail}, who is no user"
                : "the customer names no account (account_external_id) and there is no CSM to own a new one");
        var currency = c.Currency is { } code && Currencies.IsKnown(code) ? code : newAccounts.DefaultCurrency;
        var name = c.Name ?? c.Email ?? c.ObjectId;
        // What Stripe does not know about the company (industry, size) stays to be filled in through the API or a CSV import.
        var account = new Account(c.ObjectId, name, "Unknown", 0, c.Country is { Length: 2 } country ? country : "ZZ", "Stripe", csm.Value, currency, null, null);
        account.LinkStripeCustomer(c.ObjectId);
        db.Accounts.Add(account);
        await db.SaveChangesAsync(ct);
        string? note = null;
        if (c.Email is { } contactEmail)
        {
            var address = contactEmail.Trim().ToLowerInvariant();
            if (await db.Contacts.AsNoTracking().AnyAsync(x => x.Email == address, ct))
                note = $"{address} is already a contact of another account, so the new account has no billing contact yet";
            else
            {
                try
                {
                    db.Contacts.Add(new Contact(address, account.Id, c.Name ?? address, ContactRole.Billing));
                }
                catch (ArgumentException error)
                {
                    note = $"the customer's email is not a contact's: {error.Message}";
                }
            }
        }
        return (account.Id, null, note);
    }

    private static string? CurrencyProblem(Money money, Linked account) =>
        money.Currency == account.Currency ? null : $"the amount is in {money.Currency}, but account {account.ExternalId} is billed in {account.Currency}";

    private static async Task<(long?, string?, string?)> SubscriptionAsync(CsmDbContext db, SubscriptionChange s, Linked account, CancellationToken ct)
    {
        if (CurrencyProblem(s.Mrr, account) is { } problem) return (null, null, problem);
        var owner = await db.Subscriptions.AsNoTracking().Where(x => x.ExternalId == s.ObjectId).Select(x => (long?)x.AccountId).FirstOrDefaultAsync(ct);
        if (owner is { } o && o != account.Id) return (null, null, "a subscription with this id belongs to another account");
        await new BulkUpsert<Subscription>(db, nameof(Subscription.ExternalId)).WriteAsync(
            [new Subscription(s.ObjectId, account.Id, s.Plan, s.Mrr, s.StartDate, s.EndDate, s.RenewalDate, s.CancellationReason)], ct);
        return (account.Id, null, null);
    }

    private static async Task<(long?, string?, string?)> InvoiceAsync(CsmDbContext db, InvoiceChange i, Linked account, CancellationToken ct)
    {
        if (CurrencyProblem(i.Amount, account) is { } problem) return (null, null, problem);
        var owner = await db.Invoices.AsNoTracking().Where(x => x.Number == i.Number).Select(x => (long?)x.AccountId).FirstOrDefaultAsync(ct);
        if (owner is { } o && o != account.Id) return (null, null, $"invoice {i.Number} is recorded for another account");
        await new BulkUpsert<Invoice>(db, nameof(Invoice.Number)).WriteAsync(
            [new Invoice(i.Number, account.Id, i.IssueDate, i.DueDate, i.Amount, i.PoNumber, i.Status)], ct);
        return (account.Id, i.Number, null);
    }

    /// <summary>The invoice here that a Stripe invoice id stands for, when it was received and belongs to the account.</summary>
    private static async Task<long?> InvoiceIdAsync(CsmDbContext db, string? stripeInvoiceId, long accountId, CancellationToken ct)
    {
        if (stripeInvoiceId is null) return null;
        var number = (await db.StripeObjects.FindAsync([stripeInvoiceId], ct))?.LocalKey;
        if (number is null) return null;
        return await db.Invoices.AsNoTracking().Where(x => x.Number == number && x.AccountId == accountId).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
    }

    private static async Task<(long?, string?, string?)> PaymentAsync(CsmDbContext db, PaymentChange p, Linked account, CancellationToken ct)
    {
        if (CurrencyProblem(p.Amount, account) is { } problem) return (null, null, problem);
        var known = await db.Payments.AsNoTracking().Where(x => x.ExternalId == p.ObjectId).FirstOrDefaultAsync(ct);
        if (known is not null && known.AccountId != account.Id) return (null, null, "a payment with this id belongs to another account");
        // A refund from API version 2025-03-31 on may not name the invoice: the payment stays applied where it was.
        var invoiceId = await InvoiceIdAsync(db, p.InvoiceId, account.Id, ct) ?? (p.InvoiceId is null ? known?.InvoiceId : null);
        if (known is null && p.StandsIn && await OwnRecordAsync(db, p, account.Id, invoiceId, ct) is { } own)
        {
            // The payment's own events came first: the invoice only applies it, and no second record is made.
            if (invoiceId is not null && own.InvoiceId != invoiceId)
                await new BulkUpsert<Payment>(db, nameof(Payment.ExternalId)).WriteAsync(
                    [new Payment(own.ExternalId, own.AccountId, invoiceId, own.Amount, own.PaidOn, own.Method, own.Status, own.FailureCode)], ct);
            return (account.Id, null, null);
        }
        // A failed attempt's later events (its payment intent's, after its charge's) find it recorded and leave other stand-ins be.
        if (!p.StandsIn && (known is null || p.Status == PaymentStatus.Succeeded) && await StandInAsync(db, p, account.Id, invoiceId, ct) is { } standIn)
        {
            // The payment's own record takes the place of the one its invoice stood in with, keeping the invoice it was applied to.
            invoiceId ??= standIn.InvoiceId;
            await db.Payments.Where(x => x.Id == standIn.Id).ExecuteDeleteAsync(ct);
        }
        if (p.FromInvoice && known is { Succeeded: true })
        {
            // The charge's own events already told what this payment is worth (refunds, lost disputes); the invoice, which
            // still lists the amount first paid, only applies it.
            await new BulkUpsert<Payment>(db, nameof(Payment.ExternalId)).WriteAsync(
                [new Payment(known.ExternalId, known.AccountId, invoiceId ?? known.InvoiceId, known.Amount, known.PaidOn, known.Method, known.Status, null)], ct);
            return (account.Id, null, null);
        }
        // Stripe's charge keeps its amount when a dispute is lost; the money the bank took back stays off the payment.
        var amount = p.Status == PaymentStatus.Succeeded ? p.Amount - await LostToDisputesAsync(db, p.ObjectId, p.Amount.Currency, ct) : p.Amount;
        if (amount.Amount < 0m) amount = new Money(0m, amount.Currency);
        await new BulkUpsert<Payment>(db, nameof(Payment.ExternalId)).WriteAsync(
            [new Payment(p.ObjectId, account.Id, invoiceId, amount, p.PaidOn, p.Method, p.Status, p.Status == PaymentStatus.Failed ? p.FailureCode : null)], ct);
        return (account.Id, null, p.InvoiceId is not null && invoiceId is null
            ? $"invoice {p.InvoiceId} has not been received, so the payment is recorded as unapplied"
            : null);
    }

    /// <summary>A stand-in's key names its invoice and the attempt, never a charge or payment intent.</summary>
    private const string AttemptMarker = ":attempt:";

    private const string PaidMarker = ":paid";

    /// <summary>
    /// For a stand-in: the record the payment's own events already made. A failed attempt is matched on account, amount and
    /// day (a day either side, for the time between the events) among failed attempts no other invoice claims; a payment is
    /// any payment already applied to the invoice.
    /// </summary>
    private static async Task<Payment?> OwnRecordAsync(CsmDbContext db, PaymentChange p, long accountId, long? invoiceId, CancellationToken ct)
    {
        if (p.Status == PaymentStatus.Succeeded)
            return invoiceId is null ? null
                : await db.Payments.AsNoTracking().Where(x => x.InvoiceId == invoiceId && x.Status == PaymentStatus.Succeeded && x.ExternalId != p.ObjectId)
                    .OrderBy(x => x.Id).FirstOrDefaultAsync(ct);
        var (from, to) = (p.PaidOn.AddDays(-1), p.PaidOn.AddDays(1));
        return await db.Payments.AsNoTracking()
            .Where(x => x.AccountId == accountId && x.Status == PaymentStatus.Failed && !x.ExternalId.Contains(AttemptMarker)
                        && (x.InvoiceId == null || x.InvoiceId == invoiceId) && x.AmountValue == p.Amount.Amount && x.Currency == p.Amount.Currency
                        && x.PaidOn >= from && x.PaidOn <= to)
            .OrderBy(x => x.InvoiceId == null ? 1 : 0).ThenBy(x => x.PaidOn).ThenBy(x => x.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>For a payment's own record: the stand-in its invoice made for it, if one is here.</summary>
    private static async Task<Payment?> StandInAsync(CsmDbContext db, PaymentChange p, long accountId, long? invoiceId, CancellationToken ct)
    {
        if (p.Status == PaymentStatus.Succeeded)
            return p.InvoiceId is null ? null
                : await db.Payments.AsNoTracking().Where(x => x.ExternalId == p.InvoiceId + PaidMarker && x.AccountId == accountId).FirstOrDefaultAsync(ct);
        var (from, to) = (p.PaidOn.AddDays(-1), p.PaidOn.AddDays(1));
        return await db.Payments.AsNoTracking()
            .Where(x => x.AccountId == accountId && x.Status == PaymentStatus.Failed && x.ExternalId.Contains(AttemptMarker)
                        && (invoiceId == null || x.InvoiceId == invoiceId) && x.AmountValue == p.Amount.Amount && x.Currency == p.Amount.Currency
                        && x.PaidOn >= from && x.PaidOn <= to)
            .OrderBy(x => x.PaidOn).ThenBy(x => x.Id).FirstOrDefaultAsync(ct);
    }

    private static async Task<(long?, string?, string?)> CreditNoteAsync(CsmDbContext db, CreditNoteChange c, Linked account, CancellationToken ct)
    {
        if (CurrencyProblem(c.Amount, account) is { } problem) return (null, null, problem);
        var invoiceId = await InvoiceIdAsync(db, c.InvoiceId, account.Id, ct);
        if (invoiceId is not { } invoice) return (null, null, $"invoice {c.InvoiceId} has not been received for account {account.ExternalId}");
        var owner = await db.CreditNotes.AsNoTracking().Where(x => x.Number == c.Number).Select(x => (long?)x.AccountId).FirstOrDefaultAsync(ct);
        if (owner is { } o && o != account.Id) return (null, null, $"credit note {c.Number} is recorded for another account");
        await new BulkUpsert<CreditNote>(db, nameof(CreditNote.Number)).WriteAsync([new CreditNote(c.Number, account.Id, invoice, c.Amount, c.IssuedOn)], ct);
        return (account.Id, null, null);
    }

    private static async Task<Money> LostToDisputesAsync(CsmDbContext db, string paymentKey, string currency, CancellationToken ct)
    {
        var lost = await db.ChargeDisputes.AsNoTracking().Where(x => x.PaymentExternalId == paymentKey && x.Status == "lost" && x.ClosedOn != null)
            .Select(x => x.AmountValue).ToListAsync(ct);
        return new Money(lost.Sum(), currency);
    }

    /// <summary>
    /// Records the dispute against the payment it is on. A dispute closed as lost takes its amount off the payment (the bank
    /// returned the money to the cardholder), so the invoice's balance reopens; one won or still open changes no money.
    /// </summary>
    private static async Task<(long?, string?, string?)> DisputeAsync(CsmDbContext db, DisputeChange d, CancellationToken ct)
    {
        var key = await PaymentKeyAsync(db, [d.ChargeId, .. d.PaymentIntentId is { } pi ? new[] { pi } : []], ct);
        var payment = await db.Payments.AsNoTracking().Where(x => x.ExternalId == key).FirstOrDefaultAsync(ct);
        if (payment is null) return (null, null, $"the disputed charge {d.ChargeId} has not been received");
        if (payment.Currency != d.Amount.Currency) return (null, null, $"the dispute is in {d.Amount.Currency}, the charge in {payment.Currency}");
        var before = await db.ChargeDisputes.AsNoTracking().Where(x => x.DisputeId == d.ObjectId).Select(x => new { x.Status, x.ClosedOn }).FirstOrDefaultAsync(ct);
        var alreadyLost = before is { Status: "lost", ClosedOn: not null };
        await new BulkUpsert<ChargeDispute>(db, nameof(ChargeDispute.DisputeId)).WriteAsync(
            [new ChargeDispute(d.ObjectId, payment.AccountId, key, d.Amount, d.Reason, d.Status, d.OpenedOn, d.ClosedOn)], ct);
        if (d.Lost && !alreadyLost && payment.Succeeded)
        {
            var left = payment.Amount.Amount - Math.Min(d.Amount.Amount, payment.Amount.Amount);
            await new BulkUpsert<Payment>(db, nameof(Payment.ExternalId)).WriteAsync(
                [new Payment(payment.ExternalId, payment.AccountId, payment.InvoiceId, new Money(left, payment.Currency), payment.PaidOn, payment.Method,
                    payment.Status, payment.FailureCode)], ct);
        }
        return (payment.AccountId, null, null);
    }
}
