using CsmPayments.Access;
using CsmPayments.Accounts;
using CsmPayments.Audit;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using CsmPayments.Work;
using CsmPayments.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CsmPayments.Api;

/// <summary>
/// The money workflows over JSON, as the command line runs them (<see cref="CollectionWorkflows"/>): promises to pay,
/// disputes, payment plans, renewal-invoice reviews, cancellation requests, tasks, and each account's audit log. Every
/// decision names the person making it (<c>user</c>, a user's email) and may date it (<c>on</c>, default today in the
/// organisation's time zone). Bad fields: 400 listing each; an unknown id: 404; a step the workflow refuses in the
/// entity's state or beyond the user's limits: 409 with the reason.
/// </summary>
public static class WorkflowsApi
{
    public sealed record PromiseView(long Id, string AccountExternalId, MoneyView Amount, DateOnly PromisedFor, DateOnly RecordedOn, string RecordedBy,
        string Note, PromiseState State, DateOnly? ClosedOn);

    public sealed record DisputeView(long Id, string AccountExternalId, string InvoiceNumber, string Reason, DateOnly OpenedOn, string OpenedBy,
        DisputeState State, string? Resolution, DateOnly? ResolvedOn, string? ResolvedBy, string? CreditNoteNumber);

    public sealed record InstalmentView(int Number, DateOnly DueOn, MoneyView Amount);

    public sealed record PaymentPlanView(long Id, string AccountExternalId, IReadOnlyList<string> InvoiceNumbers, MoneyView Owed, decimal DiscountPercent,
        MoneyView Total, IReadOnlyList<InstalmentView> Instalments, PaymentPlanState State, DateOnly ProposedOn, string ProposedBy, string? ApprovedBy,
        DateOnly? ApprovedOn, DateOnly? ClosedOn, string? CloseReason);

    public sealed record RenewalReviewView(long Id, string AccountExternalId, string SubscriptionExternalId, DateOnly RenewalDate, DateOnly OpenedOn,
        RenewalReviewState State, string? DecidedBy, DateOnly? DecidedOn, string? Reason, decimal? ApprovedAmount, string? ApprovedCurrency);

    public sealed record CancellationRequestView(long Id, string AccountExternalId, string SubscriptionExternalId, string Reason, bool ForNonPayment,
        DateOnly RequestedOn, string RequestedBy, DateOnly SaveCallDueOn, CancellationState State, string? OutcomeBy, DateOnly? OutcomeOn,
        string? OutcomeNote, MoneyView? NewMrr, DateOnly? EffectiveOn, string? CarriedOutBy, DateOnly? CarriedOutOn);

    public sealed record TaskView(long Id, string AccountExternalId, WorkTaskKind Kind, UserRole OwnerRole, string? OwnerEmail, string Title, string Detail,
        DateOnly CreatedOn, DateOnly DueOn, WorkTaskState State, DateOnly? DoneOn);

    public sealed record AuditEntryView(long Id, DateTimeOffset At, string Actor, string Action, string Detail, MoneyView? Amount);

    /// <summary>What every workflow endpoint needs, bound from the request's services.</summary>
    public readonly record struct Services(CsmDbContext Db, CollectionWorkflows Workflows, IOptions<OrganisationOptions> Organisation,
        IOptions<ApiOptions> Api, TimeProvider Clock);

    private static readonly Dictionary<string, CancellationOutcome> Outcomes = new(StringComparer.Ordinal)
    {
        ["saved"] = CancellationOutcome.Saved,
        ["downgraded"] = CancellationOutcome.Downgraded,
        ["cancelled"] = CancellationOutcome.Cancelled,
    };

    private static readonly Dictionary<string, RenewalReviewState> ReviewStates = new(StringComparer.Ordinal)
    {
        ["pending"] = RenewalReviewState.Pending,
        ["approved"] = RenewalReviewState.Approved,
        ["held"] = RenewalReviewState.Held,
    };

