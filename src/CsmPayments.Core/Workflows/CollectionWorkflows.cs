using CsmPayments.Accounts;
using CsmPayments.Audit;
using CsmPayments.Billing;
using CsmPayments.Collections;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using CsmPayments.Work;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Workflows;

/// <summary>
/// The money workflows as services the command line and the API call: each checks who may act, moves the entity
/// through its guarded transition, and writes the tasks and audit entries that go with it in one transaction.
/// People are named by email; accounts, invoices and subscriptions by their external keys.
/// </summary>
public sealed class CollectionWorkflows(Database database, CollectionSettings settings, ExchangeRates rates, TimeProvider clock)
{
    private static readonly UserRole[] Finance = [UserRole.Controller, UserRole.Cfo, UserRole.Admin];

    public async Task<PromiseToPay> RecordPromiseAsync(string accountExternalId, decimal amount, DateOnly promisedFor, string actorEmail, string? note,
        DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        var actor = await ActorAsync(db, actorEmail, ct);
        var account = await AccountAsync(db, accountExternalId, ct);
        var promise = new PromiseToPay(account.Id, account.CsmId, new Money(amount, account.Currency), promisedFor, today, actor.Email, note);
        db.PromisesToPay.Add(promise);
        Audit(db, account.Id, actor, AuditActions.PromiseRecorded, $"promise to pay {promise.Amount} by {promisedFor:yyyy-MM-dd}" + (promise.Note.Length > 0 ? $": {promise.Note}" : ""), promise.Amount);
        await db.SaveChangesAsync(ct);
        return promise;
    }

    public async Task<Dispute> OpenDisputeAsync(string invoiceNumber, string reason, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        var actor = await ActorAsync(db, actorEmail, ct);
        var invoice = await db.Invoices.SingleOrDefaultAsync(i => i.Number == invoiceNumber, ct) ?? throw new WorkflowException($"there is no invoice {invoiceNumber}");
        if (await db.Disputes.AnyAsync(d => d.InvoiceId == invoice.Id && d.State == DisputeState.Open, ct))
            throw new WorkflowException($"invoice {invoiceNumber} already has an open dispute");
        var account = await db.Accounts.SingleAsync(a => a.Id == invoice.AccountId, ct);
        var dispute = new Dispute(account.Id, invoice.Id, account.CsmId, reason, today, actor.Email);
        db.Disputes.Add(dispute);
        Audit(db, account.Id, actor, AuditActions.DisputeOpened, $"invoice {invoiceNumber} disputed: {dispute.Reason}; its reminders pause", invoice.Amount);
        await db.SaveChangesAsync(ct);
        return dispute;
    }

    /// <summary>Resolves a dispute: the invoice stands, or (<paramref name="creditAmount"/> given) a credit note reduces it.</summary>
    public async Task<Dispute> ResolveDisputeAsync(long disputeId, string resolution, decimal? creditAmount, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var actor = await ActorAsync(db, actorEmail, ct);
        var dispute = await db.Disputes.SingleOrDefaultAsync(d => d.Id == disputeId, ct) ?? throw new WorkflowException($"there is no dispute {disputeId}");
        var invoice = await db.Invoices.SingleAsync(i => i.Id == dispute.InvoiceId, ct);
        if (creditAmount is { } credit)
        {
            if (credit <= 0m || credit > invoice.AmountValue) throw new WorkflowException($"a credit of {credit} is not possible on invoice {invoice.Number} of {invoice.Amount}");
            dispute.Credit(resolution, today, actor.Email);
            var note = new CreditNote($"CN-{invoice.Number}-D{dispute.Id}", invoice.AccountId, invoice.Id, new Money(credit, invoice.Currency), today);
            db.CreditNotes.Add(note);
            await db.SaveChangesAsync(ct);
            dispute.LinkCreditNote(note.Id);
            Audit(db, dispute.AccountId, actor, AuditActions.CreditNoteIssued, $"credit note {note.Number} on invoice {invoice.Number}: {resolution}", note.Amount);
        }
        else dispute.Resolve(resolution, today, actor.Email);
        Audit(db, dispute.AccountId, actor, AuditActions.DisputeResolved, $"dispute on invoice {invoice.Number} {(creditAmount is null ? "resolved, the invoice stands" : "resolved with a credit")}: {resolution}; reminders resume");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return dispute;
    }

