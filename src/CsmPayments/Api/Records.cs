using System.Text.Json;
using CsmPayments.Hosting;
using CsmPayments.Import;
using CsmPayments.Storage;
using CsmPayments.Usage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CsmPayments.Api;

/// <summary>What a create-or-update request stored.</summary>
public sealed record RecordsWritten(string Kind, long Received, long Changed);

/// <summary>An amount and its currency.</summary>
public sealed record MoneyView(decimal Amount, string Currency)
{
    public static MoneyView Of(Money money) => new(money.Amount, money.Currency);
}

/// <summary>
/// Creates and updates records through the CSV import's rules (DESIGN §4): the body is one record or a list of them,
/// each a JSON object whose fields are the file's columns. Records are matched on their key, so sending a record again
/// updates it; a body with any bad record is rejected whole, every bad field listed, and nothing is stored.
/// </summary>
internal static class Records
{
    public static async Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> WriteAsync(ImportKind kind, HttpRequest request,
        Database database, ApiOptions api, AccountChanges changes, CancellationToken ct)
    {
        var (json, problem) = await ApiBody.ReadJsonAsync(request, api.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        using var document = json!;
        return await WriteAsync(kind, document.RootElement, database, changes, ct);
    }

    /// <summary>Writes records given as JSON (one object or a list) with the import's rules.</summary>
    public static async Task<Results<Ok<RecordsWritten>, ValidationProblem, ProblemHttpResult>> WriteAsync(ImportKind kind, JsonElement body,
        Database database, AccountChanges changes, CancellationToken ct, Func<CsmDbContext, long, CancellationToken, Task>? alsoInTransaction = null)
    {
        if (body.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) || body.ValueKind == JsonValueKind.Array && body.GetArrayLength() == 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["expected a JSON object, or a list of at least one"] });
        var result = await new Importer(database).ImportRecordsAsync(kind, body, ct, alsoInTransaction);
        if (!result.Succeeded) return ApiBody.Invalid(result, body.ValueKind == JsonValueKind.Array);

        var keyField = kind == ImportKind.Accounts ? "external_id" : "account_external_id";
        var externalIds = (body.ValueKind == JsonValueKind.Array ? body.EnumerateArray() : Enumerable.Repeat(body, 1))
            .Select(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty(keyField, out var v) ? v.ToString().Trim() : null)
            .OfType<string>().ToList();
        if (externalIds.Count > 0 && result.RowsChanged > 0)
        {
            await using var db = database.Open();
            changes.Report((await UsageIngest.AccountIdsAsync(db, externalIds, ct)).Values.ToHashSet());
        }
        return TypedResults.Ok(new RecordsWritten(ImportKinds.Name(kind), result.RowsRead, result.RowsChanged));
    }
}