    public static IEndpointRouteBuilder MapWorkflowsApi(this IEndpointRouteBuilder api)
    {
        var write = api.MapGroup("").WithTags("Collections").RequireAuthorization(ApiScopes.CollectionsWrite).WithKeyProblems();
        write.MapPost("/accounts/{externalId}/promises", RecordPromiseAsync).Accepts<PromiseBody>("application/json").WithWriteProblems()
            .WithSummary("Record a promise to pay (user, amount, promised_for, note, on): the account's reminders pause until then");
        write.MapPost("/invoices/{number}/disputes", OpenDisputeAsync).Accepts<ReasonBody>("application/json").WithWriteProblems()
            .WithSummary("Open a dispute on an invoice (user, reason, on): its reminders pause");
        write.MapPost("/disputes/{id:long}/resolve", ResolveDisputeAsync).Accepts<ResolutionBody>("application/json").WithWriteProblems()
            .WithSummary("Resolve a dispute (user, resolution, credit, on): the invoice stands, or a credit note of 'credit' reduces it");
        write.MapPost("/accounts/{externalId}/payment-plans", ProposePlanAsync).Accepts<PaymentPlanBody>("application/json").WithWriteProblems()
            .WithSummary("Propose a payment plan (user, invoices, instalments, every_days, first_due, discount_percent, on); within the CSM's limits it is approved at once");
        write.MapPost("/payment-plans/{id:long}/approve", ApprovePlanAsync).Accepts<DecisionBody>("application/json").WithWriteProblems()
            .WithSummary("Approve a payment plan awaiting approval (user, on); above the CSM's limits only finance approves");
        write.MapPost("/payment-plans/{id:long}/reject", RejectPlanAsync).Accepts<ReasonBody>("application/json").WithWriteProblems()
            .WithSummary("Reject a payment plan awaiting approval (user, reason, on); finance only");
        write.MapPost("/renewal-reviews/{id:long}/approve", ApproveRenewalAsync).Accepts<RenewalApprovalBody>("application/json").WithWriteProblems()
            .WithSummary("Approve a renewal review (user, note, amount, on): the cycle issues the renewal invoice, for the amount when given, else MRR × term");
        write.MapPost("/renewal-reviews/{id:long}/hold", HoldRenewalAsync).Accepts<ReasonBody>("application/json").WithWriteProblems()
            .WithSummary("Hold a renewal invoice (user, reason, on)");
        write.MapPost("/subscriptions/{externalId}/cancellation-requests", RequestCancellationAsync).Accepts<CancellationRequestBody>("application/json").WithWriteProblems()
            .WithSummary("Log a cancellation request (user, reason, non_payment, on); the CSM gets a save-call task");
        write.MapPost("/cancellation-requests/{id:long}/outcome", RecordOutcomeAsync).Accepts<CancellationOutcomeBody>("application/json").WithWriteProblems()
            .WithSummary("Record the save call's outcome (user, outcome: saved|downgraded|cancelled, new_mrr, effective_on, note, on)");
        write.MapPost("/cancellation-requests/{id:long}/carry-out", CarryOutAsync).Accepts<DecisionBody>("application/json").WithWriteProblems()
            .WithSummary("Finance carries out a downgrade or cancellation (user, on)");
        write.MapPost("/tasks/{id:long}/done", CompleteTaskAsync).Accepts<DecisionBody>("application/json").WithWriteProblems().WithSummary("Mark a task done (user, on)");

        var read = api.MapGroup("").WithTags("Collections").RequireAuthorization(ApiScopes.CollectionsRead).WithKeyProblems();
        read.MapGet("/accounts/{externalId}/promises", ListPromisesAsync).WithNotFoundProblem().WithSummary("An account's promises to pay, newest first");
        read.MapGet("/disputes/{id:long}", GetDisputeAsync).WithNotFoundProblem().WithSummary("A dispute by id");
        read.MapGet("/payment-plans/{id:long}", GetPlanAsync).WithNotFoundProblem().WithSummary("A payment plan by id, with its instalments");
        read.MapGet("/renewal-reviews", ListRenewalReviewsAsync).WithSummary("Renewal reviews by renewal date: those not yet approved, or those in 'state'");
        read.MapGet("/cancellation-requests/{id:long}", GetCancellationRequestAsync).WithNotFoundProblem().WithSummary("A cancellation request by id");
        read.MapGet("/tasks", ListTasksAsync).WithSummary("Open tasks and calls, oldest due first; 'user' keeps one person's");
        read.MapGet("/accounts/{externalId}/audit", ListAuditAsync).WithNotFoundProblem().WithSummary("The audit log of an account's money decisions, oldest first");
        return api;
    }

