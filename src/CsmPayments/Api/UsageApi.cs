using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsmPayments.Access;
using CsmPayments.Hosting;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using CsmPayments.Usage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CsmPayments.Api;

/// <summary>
/// <c>POST /api/usage</c>: usage in bulk, aggregated per account and day (in the organisation's time zone) and added
/// to what is stored, as <see cref="UsageIngest"/> describes. Three shapes are accepted:
/// <list type="bullet">
/// <item><c>{"events": [{"account_external_id", "date" or "timestamp", "active_users", "events"}]}</c>;</item>
/// <item>a Segment <c>track</c> (or <c>page</c>, <c>screen</c>) message: one event by <c>userId</c> (or
/// <c>anonymousId</c>) for the account in <c>context.groupId</c> or <c>properties.account_external_id</c>;</item>
/// <item>a Segment <c>batch</c>: <c>{"batch": [messages]}</c>; <c>identify</c>, <c>group</c> and <c>alias</c> messages
/// carry no usage and are skipped.</item>
/// </list>
/// A batch with any bad event is rejected whole, every bad field listed, and nothing is stored.
/// </summary>
public static class UsageApi
{
    private const int ListedErrors = 1_000;

    public sealed record UsageAccepted(int Events, int Skipped, int Days, int Accounts);

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/usage", IngestAsync)
            .RequireAuthorization(ApiScopes.UsageWrite)
            .WithTags("Usage")
            .Accepts<UsageBody>("application/json")
            .WithKeyProblems()
            .WithWriteProblems()
            .WithSummary("Record usage events in bulk (own format, or Segment track and batch payloads)");
        return api;
    }

    public static async Task<Results<Ok<UsageAccepted>, ValidationProblem, ProblemHttpResult>> IngestAsync(HttpRequest request, CsmDbContext db,
        IOptions<OrganisationOptions> organisation, IOptions<ApiOptions> api, TimeProvider clock, AccountChanges changes, AccountIdCache accounts, UsageWriter writer, CancellationToken ct)
    {
        var limit = api.Value.MaxUsageBodyBytes;
        if (request.ContentLength > limit) return ApiBody.TooLarge(limit);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(organisation.Value.TimeZone);
        var (buffer, length) = await ReadPooledAsync(request, limit, ct);
        if (buffer is null) return ApiBody.TooLarge(limit);
        try
        {
            // A valid batch is read straight from its bytes; the full reader below reads anything else, and says what is wrong.
            if (UsageFastReader.TryRead(buffer.AsSpan(0, length), zone, clock) is { } read)
            {
                var (fast, fastSkipped) = read;
                var ids = await accounts.IdsAsync(db, fast.Select(s => s.AccountExternalId), ct);
                if (fast.All(s => ids.ContainsKey(s.AccountExternalId))) return await StoreAsync(fast, fast.Count, fastSkipped, ids, writer, changes);
            }
            UsageBody? batch;
            try
            {
                batch = JsonSerializer.Deserialize(buffer.AsSpan(0, length), UsageJson.Default.UsageBody);
            }
            catch (JsonException e)
            {
                return ApiBody.NotJson(e);
            }
            return await ReadFullyAsync(batch, zone, db, clock, accounts, writer, changes, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The body in a pooled buffer, or no buffer when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<(byte[]? Buffer, int Length)> ReadPooledAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        // One byte more than announced, so that the read that finds the end has room.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit + 1, (request.ContentLength ?? 64 * 1024) + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit + 1, buffer.Length * 2L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) return (buffer, length);
                length += read;
                if (length > limit) break;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Refused by the server's own limit: the same answer as ours below.
        }
        ArrayPool<byte>.Shared.Return(buffer);
        return (null, 0);
    }

    private static async Task<Results<Ok<UsageAccepted>, ValidationProblem, ProblemHttpResult>> StoreAsync(IReadOnlyList<UsageSample> samples, int count,
        int skipped, IReadOnlyDictionary<string, long> accountIds, UsageWriter writer, AccountChanges changes)
    {
        var aggregated = UsageIngest.AggregateBatch(samples);
        var rows = UsageRows.Resolve(aggregated, accountIds);
        try
        {
            // Written together with the batches of requests arriving at the same time.
            await writer.WriteAsync(rows);
        }
        catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException)
        {
            return TypedResults.Problem(title: "The usage could not be stored; nothing of this batch was stored", detail: e.Message,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var changed = rows.Days.Select(d => d.AccountId).ToHashSet();
        changes.Report(changed);
        return TypedResults.Ok(new UsageAccepted(count, skipped, aggregated.Totals.Count, changed.Count));
    }

    private static async Task<Results<Ok<UsageAccepted>, ValidationProblem, ProblemHttpResult>> ReadFullyAsync(UsageBody? batch, TimeZoneInfo zone,
        CsmDbContext db, TimeProvider clock, AccountIdCache accounts, UsageWriter writer, AccountChanges changes, CancellationToken ct)
    {
        var errors = new Errors();
        var samples = new List<(UsageSample Sample, Where Field)>();
        var skipped = 0;
        if (batch is null || batch.Events is null && batch.Batch is null && batch.Type is null)
            errors.Add("body", "expected {\"events\": [...]}, a Segment message with a \"type\", or a Segment {\"batch\": [...]}");
        else
        {
            for (var i = 0; i < (batch.Events?.Count ?? 0); i++) Own(batch.Events![i], new Where("events", i, null), zone, samples, errors);
            for (var i = 0; i < (batch.Batch?.Count ?? 0); i++)
                if (!Segment(batch.Batch![i], new Where("batch", i, null), batch.SentAt, zone, clock, samples, errors)) skipped++;
            if (batch.Type is not null && !Segment(batch, new Where("", -1, null), batch.SentAt, zone, clock, samples, errors)) skipped++;
        }
        if (errors.Count > 0) return errors.Problem();

        var accountIds = await accounts.IdsAsync(db, samples.Select(s => s.Sample.AccountExternalId), ct);
        foreach (var (sample, field) in samples)
            if (!accountIds.ContainsKey(sample.AccountExternalId))
                errors.Add(field.ToString(), $"no account has external id '{sample.AccountExternalId}'");
        if (errors.Count > 0) return errors.Problem();
        return await StoreAsync([.. samples.Select(s => s.Sample)], samples.Count, skipped, accountIds, writer, changes);
    }

    /// <summary>Where in the body a value is, spelled only when an error names it.</summary>
    private readonly record struct Where(string List, int Index, string? Field)
    {
        public Where this[string field] => this with { Field = field };

        public override string ToString() => (List.Length == 0 ? "" : $"{List}[{Index}].") + Field;
    }

    private static void Own(UsageEvent e, Where at, TimeZoneInfo zone, List<(UsageSample, Where)> samples, Errors errors)
    {
        var before = errors.Count;
        var account = e.AccountExternalId?.Trim();
        if (string.IsNullOrEmpty(account)) errors.Add(at["account_external_id"].ToString(), "a value is required");
        DateOnly date = default;
        if (e.Date is not null)
        {
            if (!DateOnly.TryParseExact(e.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
                errors.Add(at["date"].ToString(), $"'{e.Date}' is not a date (expected yyyy-MM-dd)");
        }
        else if (e.Timestamp is not null)
        {
            if (Day(e.Timestamp, zone) is { } day) date = day;
            else errors.Add(at["timestamp"].ToString(), $"'{e.Timestamp}' is not an ISO 8601 time (such as 2026-03-01T14:05:00Z)");
        }
        else errors.Add(at["date"].ToString(), "a date (yyyy-MM-dd) or a timestamp is required");
        if (e.ActiveUsers is < 0 or > int.MaxValue) errors.Add(at["active_users"].ToString(), $"{e.ActiveUsers} is outside 0–{int.MaxValue}");
        if (e.Events is < 0) errors.Add(at["events"].ToString(), $"{e.Events} is negative; a count cannot be negative");
        if (e.ActiveUsers is null && e.Events is null) errors.Add(at["events"].ToString(), "give active_users, events, or both");
        if (errors.Count == before) samples.Add((new UsageSample(account!, date, (int)(e.ActiveUsers ?? 0), e.Events ?? 0, null), at["account_external_id"]));
    }

    /// <summary>Reads one Segment message; false when its type carries no usage.</summary>
    private static bool Segment(SegmentMessage m, Where at, string? batchSentAt, TimeZoneInfo zone, TimeProvider clock,
        List<(UsageSample, Where)> samples, Errors errors)
    {
        var type = m.Type?.Trim().ToLowerInvariant();
        if (type is "identify" or "group" or "alias") return false;
        var before = errors.Count;
        if (type is not ("track" or "page" or "screen"))
        {
            errors.Add(at["type"].ToString(), $"'{m.Type}' is not a Segment message type (track, page, screen, identify, group, alias)");
            return true;
        }
        var (account, accountField) = m.Context?.GroupId is { Length: > 0 } g ? (g, "context.groupId")
            : m.Properties?.AccountExternalId is { Length: > 0 } p ? (p, "properties.account_external_id")
            : m.Properties?.GroupId is { Length: > 0 } pg ? (pg, "properties.groupId")
            : (null, "context.groupId");
        if (account is null) errors.Add(at["context.groupId"].ToString(), "the account is not named: set context.groupId (or properties.account_external_id)");
        var user = m.UserId is { Length: > 0 } u ? u : m.AnonymousId is { Length: > 0 } a ? a : null;
        if (user is null) errors.Add(at["userId"].ToString(), "a userId or an anonymousId is required");
        else if (user.Length > UsageDayUser.MaxUserKeyLength)
            errors.Add(at[m.UserId is { Length: > 0 } ? "userId" : "anonymousId"].ToString(), $"is {user.Length} characters long; at most {UsageDayUser.MaxUserKeyLength} are kept");
        var (time, timeField) = m.Timestamp is not null ? (m.Timestamp, "timestamp")
            : m.OriginalTimestamp is not null ? (m.OriginalTimestamp, "originalTimestamp")
            : (m.SentAt ?? batchSentAt, "sentAt");
        DateOnly date = default;
        if (time is null) date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
        else if (Day(time, zone) is { } day) date = day;
        else errors.Add(at[timeField].ToString(), $"'{time}' is not an ISO 8601 time (such as 2026-03-01T14:05:00Z)");
        if (errors.Count == before) samples.Add((new UsageSample(account!.Trim(), date, 0, 1, user), at[accountField]));
        return true;
    }

    private static DateOnly? Day(string timestamp, TimeZoneInfo zone) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, zone).DateTime)
            : null;

    /// <summary>Bad fields, every one counted, the first thousand listed.</summary>
    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _listed = new(StringComparer.Ordinal);

        public int Count { get; private set; }

        public void Add(string field, string reason)
        {
            Count++;
            if (_listed.Count >= ListedErrors && !_listed.ContainsKey(field)) return;
            (_listed.TryGetValue(field, out var list) ? list : _listed[field] = []).Add(reason);
        }

        public ValidationProblem Problem() => TypedResults.ValidationProblem(_listed.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            title: "The usage batch has invalid events; nothing was stored",
            detail: Count > _listed.Count ? $"{Count:N0} problems; the first {_listed.Count:N0} fields are listed" : $"{Count:N0} problem(s)");
    }
}

