using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsmPayments.Access;
using CsmPayments.Audit;
using CsmPayments.Hosting;
using CsmPayments.Import;
using CsmPayments.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CsmPayments.Api;

/// <summary>
/// <c>PATCH</c> for partial updates: the fields sent replace the stored ones, and the whole record then goes through the
/// import's rules as a create-or-update would, so a partial update is validated exactly as a full one. The key in the
/// path cannot be changed. <c>DELETE</c> where deleting is right (a contact, a ticket, an NPS answer, a touchpoint); ledger records are never
/// deleted — an invoice is voided, a payment or an invoice is offset by a credit note, a subscription is ended — and a
/// DELETE of one is refused with 405 saying so.
/// </summary>
public static class PartialUpdateApi
{
    public static IEndpointRouteBuilder MapPartialUpdateApi(this IEndpointRouteBuilder api)
    {
        var write = api.MapGroup("").WithTags("Ledger").RequireAuthorization(ApiScopes.LedgerWrite).WithKeyProblems();
        write.MapPatch("/accounts/{externalId}", (string externalId, HttpRequest r, [AsParameters] Services s, CancellationToken ct) => PatchAsync(ImportKind.Accounts, externalId, r, s, ct))
            .Accepts<AccountRecord>("application/json").WithWriteProblems().WithNotFoundProblem().WithSummary("Change some fields of an account");
        write.MapPatch("/contacts/{email}", (string email, HttpRequest r, [AsParameters] Services s, CancellationToken ct) => PatchAsync(ImportKind.Contacts, email, r, s, ct))
            .Accepts<ContactRecord>("application/json").WithWriteProblems().WithNotFoundProblem().WithSummary("Change some fields of a contact");
        write.MapPatch("/subscriptions/{externalId}", (string externalId, HttpRequest r, [AsParameters] Services s, CancellationToken ct) => PatchAsync(ImportKind.Subscriptions, externalId, r, s, ct))
            .Accepts<SubscriptionRecord>("application/json").WithWriteProblems().WithNotFoundProblem()
            .WithSummary("Change some fields of a subscription (audited: MRR is money)");
        write.MapPatch("/tickets/{externalId}", (string externalId, HttpRequest r, [AsParameters] Services s, CancellationToken ct) => PatchAsync(ImportKind.Tickets, externalId, r, s, ct))
            .Accepts<TicketRecord>("application/json").WithWriteProblems().WithNotFoundProblem().WithSummary("Change some fields of a ticket");
        write.MapPatch("/users/{email}", (string email, HttpRequest r, [AsParameters] Services s, CancellationToken ct) => PatchAsync(ImportKind.Users, email, r, s, ct))
            .RequireAuthorization(ApiScopes.Admin).Accepts<UserRecord>("application/json").WithWriteProblems().WithNotFoundProblem()
            .WithSummary("Change some fields of a user; needs the admin scope");
        write.MapPatch("/accounts/{externalId}/nps", PatchNpsAsync).Accepts<NpsRecord>("application/json").WithWriteProblems().WithNotFoundProblem()
            .WithSummary("Change the score or comment of an NPS response, named by contact_email and responded_on");
        write.MapPatch("/accounts/{externalId}/touchpoints", PatchTouchpointAsync).Accepts<TouchpointRecord>("application/json").WithWriteProblems().WithNotFoundProblem()
            .WithSummary("Change the summary of a touchpoint, named by user_email, occurred_on and kind");

        write.MapDelete("/contacts/{email}", DeleteContactAsync).WithNotFoundProblem().WithSummary("Delete a contact");
        write.MapDelete("/tickets/{externalId}", DeleteTicketAsync).WithNotFoundProblem()
            .WithSummary("Delete a ticket (one the support system removed, such as spam or a merged duplicate)");
        write.MapDelete("/accounts/{externalId}/nps", DeleteNpsAsync).ProducesValidationProblem().WithNotFoundProblem()
            .WithSummary("Delete an NPS response, named by contact_email and responded_on (a withdrawn answer)");
        write.MapDelete("/accounts/{externalId}/touchpoints", DeleteTouchpointAsync).ProducesValidationProblem().WithNotFoundProblem()
            .WithSummary("Delete a touchpoint, named by user_email, occurred_on and kind");
        write.MapDelete("/invoices/{number}", (string number) => Refused("An invoice is not deleted",
            $"invoice {number} stays in the ledger: void it (POST /api/invoices with \"status\": \"void\") or issue a credit note (POST /api/credit-notes)"))
            .ProducesProblem(StatusCodes.Status405MethodNotAllowed).WithSummary("Refused: void the invoice or issue a credit note instead");
        write.MapDelete("/payments/{externalId}", (string externalId) => Refused("A payment is not deleted",
            $"payment {externalId} stays in the ledger: record what happened to the money instead — a refund lowers its amount, a credit note offsets the invoice"))
            .ProducesProblem(StatusCodes.Status405MethodNotAllowed).WithSummary("Refused: correct the payment or issue a credit note instead");
        write.MapDelete("/credit-notes/{number}", (string number) => Refused("A credit note is not deleted",
            $"credit note {number} stays in the ledger: issue a new invoice for the amount to take it back"))
            .ProducesProblem(StatusCodes.Status405MethodNotAllowed).WithSummary("Refused: issue a new invoice instead");
        write.MapDelete("/subscriptions/{externalId}", (string externalId) => Refused("A subscription is not deleted",
            $"subscription {externalId} is revenue history: end it (PATCH with \"end_date\" and \"cancellation_reason\") instead"))
            .ProducesProblem(StatusCodes.Status405MethodNotAllowed).WithSummary("Refused: end the subscription instead");
        return api;
    }