    public static async Task<Results<Ok<PromiseView>, ValidationProblem, ProblemHttpResult>> RecordPromiseAsync(string externalId, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var amount = body!.Amount("amount", required: true);
        var promisedFor = body.Date("promised_for", required: true);
        var note = body.Text("note");
        if (actor is not null && promisedFor < actor.Value.On) body.Add("promised_for", $"{promisedFor:yyyy-MM-dd} is before {actor.Value.On:yyyy-MM-dd}, the day of the promise");
        if (!body.IsValid) return body.Problem();
        if (!await s.Db.Accounts.AnyAsync(a => a.ExternalId == externalId, ct)) return NotFound($"there is no account {externalId}");
        return await RunAsync(async () =>
        {
            var promise = await s.Workflows.RecordPromiseAsync(externalId, amount!.Value, promisedFor!.Value, actor!.Value.Email, note, actor.Value.On, ct);
            return (await PromisesAsync(s.Db, p => p.Id == promise.Id, ct)).Single();
        });
    }

    public static async Task<Results<Ok<List<PromiseView>>, NotFound>> ListPromisesAsync(string externalId, CsmDbContext db, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.ExternalId == externalId).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (account is null) return TypedResults.NotFound();
        return TypedResults.Ok(await PromisesAsync(db, p => p.AccountId == account, ct));
    }

    public static async Task<Results<Ok<DisputeView>, ValidationProblem, ProblemHttpResult>> OpenDisputeAsync(string number, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var reason = body!.Text("reason", required: true);
        if (!body.IsValid) return body.Problem();
        if (!await s.Db.Invoices.AnyAsync(i => i.Number == number, ct)) return NotFound($"there is no invoice {number}");
        return await RunAsync(async () =>
        {
            var dispute = await s.Workflows.OpenDisputeAsync(number, reason!, actor!.Value.Email, actor.Value.On, ct);
            return await DisputeAsync(s.Db, dispute.Id, ct) ?? throw new InvalidOperationException($"dispute {dispute.Id} was not stored");
        });
    }

    public static async Task<Results<Ok<DisputeView>, ValidationProblem, ProblemHttpResult>> ResolveDisputeAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var resolution = body!.Text("resolution", required: true);
        var credit = body.Amount("credit");
        if (!body.IsValid) return body.Problem();
        if (!await s.Db.Disputes.AnyAsync(d => d.Id == id, ct)) return NotFound($"there is no dispute {id}");
        return await RunAsync(async () =>
        {
            await s.Workflows.ResolveDisputeAsync(id, resolution!, credit, actor!.Value.Email, actor.Value.On, ct);
            return await DisputeAsync(s.Db, id, ct) ?? throw new InvalidOperationException($"dispute {id} was not stored");
        });
    }

    public static async Task<Results<Ok<DisputeView>, NotFound>> GetDisputeAsync(long id, CsmDbContext db, CancellationToken ct) =>
        await DisputeAsync(db, id, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    public static async Task<Results<Ok<PaymentPlanView>, ValidationProblem, ProblemHttpResult>> ProposePlanAsync(string externalId, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var invoices = body!.Texts("invoices");
        var instalments = body.Whole("instalments", required: true);
        var everyDays = body.Whole("every_days") ?? 30;
        var firstDue = body.Date("first_due", required: true);
        var discount = body.Percent("discount_percent") ?? 0m;
        if (actor is not null && firstDue < actor.Value.On) body.Add("first_due", $"{firstDue:yyyy-MM-dd} is before {actor.Value.On:yyyy-MM-dd}, the day of the proposal");
        if (!body.IsValid) return body.Problem();
        if (!await s.Db.Accounts.AnyAsync(a => a.ExternalId == externalId, ct)) return NotFound($"there is no account {externalId}");
        return await RunAsync(async () =>
        {
            var plan = await s.Workflows.ProposePlanAsync(externalId, invoices, instalments!.Value, everyDays, firstDue!.Value, discount, actor!.Value.Email,
                actor.Value.On, ct);
            return await PlanAsync(s.Db, plan.Id, ct) ?? throw new InvalidOperationException($"payment plan {plan.Id} was not stored");
        });
    }

    public static Task<Results<Ok<PaymentPlanView>, ValidationProblem, ProblemHttpResult>> ApprovePlanAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct) => DecidePlanAsync(id, request, s, approve: true, ct);

    public static Task<Results<Ok<PaymentPlanView>, ValidationProblem, ProblemHttpResult>> RejectPlanAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct) => DecidePlanAsync(id, request, s, approve: false, ct);

    private static async Task<Results<Ok<PaymentPlanView>, ValidationProblem, ProblemHttpResult>> DecidePlanAsync(long id, HttpRequest request, Services s,
        bool approve, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var reason = approve ? null : body!.Text("reason", required: true);
        if (!body!.IsValid) return body.Problem();
        if (!await s.Db.PaymentPlans.AnyAsync(p => p.Id == id, ct)) return NotFound($"there is no payment plan {id}");
        return await RunAsync(async () =>
        {
            if (approve) await s.Workflows.ApprovePlanAsync(id, actor!.Value.Email, actor.Value.On, ct);
            else await s.Workflows.RejectPlanAsync(id, reason!, actor!.Value.Email, actor.Value.On, ct);
            return await PlanAsync(s.Db, id, ct) ?? throw new InvalidOperationException($"payment plan {id} was not stored");
        });
    }

    public static async Task<Results<Ok<PaymentPlanView>, NotFound>> GetPlanAsync(long id, CsmDbContext db, CancellationToken ct) =>
        await PlanAsync(db, id, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    public static async Task<Results<Ok<List<RenewalReviewView>>, ValidationProblem>> ListRenewalReviewsAsync(string? state, CsmDbContext db, CancellationToken ct)
    {
        RenewalReviewState? only = null;
        if (state is not null)
        {
            if (!ReviewStates.TryGetValue(state.Trim().ToLowerInvariant(), out var s))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["state"] = [$"'{state}' is not one of {string.Join(", ", ReviewStates.Keys)}"] },
                    title: "The request has invalid fields");
            only = s;
        }
        var reviews = await (from r in db.RenewalReviews.AsNoTracking()
                             join a in db.Accounts on r.AccountId equals a.Id
                             join sub in db.Subscriptions on r.SubscriptionId equals sub.Id
                             where only == null ? r.State != RenewalReviewState.Approved : r.State == only
                             select new RenewalReviewView(r.Id, a.ExternalId, sub.ExternalId, r.RenewalDate, r.OpenedOn, r.State, r.DecidedBy, r.DecidedOn, r.Reason,
                                 r.ApprovedAmountValue, r.ApprovedCurrency))
            .ToListAsync(ct);
        return TypedResults.Ok(reviews.OrderBy(r => r.RenewalDate).ThenBy(r => r.Id).ToList());
    }

    public static Task<Results<Ok<RenewalReviewView>, ValidationProblem, ProblemHttpResult>> ApproveRenewalAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct) => DecideRenewalAsync(id, request, s, approve: true, ct);

    public static Task<Results<Ok<RenewalReviewView>, ValidationProblem, ProblemHttpResult>> HoldRenewalAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct) => DecideRenewalAsync(id, request, s, approve: false, ct);

    private static async Task<Results<Ok<RenewalReviewView>, ValidationProblem, ProblemHttpResult>> DecideRenewalAsync(long id, HttpRequest request,
        Services s, bool approve, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var reason = approve ? body!.Text("note") : body!.Text("reason", required: true);
        var amount = approve ? body.Amount("amount") : null;
        if (!body.IsValid) return body.Problem();
        if (!await s.Db.RenewalReviews.AnyAsync(r => r.Id == id, ct)) return NotFound($"there is no renewal review {id}");
        return await RunAsync(async () =>
        {
            await s.Workflows.DecideRenewalAsync(id, approve, reason, actor!.Value.Email, actor.Value.On, ct, amount);
            return await (from r in s.Db.RenewalReviews.AsNoTracking()
                          join a in s.Db.Accounts on r.AccountId equals a.Id
                          join sub in s.Db.Subscriptions on r.SubscriptionId equals sub.Id
                          where r.Id == id
                          select new RenewalReviewView(r.Id, a.ExternalId, sub.ExternalId, r.RenewalDate, r.OpenedOn, r.State, r.DecidedBy, r.DecidedOn, r.Reason,
                                 r.ApprovedAmountValue, r.ApprovedCurrency))
                .SingleAsync(ct);
        });
    }

    public static async Task<Results<Ok<CancellationRequestView>, ValidationProblem, ProblemHttpResult>> RequestCancellationAsync(string externalId,
        HttpRequest request, [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var reason = body!.Text("reason", required: true);
        var nonPayment = body.Flag("non_payment");
        if (!body.IsValid) return body.Problem();
        if (!await s.Db.Subscriptions.AnyAsync(x => x.ExternalId == externalId, ct)) return NotFound($"there is no subscription {externalId}");
        return await RunAsync(async () =>
        {
            var created = await s.Workflows.RequestCancellationAsync(externalId, reason!, nonPayment, actor!.Value.Email, actor.Value.On, ct);
            return await CancellationAsync(s.Db, created.Id, ct) ?? throw new InvalidOperationException($"cancellation request {created.Id} was not stored");
        });
    }

    public static async Task<Results<Ok<CancellationRequestView>, ValidationProblem, ProblemHttpResult>> RecordOutcomeAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        var outcome = body!.Choice("outcome", Outcomes);
        var newMrr = body.Amount("new_mrr");
        var effectiveOn = body.Date("effective_on");
        var note = body.Text("note");
        if (outcome == CancellationOutcome.Downgraded && newMrr is null && !body.HasError("new_mrr")) body.Add("new_mrr", "a downgrade needs the new MRR");
        if (outcome is CancellationOutcome.Downgraded or CancellationOutcome.Cancelled && effectiveOn is null && !body.HasError("effective_on"))
            body.Add("effective_on", "a downgrade or cancellation needs the date it takes effect");
        if (!body.IsValid) return body.Problem();
        if (!await s.Db.CancellationRequests.AnyAsync(c => c.Id == id, ct)) return NotFound($"there is no cancellation request {id}");
        return await RunAsync(async () =>
        {
            await s.Workflows.RecordCancellationOutcomeAsync(id, outcome!.Value, note, newMrr, effectiveOn, actor!.Value.Email, actor.Value.On, ct);
            return await CancellationAsync(s.Db, id, ct) ?? throw new InvalidOperationException($"cancellation request {id} was not stored");
        });
    }

    public static async Task<Results<Ok<CancellationRequestView>, ValidationProblem, ProblemHttpResult>> CarryOutAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        if (!body!.IsValid) return body.Problem();
        if (!await s.Db.CancellationRequests.AnyAsync(c => c.Id == id, ct)) return NotFound($"there is no cancellation request {id}");
        return await RunAsync(async () =>
        {
            await s.Workflows.CarryOutCancellationAsync(id, actor!.Value.Email, actor.Value.On, ct);
            return await CancellationAsync(s.Db, id, ct) ?? throw new InvalidOperationException($"cancellation request {id} was not stored");
        });
    }

    public static async Task<Results<Ok<CancellationRequestView>, NotFound>> GetCancellationRequestAsync(long id, CsmDbContext db, CancellationToken ct) =>
        await CancellationAsync(db, id, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    public static async Task<Results<Ok<List<TaskView>>, ValidationProblem>> ListTasksAsync(string? user, CsmDbContext db, CancellationToken ct)
    {
        long? owner = null;
        if (user is not null)
        {
            var email = user.Trim().ToLowerInvariant();
            owner = await db.Users.AsNoTracking().Where(u => u.Email == email).Select(u => (long?)u.Id).FirstOrDefaultAsync(ct);
            if (owner is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["user"] = [$"there is no user {user}"] }, title: "The request has invalid fields");
        }
        var tasks = await TasksAsync(db, t => t.State == WorkTaskState.Open && (owner == null || t.OwnerUserId == owner), ct);
        return TypedResults.Ok(tasks.OrderBy(t => t.DueOn).ThenBy(t => t.Id).ToList());
    }

    public static async Task<Results<Ok<TaskView>, ValidationProblem, ProblemHttpResult>> CompleteTaskAsync(long id, HttpRequest request,
        [AsParameters] Services s, CancellationToken ct)
    {
        var (body, problem) = await WorkflowBody.ReadAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var actor = await ActorAsync(body!, s, ct);
        if (!body!.IsValid) return body.Problem();
        if (!await s.Db.WorkTasks.AnyAsync(t => t.Id == id, ct)) return NotFound($"there is no task {id}");
        return await RunAsync(async () =>
        {
            await s.Workflows.CompleteTaskAsync(id, actor!.Value.Email, actor.Value.On, ct);
            return (await TasksAsync(s.Db, t => t.Id == id, ct)).Single();
        });
    }

    public static async Task<Results<Ok<List<AuditEntryView>>, NotFound>> ListAuditAsync(string externalId, CsmDbContext db, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.ExternalId == externalId).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (account is null) return TypedResults.NotFound();
        var entries = await AuditLog.ForAccountAsync(db, account.Value, ct);
        return TypedResults.Ok(entries.Select(e => new AuditEntryView(e.Id, e.At, e.Actor, e.Action, e.Detail, e.Amount is { } m ? MoneyView.Of(m) : null)).ToList());
    }

    private readonly record struct Actor(string Email, DateOnly On);

    /// <summary>The acting user (<c>user</c>, who must exist) and the date of the decision (<c>on</c>, default today).</summary>
    private static async Task<Actor?> ActorAsync(WorkflowBody body, Services s, CancellationToken ct)
    {
        var user = body.Text("user", required: true);
        var on = body.Date("on");
        if (user is null) return null;
        var email = user.ToLowerInvariant();
        if (!await s.Db.Users.AsNoTracking().AnyAsync(u => u.Email == email, ct))
        {
            body.Add("user", $"there is no user {user}");
            return null;
        }
        return new Actor(email, on ?? s.Organisation.Value.Today(s.Clock));
    }

    /// <summary>Runs a workflow step; one it refuses becomes 409 with the reason.</summary>
    private static async Task<Results<Ok<T>, ValidationProblem, ProblemHttpResult>> RunAsync<T>(Func<Task<T>> step)
    {
        try
        {
            return TypedResults.Ok(await step());
        }
        catch (WorkflowException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The workflow refuses this step", detail: e.Message);
        }
    }

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    private static async Task<List<PromiseView>> PromisesAsync(CsmDbContext db, System.Linq.Expressions.Expression<Func<PromiseToPay, bool>> filter, CancellationToken ct)
    {
        var found = await (from p in db.PromisesToPay.AsNoTracking().Where(filter)
                           join a in db.Accounts on p.AccountId equals a.Id
                           select new { p, a.ExternalId }).ToListAsync(ct);
        return found.OrderByDescending(f => f.p.RecordedOn).ThenByDescending(f => f.p.Id)
            .Select(f => new PromiseView(f.p.Id, f.ExternalId, MoneyView.Of(f.p.Amount), f.p.PromisedFor, f.p.RecordedOn, f.p.RecordedBy, f.p.Note, f.p.State, f.p.ClosedOn))
            .ToList();
    }

    private static async Task<DisputeView?> DisputeAsync(CsmDbContext db, long id, CancellationToken ct) =>
        await (from d in db.Disputes.AsNoTracking()
               join a in db.Accounts on d.AccountId equals a.Id
               join i in db.Invoices on d.InvoiceId equals i.Id
               join c in db.CreditNotes on d.CreditNoteId equals c.Id into credits
               from c in credits.DefaultIfEmpty()
               where d.Id == id
               select new DisputeView(d.Id, a.ExternalId, i.Number, d.Reason, d.OpenedOn, d.OpenedBy, d.State, d.Resolution, d.ResolvedOn, d.ResolvedBy,
                   c == null ? null : c.Number)).FirstOrDefaultAsync(ct);

    private static async Task<PaymentPlanView?> PlanAsync(CsmDbContext db, long id, CancellationToken ct)
    {
        var plan = await db.PaymentPlans.AsNoTracking().Include(p => p.Instalments).Include(p => p.Invoices).AsSplitQuery().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (plan is null) return null;
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == plan.AccountId).Select(a => a.ExternalId).SingleAsync(ct);
        var invoiceIds = plan.Invoices.Select(i => i.InvoiceId).ToList();
        var numbers = await db.Invoices.AsNoTracking().Where(i => invoiceIds.Contains(i.Id)).Select(i => i.Number).ToListAsync(ct);
        return new PaymentPlanView(plan.Id, account, numbers.Order(StringComparer.Ordinal).ToList(), MoneyView.Of(plan.Owed), plan.DiscountPercent,
            MoneyView.Of(plan.Total), plan.Instalments.OrderBy(i => i.Number).Select(i => new InstalmentView(i.Number, i.DueOn, MoneyView.Of(i.Amount))).ToList(),
            plan.State, plan.ProposedOn, plan.ProposedBy, plan.ApprovedBy, plan.ApprovedOn, plan.ClosedOn, plan.CloseReason);
    }

    private static async Task<CancellationRequestView?> CancellationAsync(CsmDbContext db, long id, CancellationToken ct)
    {
        var found = await (from c in db.CancellationRequests.AsNoTracking()
                           join a in db.Accounts on c.AccountId equals a.Id
                           join sub in db.Subscriptions on c.SubscriptionId equals sub.Id
                           where c.Id == id
                           select new { c, Account = a.ExternalId, Subscription = sub.ExternalId, sub.Currency }).FirstOrDefaultAsync(ct);
        if (found is null) return null;
        var r = found.c;
        return new CancellationRequestView(r.Id, found.Account, found.Subscription, r.Reason, r.ForNonPayment, r.RequestedOn, r.RequestedBy, r.SaveCallDueOn,
            r.State, r.OutcomeBy, r.OutcomeOn, r.OutcomeNote, r.NewMrrValue is { } mrr ? new MoneyView(mrr, found.Currency) : null, r.EffectiveOn,
            r.CarriedOutBy, r.CarriedOutOn);
    }

    private static async Task<List<TaskView>> TasksAsync(CsmDbContext db, System.Linq.Expressions.Expression<Func<WorkTask, bool>> filter, CancellationToken ct) =>
        await (from t in db.WorkTasks.AsNoTracking().Where(filter)
               join a in db.Accounts on t.AccountId equals a.Id
               join u in db.Users on t.OwnerUserId equals u.Id into owners
               from u in owners.DefaultIfEmpty()
               select new TaskView(t.Id, a.ExternalId, t.Kind, t.OwnerRole, u == null ? null : u.Email, t.Title, t.Detail, t.CreatedOn, t.DueOn, t.State, t.DoneOn))
            .ToListAsync(ct);
}