    /// <summary>
    /// Proposes a payment plan over open invoices: <paramref name="instalments"/> equal instalments every
    /// <paramref name="everyDays"/> days from <paramref name="firstDue"/>. A CSM's plan within the limits, or any plan by
    /// finance, is approved at once; otherwise it waits for finance with a task for the controller.
    /// </summary>
    public async Task<PaymentPlan> ProposePlanAsync(string accountExternalId, IReadOnlyList<string> invoiceNumbers, int instalments, int everyDays,
        DateOnly firstDue, decimal discountPercent, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        if (instalments < 1) throw new WorkflowException("a payment plan needs at least one instalment");
        if (everyDays < 1) throw new WorkflowException("instalments must be at least a day apart");
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var actor = await ActorAsync(db, actorEmail, ct);
        var account = await AccountAsync(db, accountExternalId, ct);
        var book = await CollectionBook.LoadAsync(db, today, account.Id, ct);
        var balances = book.Balances[account.Id].ToDictionary(b => book.Invoices[b.Invoice.Id].Number, b => b);
        var chosen = invoiceNumbers.Count > 0 ? invoiceNumbers.ToList() : balances.Where(b => b.Value.Balance.IsPositive).Select(b => b.Key).ToList();
        foreach (var number in chosen)
            if (!balances.TryGetValue(number, out var b) || !b.Balance.IsPositive)
                throw new WorkflowException($"invoice {number} is not an open invoice of {account.ExternalId}");
        if (chosen.Count == 0) throw new WorkflowException($"{account.ExternalId} has no open invoices for a plan");
        if (await db.PaymentPlans.AnyAsync(p => p.AccountId == account.Id && (p.State == PaymentPlanState.Active || p.State == PaymentPlanState.AwaitingApproval), ct))
            throw new WorkflowException($"{account.ExternalId} already has a payment plan in force or awaiting approval");
        var owed = chosen.Select(n => balances[n].Balance).Aggregate((a, b) => a + b);
        var dates = Enumerable.Range(0, instalments).Select(i => firstDue.AddDays(i * everyDays)).ToList();
        var plan = new PaymentPlan(account.Id, account.CsmId, chosen.Select(n => balances[n].Invoice.Id).ToList(), owed, discountPercent, dates, today, actor.Email);
        db.PaymentPlans.Add(plan);
        var exceeded = Exceeded(plan);
        Audit(db, account.Id, actor, AuditActions.PlanProposed,
            $"payment plan for {string.Join(", ", chosen)}: {instalments} instalments from {firstDue:yyyy-MM-dd}, {discountPercent:0.##}% discount" + (exceeded is null ? "" : $"; {exceeded}"), plan.Total);
        await db.SaveChangesAsync(ct);
        if ((actor.Role == UserRole.Csm && exceeded is null) || Finance.Contains(actor.Role))
            await ApproveAsync(db, plan, actor, exceeded, today, ct);
        else
        {
            var owner = await db.Users.Where(u => u.Role == UserRole.Controller).OrderBy(u => u.Id).FirstOrDefaultAsync(ct);
            db.WorkTasks.Add(new WorkTask($"plan-approval:{plan.Id}", account.Id, WorkTaskKind.ApprovePaymentPlan, UserRole.Controller, owner?.Id,
                $"{account.Name}: approve or reject payment plan {plan.Id} ({plan.Total})", exceeded ?? $"proposed by {actor.Email}", today, today.AddDays(2)));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return plan;
    }

    public async Task<PaymentPlan> ApprovePlanAsync(long planId, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var actor = await ActorAsync(db, actorEmail, ct);
        var plan = await PlanAsync(db, planId, ct);
        await ApproveAsync(db, plan, actor, Exceeded(plan), today, ct);
        await CompleteTaskAsync(db, $"plan-approval:{plan.Id}", today, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return plan;
    }

    public async Task<PaymentPlan> RejectPlanAsync(long planId, string reason, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        var actor = await ActorAsync(db, actorEmail, ct);
        if (!Finance.Contains(actor.Role)) throw new WorkflowException($"only finance (controller, CFO, admin) rejects payment plans, not a {Role(actor.Role)}");
        var plan = await PlanAsync(db, planId, ct);
        plan.Reject(actor.Email, reason, today);
        Audit(db, plan.AccountId, actor, AuditActions.PlanRejected, $"payment plan {plan.Id} rejected: {reason}", plan.Total);
        await CompleteTaskAsync(db, $"plan-approval:{plan.Id}", today, ct);
        await db.SaveChangesAsync(ct);
        return plan;
    }

    private string? Exceeded(PaymentPlan plan) =>
        PaymentPlan.ExceededLimit(settings.CsmLimits, rates.ToBase(plan.Total.Amount, plan.Currency), plan.Instalments.Count, plan.DiscountPercent);

    private async Task ApproveAsync(CsmDbContext db, PaymentPlan plan, User actor, string? exceeded, DateOnly today, CancellationToken ct)
    {
        plan.Approve(actor.Role, actor.Email, exceeded, today);
        Audit(db, plan.AccountId, actor, AuditActions.PlanApproved,
            $"payment plan {plan.Id} approved by the {Role(actor.Role)}: {plan.Instalments.Count} instalments, {string.Join(", ", plan.Instalments.Select(i => $"{i.Amount} on {i.DueOn:yyyy-MM-dd}"))}", plan.Total);
        if (plan.DiscountPercent > 0m)
        {
            var invoiceIds = plan.Invoices.Select(i => i.InvoiceId).ToList();
            var book = await CollectionBook.LoadAsync(db, today, plan.AccountId, ct);
            var remaining = plan.Discount;
            for (var i = 0; i < invoiceIds.Count; i++)
            {
                var balance = book.Balances[plan.AccountId].Single(b => b.Invoice.Id == invoiceIds[i]).Balance;
                var share = i == invoiceIds.Count - 1 ? remaining : balance * (plan.DiscountPercent / 100m);
                remaining -= share;
                var invoice = book.Invoices[invoiceIds[i]];
                db.CreditNotes.Add(new CreditNote($"CN-{invoice.Number}-P{plan.Id}", plan.AccountId, invoice.Id, share, today));
            }
            Audit(db, plan.AccountId, actor, AuditActions.DiscountGranted, $"{plan.DiscountPercent:0.##}% discount with payment plan {plan.Id}, as credit notes", plan.Discount);
        }
        await Task.CompletedTask;
    }

    /// <summary>
    /// Approves a renewal review — the cycle then issues the renewal invoice, for <paramref name="amount"/> when given
    /// (in the subscription's currency), else the subscription's MRR × term — or holds it with a reason.
    /// </summary>
    public async Task<RenewalReview> DecideRenewalAsync(long reviewId, bool approve, string? reason, string actorEmail, DateOnly today, CancellationToken ct = default,
        decimal? amount = null)
    {
        await using var db = database.Open();
        var actor = await ActorAsync(db, actorEmail, ct);
        if (actor.Role is not (UserRole.Csm or UserRole.Controller or UserRole.Cfo or UserRole.Admin or UserRole.Collector))
            throw new WorkflowException($"a {Role(actor.Role)} does not decide renewal invoices");
        var review = await db.RenewalReviews.SingleOrDefaultAsync(r => r.Id == reviewId, ct) ?? throw new WorkflowException($"there is no renewal review {reviewId}");
        var subscription = await db.Subscriptions.SingleAsync(s => s.Id == review.SubscriptionId, ct);
        if (approve)
        {
            var approvedAmount = amount is { } a ? new Money(a, subscription.Currency) : (Money?)null;
            review.Approve(actor.Email, today, reason, approvedAmount);
            Audit(db, review.AccountId, actor, AuditActions.RenewalApproved, $"renewal invoice for {subscription.ExternalId} (renews {review.RenewalDate:yyyy-MM-dd}) may go out"
                + (approvedAmount is { } m ? $" for {m}" : "") + (reason is null ? "" : $": {reason}"), approvedAmount ?? subscription.Mrr);
            foreach (var who in new[] { "csm", "finance" }) await CompleteTaskAsync(db, $"renewal:{review.SubscriptionId}:{review.RenewalDate:yyyy-MM-dd}:{who}", today, ct);
        }
        else
        {
            if (amount is not null) throw new WorkflowException("an amount goes with an approval, not with a hold");
            review.Hold(actor.Email, today, reason ?? "");
            Audit(db, review.AccountId, actor, AuditActions.RenewalHeld, $"renewal invoice for {subscription.ExternalId} (renews {review.RenewalDate:yyyy-MM-dd}) held: {reason}", subscription.Mrr);
        }
        await db.SaveChangesAsync(ct);
        return review;
    }

    public async Task<CancellationRequest> RequestCancellationAsync(string subscriptionExternalId, string reason, bool forNonPayment, string actorEmail,
        DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        var actor = await ActorAsync(db, actorEmail, ct);
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.ExternalId == subscriptionExternalId, ct)
                           ?? throw new WorkflowException($"there is no subscription {subscriptionExternalId}");
        if (!subscription.IsActiveOn(today)) throw new WorkflowException($"subscription {subscriptionExternalId} is not active on {today:yyyy-MM-dd}");
        if (await db.CancellationRequests.AnyAsync(c => c.SubscriptionId == subscription.Id && c.State != CancellationState.CarriedOut && c.State != CancellationState.Saved, ct))
            throw new WorkflowException($"subscription {subscriptionExternalId} already has a cancellation request in progress");
        var account = await db.Accounts.SingleAsync(a => a.Id == subscription.AccountId, ct);
        var request = new CancellationRequest(account.Id, subscription.Id, account.CsmId, reason, forNonPayment, today, actor.Email, settings.SaveCallDays);
        db.CancellationRequests.Add(request);
        Audit(db, account.Id, actor, AuditActions.CancellationRequested,
            $"cancellation of {subscription.ExternalId} requested{(forNonPayment ? " for non-payment" : "")}: {request.Reason}; save call due {request.SaveCallDueOn:yyyy-MM-dd}", subscription.Mrr);
        await db.SaveChangesAsync(ct);
        db.WorkTasks.Add(new WorkTask($"save-call:{request.Id}", account.Id, WorkTaskKind.SaveCall, UserRole.Csm, account.CsmId,
            $"{account.Name} asked to cancel {subscription.ExternalId}: make the save call", request.Reason, today, request.SaveCallDueOn));
        await db.SaveChangesAsync(ct);
        return request;
    }

    public async Task<CancellationRequest> RecordCancellationOutcomeAsync(long requestId, CancellationOutcome outcome, string? note, decimal? newMrr,
        DateOnly? effectiveOn, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        var actor = await ActorAsync(db, actorEmail, ct);
        var request = await db.CancellationRequests.SingleOrDefaultAsync(c => c.Id == requestId, ct) ?? throw new WorkflowException($"there is no cancellation request {requestId}");
        request.RecordOutcome(outcome, actor.Email, today, note, newMrr, effectiveOn);
        var account = await db.Accounts.SingleAsync(a => a.Id == request.AccountId, ct);
        Audit(db, account.Id, actor, AuditActions.CancellationOutcome,
            $"save call on cancellation request {request.Id}: {outcome.ToString().ToLowerInvariant()}" + (newMrr is null ? "" : $", new MRR {new Money(newMrr.Value, account.Currency)}")
            + (effectiveOn is null ? "" : $", from {effectiveOn:yyyy-MM-dd}") + (note is null ? "" : $": {note}"));
        await CompleteTaskAsync(db, $"save-call:{request.Id}", today, ct);
        if (outcome != CancellationOutcome.Saved)
        {
            var owner = await db.Users.Where(u => u.Role == UserRole.Controller).OrderBy(u => u.Id).FirstOrDefaultAsync(ct);
            db.WorkTasks.Add(new WorkTask($"carry-out:{request.Id}", account.Id, WorkTaskKind.CarryOutCancellation, UserRole.Controller, owner?.Id,
                $"{account.Name}: carry out the {outcome.ToString().ToLowerInvariant()} from {effectiveOn:yyyy-MM-dd}", request.Reason, today, today.AddDays(2)));
        }
        await db.SaveChangesAsync(ct);
        return request;
    }

    /// <summary>Finance carries out a downgrade (the old subscription ends, a new one at the new MRR starts) or a cancellation.</summary>
    public async Task<CancellationRequest> CarryOutCancellationAsync(long requestId, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var actor = await ActorAsync(db, actorEmail, ct);
        if (!Finance.Contains(actor.Role) && actor.Role != UserRole.Collector)
            throw new WorkflowException($"finance carries out cancellations, not a {Role(actor.Role)}");
        var request = await db.CancellationRequests.SingleOrDefaultAsync(c => c.Id == requestId, ct) ?? throw new WorkflowException($"there is no cancellation request {requestId}");
        var subscription = await db.Subscriptions.SingleAsync(s => s.Id == request.SubscriptionId, ct);
        var downgrade = request.State == CancellationState.Downgraded;
        request.CarryOut(actor.Email, today);
        var effective = request.EffectiveOn!.Value;
        subscription.End(effective, downgrade ? null : request.SubscriptionReason);
        if (downgrade)
            db.Subscriptions.Add(new Subscription($"{subscription.ExternalId}-{effective:yyyyMMdd}", subscription.AccountId, subscription.Plan,
                new Money(request.NewMrrValue!.Value, subscription.Currency), effective, null, subscription.RenewalDate, null));
        Audit(db, request.AccountId, actor, AuditActions.CancellationCarriedOut,
            downgrade
                ? $"{subscription.ExternalId} downgraded from {subscription.Mrr} to {new Money(request.NewMrrValue!.Value, subscription.Currency)} MRR from {effective:yyyy-MM-dd}"
                : $"{subscription.ExternalId} cancelled from {effective:yyyy-MM-dd}, reason {request.SubscriptionReason.ToString().ToLowerInvariant()}",
            subscription.Mrr);
        await CompleteTaskAsync(db, $"carry-out:{request.Id}", today, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return request;
    }

    /// <summary>Marks a task done by its owner or anyone with finance rights.</summary>
    public async Task<WorkTask> CompleteTaskAsync(long taskId, string actorEmail, DateOnly today, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await ActorAsync(db, actorEmail, ct);
        var task = await db.WorkTasks.SingleOrDefaultAsync(t => t.Id == taskId, ct) ?? throw new WorkflowException($"there is no task {taskId}");
        task.Complete(today);
        await db.SaveChangesAsync(ct);
        return task;
    }

    private static async Task CompleteTaskAsync(CsmDbContext db, string key, DateOnly today, CancellationToken ct)
    {
        var task = await db.WorkTasks.SingleOrDefaultAsync(t => t.IdempotencyKey == key, ct);
        if (task is { State: WorkTaskState.Open }) task.Complete(today);
    }

    private void Audit(CsmDbContext db, long accountId, User actor, string action, string detail, Money? amount = null) =>
        db.AuditEntries.Add(new AuditEntry(accountId, clock.GetUtcNow(), actor.Email, action, detail, amount));

    private static async Task<User> ActorAsync(CsmDbContext db, string email, CancellationToken ct)
    {
        var normalised = email.Trim().ToLowerInvariant();
        return await db.Users.SingleOrDefaultAsync(u => u.Email == normalised, ct) ?? throw new WorkflowException($"there is no user {email}");
    }

    private static async Task<Account> AccountAsync(CsmDbContext db, string externalId, CancellationToken ct) =>
        await db.Accounts.SingleOrDefaultAsync(a => a.ExternalId == externalId, ct) ?? throw new WorkflowException($"there is no account {externalId}");

    private static async Task<PaymentPlan> PlanAsync(CsmDbContext db, long planId, CancellationToken ct) =>
        await db.PaymentPlans.Include(p => p.Instalments).Include(p => p.Invoices).AsSplitQuery().SingleOrDefaultAsync(p => p.Id == planId, ct)
        ?? throw new WorkflowException($"there is no payment plan {planId}");

    private static string Role(UserRole role) => role == UserRole.CsLead ? "CS lead" : role is UserRole.Csm or UserRole.Cfo ? role.ToString().ToUpperInvariant() : role.ToString().ToLowerInvariant();
}
