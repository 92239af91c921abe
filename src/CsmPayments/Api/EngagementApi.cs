using CsmPayments.Access;
using CsmPayments.Engagement;
using CsmPayments.Hosting;
using CsmPayments.Import;
using CsmPayments.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CsmPayments.Api;

/// <summary>Support tickets, NPS responses and touchpoints: created and updated with the CSV import's rules, read back per account.</summary>
public static class EngagementApi
{
    public sealed record TicketView(string ExternalId, string AccountExternalId, DateOnly OpenedOn, TicketPriority Priority, TicketStatus Status,
        DateOnly? SolvedOn, string Subject);

    public sealed record NpsView(string AccountExternalId, string ContactEmail, DateOnly RespondedOn, int Score, string? Comment);

    public sealed record TouchpointView(string AccountExternalId, string UserEmail, DateOnly OccurredOn, TouchpointKind Kind, string Summary);

    public static IEndpointRouteBuilder MapEngagementApi(this IEndpointRouteBuilder api)
    {
        var write = api.MapGroup("").WithTags("Engagement").RequireAuthorization(ApiScopes.LedgerWrite).WithKeyProblems();
        write.MapPost("/tickets", CreateOrUpdateTicketsAsync).AcceptsOneOrList<TicketRecord>().WithWriteProblems()
            .WithSummary("Create or update tickets (tickets.csv fields: external_id, account_external_id, opened_on, priority, status, solved_on, subject)");
        write.MapPost("/nps", CreateOrUpdateNpsAsync).AcceptsOneOrList<NpsRecord>().WithWriteProblems()
            .WithSummary("Create or update NPS responses (nps.csv fields: account_external_id, contact_email, responded_on, score, comment)");
        write.MapPost("/touchpoints", CreateOrUpdateTouchpointsAsync).AcceptsOneOrList<TouchpointRecord>().WithWriteProblems()
            .WithSummary("Create or update touchpoints (touchpoints.csv fields: account_external_id, user_email, occurred_on, kind, summary)");

        var read = api.MapGroup("").WithTags("Engagement").RequireAuthorization(ApiScopes.LedgerRead).WithKeyProblems();
        read.MapGet("/tickets/{externalId}", GetTicketAsync).WithNotFoundProblem().WithSummary("A ticket by external id");
        read.MapGet("/accounts/{externalId}/nps", ListNpsAsync).WithNotFoundProblem().WithSummary("An account's NPS responses, newest first");
        read.MapGet("/accounts/{externalId}/touchpoints", ListTouchpointsAsync).WithNotFoundProblem().WithSummary("An account's touchpoints, newest first");
        return api;
    }

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateTicketsAsync(HttpRequest request, Database database,
        IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) => Records.WriteAsync(ImportKind.Tickets, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateNpsAsync(HttpRequest request, Database database,
        IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) => Records.WriteAsync(ImportKind.Nps, request, database, api.Value, changes, ct);

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> CreateOrUpdateTouchpointsAsync(HttpRequest request,
        Database database, IOptions<ApiOptions> api, AccountChanges changes, CancellationToken ct) =>
        Records.WriteAsync(ImportKind.Touchpoints, request, database, api.Value, changes, ct);

    public static async Task<Results<Ok<TicketView>, NotFound>> GetTicketAsync(string externalId, CsmDbContext db, CancellationToken ct)
    {
        var found = await (from t in db.Tickets.AsNoTracking()
                           join a in db.Accounts on t.AccountId equals a.Id
                           where t.ExternalId == externalId
                           select new TicketView(t.ExternalId, a.ExternalId, t.OpenedOn, t.Priority, t.Status, t.SolvedOn, t.Subject)).FirstOrDefaultAsync(ct);
        return found is null ? TypedResults.NotFound() : TypedResults.Ok(found);
    }

    public static async Task<Results<Ok<List<NpsView>>, NotFound>> ListNpsAsync(string externalId, CsmDbContext db, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.ExternalId == externalId).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (account is null) return TypedResults.NotFound();
        return TypedResults.Ok(await db.NpsResponses.AsNoTracking().Where(n => n.AccountId == account)
            .OrderByDescending(n => n.RespondedOn).ThenBy(n => n.ContactEmail)
            .Select(n => new NpsView(externalId, n.ContactEmail, n.RespondedOn, n.Score, n.Comment)).ToListAsync(ct));
    }

    public static async Task<Results<Ok<List<TouchpointView>>, NotFound>> ListTouchpointsAsync(string externalId, CsmDbContext db, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.ExternalId == externalId).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (account is null) return TypedResults.NotFound();
        return TypedResults.Ok(await (from t in db.Touchpoints.AsNoTracking()
                                      join u in db.Users on t.UserId equals u.Id
                                      where t.AccountId == account
                                      orderby t.OccurredOn descending, t.Kind
                                      select new TouchpointView(externalId, u.Email, t.OccurredOn, t.Kind, t.Summary)).ToListAsync(ct));
    }
}
