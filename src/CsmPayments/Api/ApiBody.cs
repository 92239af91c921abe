using System.Text.Json;
using CsmPayments.Import;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CsmPayments.Api;

/// <summary>Reads request bodies within their size limit, and turns rejected records into problem details.</summary>
public static class ApiBody
{
    /// <summary>The body's bytes; a problem (413) when it is larger than <paramref name="limit"/>.</summary>
    public static async Task<(byte[]? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return (null, TooLarge(limit));
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 16 * 1024);
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit) return (null, TooLarge(limit));
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit));
        }
        return (buffer.ToArray(), null);
    }

    /// <summary>The body parsed as JSON; a problem (400) saying where it stops being JSON.</summary>
    public static async Task<(JsonDocument? Json, ProblemHttpResult? Problem)> ReadJsonAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync(request, limit, ct);
        if (problem is not null) return (null, problem);
        try
        {
            return (JsonDocument.Parse(body), null);
        }
        catch (JsonException e)
        {
            return (null, NotJson(e));
        }
    }

    public static ProblemHttpResult NotJson(JsonException e) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON",
            detail: $"{e.Message.Split(" Path:")[0]} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The body is too large",
            detail: $"a request body may hold at most {limit:N0} bytes; send the records in smaller batches");

    /// <summary>
    /// Every bad field of rejected records, keyed by field (<c>amount</c>) for a body of one record, or by position and
    /// field (<c>[3].amount</c>) for a list.
    /// </summary>
    public static ValidationProblem Invalid(ImportResult result, bool list)
    {
        var errors = result.Errors
            .GroupBy(e => list ? $"[{e.Line}].{e.Column}" : e.Column)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Reason).ToArray());
        return TypedResults.ValidationProblem(errors, title: "The request has invalid fields; nothing was stored",
            detail: result.ErrorCount > result.Errors.Count
                ? $"{result.ErrorCount:N0} problems in {result.BadRows:N0} record(s); the first {result.Errors.Count:N0} are listed"
                : $"{result.ErrorCount:N0} problem(s) in {result.BadRows:N0} record(s)");
    }
}