/// <summary>A usage batch in any of the shapes <see cref="UsageApi"/> accepts; a single Segment message's fields sit at the top.</summary>
public sealed class UsageBody : SegmentMessage
{
    [JsonPropertyName("events")] public List<UsageEvent>? Events { get; set; }
    [JsonPropertyName("batch")] public List<SegmentMessage>? Batch { get; set; }
}

/// <summary>One reported figure: an account's active users and events on a day (or at a time, counted on its day).</summary>
public sealed class UsageEvent
{
    [JsonPropertyName("account_external_id")] public string? AccountExternalId { get; set; }
    [JsonPropertyName("date")] public string? Date { get; set; }
    [JsonPropertyName("timestamp")] public string? Timestamp { get; set; }
    [JsonPropertyName("active_users")] public long? ActiveUsers { get; set; }
    [JsonPropertyName("events")] public long? Events { get; set; }
}

/// <summary>The fields of a Segment message (Segment's HTTP tracking API spec) that usage needs.</summary>
public class SegmentMessage
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("event")] public string? Event { get; set; }
    [JsonPropertyName("userId"), JsonConverter(typeof(TextOrNumber))] public string? UserId { get; set; }
    [JsonPropertyName("anonymousId"), JsonConverter(typeof(TextOrNumber))] public string? AnonymousId { get; set; }
    [JsonPropertyName("timestamp")] public string? Timestamp { get; set; }
    [JsonPropertyName("originalTimestamp")] public string? OriginalTimestamp { get; set; }
    [JsonPropertyName("sentAt")] public string? SentAt { get; set; }
    [JsonPropertyName("context")] public SegmentContext? Context { get; set; }
    [JsonPropertyName("properties")] public SegmentProperties? Properties { get; set; }
}

public sealed class SegmentContext
{
    [JsonPropertyName("groupId"), JsonConverter(typeof(TextOrNumber))] public string? GroupId { get; set; }
}

public sealed class SegmentProperties
{
    [JsonPropertyName("account_external_id"), JsonConverter(typeof(TextOrNumber))] public string? AccountExternalId { get; set; }
    [JsonPropertyName("groupId"), JsonConverter(typeof(TextOrNumber))] public string? GroupId { get; set; }
}

/// <summary>Ids that some libraries send as numbers: read either way as text.</summary>
public sealed class TextOrNumber : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException("expected a text or a number"),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

[JsonSerializable(typeof(UsageBody))]
internal sealed partial class UsageJson : JsonSerializerContext;