    /// <summary>What the endpoints need, from the container.</summary>
    public sealed record Services(Database Database, CsmDbContext Db, IOptions<ApiOptions> Api, AccountChanges Changes, TimeProvider Clock, ClaimsPrincipal User);

    private static readonly Dictionary<ImportKind, string> KeyField = new()
    {
        [ImportKind.Accounts] = "external_id",
        [ImportKind.Contacts] = "email",
        [ImportKind.Subscriptions] = "external_id",
        [ImportKind.Tickets] = "external_id",
        [ImportKind.Users] = "email",
    };

    public static Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult, NotFound>> PatchAsync(ImportKind kind, string key, HttpRequest request,
        Services s, CancellationToken ct) =>
        PatchAsync(kind, [KeyField[kind]], db => CurrentAsync(kind, key, db, ct), request, s, ct,
            kind == ImportKind.Subscriptions ? (before, after) => (db, changed, token) => AuditSubscriptionAsync(db, key, before, after, s, token) : null);

    /// <summary>
    /// Merges the fields sent into the stored record (found by <paramref name="current"/>), refuses a change of any of the
    /// record's <paramref name="keyFields"/>, and writes the whole record with the import's rules; <paramref name="audit"/>,
    /// given the record before and after, writes what must be stored in the same transaction as the change.
    /// </summary>
    private static async Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult, NotFound>> PatchAsync(ImportKind kind, string[] keyFields,
        Func<CsmDbContext, Task<JsonObject?>> current, HttpRequest request, Services s, CancellationToken ct,
        Func<JsonObject, JsonObject, Func<CsmDbContext, long, CancellationToken, Task>>? audit = null)
    {
        var (json, problem) = await ApiBody.ReadJsonAsync(request, s.Api.Value.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        using var document = json!;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["expected a JSON object with the fields to change"] });
        var record = await current(s.Db);
        if (record is null) return TypedResults.NotFound();
        var changes = JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
        var rekeyed = new Dictionary<string, string[]>();
        foreach (var keyField in keyFields)
            if (changes[keyField] is { } sent && !string.Equals(sent.ToString().Trim(), record[keyField]!.ToString(), StringComparison.OrdinalIgnoreCase))
                rekeyed[keyField] = [$"is part of the record's key and cannot be changed (it is {record[keyField]})"];
        if (rekeyed.Count > 0) return TypedResults.ValidationProblem(rekeyed);
        var before = record.DeepClone().AsObject();
        foreach (var (field, value) in changes) record[field] = value?.DeepClone();
        using var merged = JsonDocument.Parse(record.ToJsonString());
        var alsoInTransaction = audit?.Invoke(before, record);
        var written = await Records.WriteAsync(kind, merged.RootElement, s.Database, s.Changes, ct,
            alsoInTransaction is null ? null : (db, changed, token) => changed > 0 ? alsoInTransaction(db, changed, token) : Task.CompletedTask);
        return written.Result switch
        {
            Ok<RecordsWritten> ok => ok,
            ValidationProblem invalid => invalid,
            ProblemHttpResult other => other,
            _ => throw new InvalidOperationException("unexpected result"),
        };
    }

    /// <summary>The audit entry of a changed subscription, written on the import's connection inside its transaction.</summary>
    private static async Task AuditSubscriptionAsync(CsmDbContext db, string externalId, JsonObject before, JsonObject after, Services s, CancellationToken ct)
    {
        var stored = await db.Subscriptions.AsNoTracking().Where(x => x.ExternalId == externalId).Select(x => new { x.AccountId, x.MrrAmount, x.Currency })
            .SingleAsync(ct);
        var changed = after.Where(f => before[f.Key]?.ToJsonString() != f.Value?.ToJsonString())
            .Select(f => $"{f.Key}: {before[f.Key]?.ToString() ?? "—"} → {f.Value?.ToString() ?? "—"}");
        db.AuditEntries.Add(new AuditEntry(stored.AccountId, s.Clock.GetUtcNow(), "api-key:" + (s.User.Identity?.Name ?? "unknown"), "subscription.updated",
            $"subscription {externalId}: {string.Join("; ", changed)}", new Money(stored.MrrAmount, stored.Currency)));
        await db.SaveChangesAsync(ct);
    }

    public static async Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult, NotFound>> PatchNpsAsync(string externalId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "contact_email")] string? contactEmail, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "responded_on")] string? respondedOn,
        HttpRequest request, [AsParameters] Services s, CancellationToken ct)
    {
        var (key, errors) = NpsKey(contactEmail, respondedOn);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return await PatchAsync(ImportKind.Nps, ["account_external_id", "contact_email", "responded_on"], async db =>
        {
            var found = await FindNps(db, externalId, key).FirstOrDefaultAsync(ct);
            return found is null ? null : new JsonObject
            {
                ["account_external_id"] = externalId,
                ["contact_email"] = found.ContactEmail,
                ["responded_on"] = Day(found.RespondedOn),
                ["score"] = found.Score,
                ["comment"] = found.Comment,
            };
        }, request, s, ct);
    }

    public static async Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult, NotFound>> PatchTouchpointAsync(string externalId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "user_email")] string? userEmail, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "occurred_on")] string? occurredOn,
        string? kind, HttpRequest request, [AsParameters] Services s, CancellationToken ct)
    {
        var (key, errors) = TouchpointKey(userEmail, occurredOn, kind);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return await PatchAsync(ImportKind.Touchpoints, ["account_external_id", "user_email", "occurred_on", "kind"], async db =>
        {
            var found = await FindTouchpoint(db, externalId, key).FirstOrDefaultAsync(ct);
            return found is null ? null : new JsonObject
            {
                ["account_external_id"] = externalId,
                ["user_email"] = key.Email,
                ["occurred_on"] = Day(found.OccurredOn),
                ["kind"] = Word(found.Kind),
                ["summary"] = found.Summary,
            };
        }, request, s, ct);
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The stored record as its CSV fields, or null when there is none with that key.</summary>
    private static async Task<JsonObject?> CurrentAsync(ImportKind kind, string key, CsmDbContext db, CancellationToken ct)
    {
        static string? OptionalDay(DateOnly? d) => d is { } day ? Day(day) : null;
        var email = key.Trim().ToLowerInvariant();
        switch (kind)
        {
            case ImportKind.Accounts:
                var a = await (from x in db.Accounts.AsNoTracking()
                               join u in db.Users on x.CsmId equals u.Id
                               where x.ExternalId == key
                               select new { x, u.Email }).FirstOrDefaultAsync(ct);
                return a is null ? null : new JsonObject
                {
                    ["external_id"] = a.x.ExternalId,
                    ["name"] = a.x.Name,
                    ["industry"] = a.x.Industry,
                    ["employees"] = a.x.Employees,
                    ["country"] = a.x.Country,
                    ["plan"] = a.x.Plan,
                    ["csm_email"] = a.Email,
                    ["currency"] = a.x.Currency,
                    ["timezone"] = a.x.TimeZone,
                    ["tier"] = a.x.Tier is { } tier ? Word(tier) : null,
                };
            case ImportKind.Contacts:
                var c = await (from x in db.Contacts.AsNoTracking()
                               join acc in db.Accounts on x.AccountId equals acc.Id
                               where x.Email == email
                               select new { x, acc.ExternalId }).FirstOrDefaultAsync(ct);
                return c is null ? null : new JsonObject { ["email"] = c.x.Email, ["account_external_id"] = c.ExternalId, ["name"] = c.x.Name, ["role"] = Word(c.x.Role) };
            case ImportKind.Subscriptions:
                var s = await (from x in db.Subscriptions.AsNoTracking()
                               join acc in db.Accounts on x.AccountId equals acc.Id
                               where x.ExternalId == key
                               select new { x, acc.ExternalId }).FirstOrDefaultAsync(ct);
                return s is null ? null : new JsonObject
                {
                    ["external_id"] = s.x.ExternalId,
                    ["account_external_id"] = s.ExternalId,
                    ["plan"] = s.x.Plan,
                    ["mrr"] = s.x.MrrAmount.ToString(CultureInfo.InvariantCulture),
                    ["currency"] = s.x.Currency,
                    ["start_date"] = Day(s.x.StartDate),
                    ["end_date"] = OptionalDay(s.x.EndDate),
                    ["renewal_date"] = OptionalDay(s.x.RenewalDate),
                    ["cancellation_reason"] = s.x.CancellationReason is { } reason ? Word(reason) : null,
                };
            case ImportKind.Tickets:
                var t = await (from x in db.Tickets.AsNoTracking()
                               join acc in db.Accounts on x.AccountId equals acc.Id
                               where x.ExternalId == key
                               select new { x, acc.ExternalId }).FirstOrDefaultAsync(ct);
                return t is null ? null : new JsonObject
                {
                    ["external_id"] = t.x.ExternalId,
                    ["account_external_id"] = t.ExternalId,
                    ["opened_on"] = Day(t.x.OpenedOn),
                    ["priority"] = Word(t.x.Priority),
                    ["status"] = Word(t.x.Status),
                    ["solved_on"] = OptionalDay(t.x.SolvedOn),
                    ["subject"] = t.x.Subject,
                };
            case ImportKind.Users:
                var u2 = await db.Users.AsNoTracking().FirstOrDefaultAsync(x => x.Email == email, ct);
                return u2 is null ? null : new JsonObject { ["email"] = u2.Email, ["name"] = u2.Name, ["role"] = Word(u2.Role), ["capacity"] = u2.Capacity };
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "no partial update for this kind");
        }
    }

    /// <summary>An enum value as the CSV word: its name in snake case.</summary>
    private static string Word<TEnum>(TEnum value) where TEnum : struct, Enum =>
        string.Concat(value.ToString().Select((ch, i) => char.IsUpper(ch) && i > 0 ? "_" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    public static async Task<Results<NoContent, NotFound>> DeleteContactAsync(string email, CsmDbContext db, AccountChanges changes, CancellationToken ct)
    {
        var key = email.Trim().ToLowerInvariant();
        var contact = await db.Contacts.FirstOrDefaultAsync(x => x.Email == key, ct);
        if (contact is null) return TypedResults.NotFound();
        db.Contacts.Remove(contact);
        await db.SaveChangesAsync(ct);
        changes.Report([contact.AccountId]);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound>> DeleteTicketAsync(string externalId, CsmDbContext db, AccountChanges changes, CancellationToken ct)
    {
        var ticket = await db.Tickets.FirstOrDefaultAsync(x => x.ExternalId == externalId, ct);
        if (ticket is null) return TypedResults.NotFound();
        db.Tickets.Remove(ticket);
        await db.SaveChangesAsync(ct);
        changes.Report([ticket.AccountId]);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteNpsAsync(string externalId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "contact_email")] string? contactEmail, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "responded_on")] string? respondedOn,
        CsmDbContext db, AccountChanges changes, CancellationToken ct)
    {
        var (key, errors) = NpsKey(contactEmail, respondedOn);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var response = await FindNps(db, externalId, key).FirstOrDefaultAsync(ct);
        if (response is null) return TypedResults.NotFound();
        db.NpsResponses.Remove(response);
        await db.SaveChangesAsync(ct);
        changes.Report([response.AccountId]);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteTouchpointAsync(string externalId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "user_email")] string? userEmail, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "occurred_on")] string? occurredOn,
        string? kind, CsmDbContext db, AccountChanges changes, CancellationToken ct)
    {
        var (key, errors) = TouchpointKey(userEmail, occurredOn, kind);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var touchpoint = await FindTouchpoint(db, externalId, key).FirstOrDefaultAsync(ct);
        if (touchpoint is null) return TypedResults.NotFound();
        db.Touchpoints.Remove(touchpoint);
        await db.SaveChangesAsync(ct);
        changes.Report([touchpoint.AccountId]);
        return TypedResults.NoContent();
    }

    private readonly record struct NpsKeyValues(string Email, DateOnly RespondedOn);

    private readonly record struct TouchpointKeyValues(string Email, DateOnly OccurredOn, Engagement.TouchpointKind Kind);

    /// <summary>An NPS response's key from the query: the contact's email and the day of the answer, every bad part listed.</summary>
    private static (NpsKeyValues Key, Dictionary<string, string[]> Errors) NpsKey(string? contactEmail, string? respondedOn)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(contactEmail)) errors["contact_email"] = ["a value is required"];
        var day = QueryDay("responded_on", respondedOn, errors);
        return (new NpsKeyValues(contactEmail?.Trim().ToLowerInvariant() ?? "", day), errors);
    }

    /// <summary>A touchpoint's key from the query: the user's email, the day and the kind, every bad part listed.</summary>
    private static (TouchpointKeyValues Key, Dictionary<string, string[]> Errors) TouchpointKey(string? userEmail, string? occurredOn, string? kind)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(userEmail)) errors["user_email"] = ["a value is required"];
        var day = QueryDay("occurred_on", occurredOn, errors);
        var kinds = Enum.GetValues<Engagement.TouchpointKind>().ToDictionary(k => Word(k), StringComparer.OrdinalIgnoreCase);
        if (kind is null || !kinds.TryGetValue(kind, out var touchpointKind))
        {
            errors["kind"] = [$"'{kind}' is not one of {string.Join(", ", kinds.Keys)}"];
            touchpointKind = default;
        }
        return (new TouchpointKeyValues(userEmail?.Trim().ToLowerInvariant() ?? "", day, touchpointKind), errors);
    }

    private static DateOnly QueryDay(string name, string? text, Dictionary<string, string[]> errors)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors[name] = [$"'{text}' is not a date (expected yyyy-MM-dd)"];
        return default;
    }

    private static IQueryable<Engagement.NpsResponse> FindNps(CsmDbContext db, string externalId, NpsKeyValues key) =>
        from n in db.NpsResponses
        join a in db.Accounts on n.AccountId equals a.Id
        where a.ExternalId == externalId && n.ContactEmail == key.Email && n.RespondedOn == key.RespondedOn
        select n;

    private static IQueryable<Engagement.Touchpoint> FindTouchpoint(CsmDbContext db, string externalId, TouchpointKeyValues key) =>
        from t in db.Touchpoints
        join a in db.Accounts on t.AccountId equals a.Id
        join u in db.Users on t.UserId equals u.Id
        where a.ExternalId == externalId && u.Email == key.Email && t.OccurredOn == key.OccurredOn && t.Kind == key.Kind
        select t;

    private static ProblemHttpResult Refused(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: title, detail: detail);
}
