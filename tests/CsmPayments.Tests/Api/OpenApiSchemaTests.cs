using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Storage;

namespace CsmPayments.Tests.Api;

public sealed class OpenApiSchemaTests
{
    private static async Task<JsonElement> DocumentAsync()
    {
        await using var server = await ApiServer.StartAsync(StorageProvider.Sqlite);
        return (await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).Clone();
    }

    /// <summary>The schema a reference points to, or the schema itself.</summary>
    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference)) return schema;
        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }

    private static JsonElement Operation(JsonElement document, string path, string method) => document.GetProperty("paths").GetProperty(path).GetProperty(method);

    /// <summary>The record a request body takes; for a body of one record or a list of them, the record.</summary>
    private static JsonElement RequestSchema(JsonElement document, string path) =>
        Record(document, Operation(document, path, "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));

    private static JsonElement Record(JsonElement document, JsonElement schema) =>
        Resolve(document, schema.TryGetProperty("oneOf", out var choices) ? choices[0] : schema);

    private static JsonElement ResponseSchema(JsonElement document, string path, string method, string status, string mediaType = "application/json") =>
        Resolve(document, Operation(document, path, method).GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty(mediaType).GetProperty("schema"));

    private static string[] Properties(JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray();

    private static HashSet<string> Set(params string[] names) => [.. names];

    [Fact]
    public async Task Request_and_response_bodies_are_typed_and_problems_are_problem_details()
    {
        var document = await DocumentAsync();

        Assert.Superset(Set("external_id", "name", "industry", "employees", "country", "plan", "csm_email", "currency", "timezone", "tier"),
            Properties(RequestSchema(document, "/api/accounts")).ToHashSet());
        Assert.Superset(Set("number", "account_external_id", "issue_date", "due_date", "amount", "currency"), Properties(RequestSchema(document, "/api/invoices")).ToHashSet());
        Assert.Superset(Set("user", "amount", "promised_for"), Properties(RequestSchema(document, "/api/accounts/{externalId}/promises")).ToHashSet());
        Assert.Superset(Set("events", "batch", "type", "userId", "context"), Properties(RequestSchema(document, "/api/usage")).ToHashSet());
        Assert.Superset(Set("id", "type", "created", "data"), Properties(RequestSchema(document, "/api/integrations/stripe/webhook")).ToHashSet());

        var invoice = ResponseSchema(document, "/api/invoices/{number}", "get", "200");
        Assert.Superset(Set("number", "balance", "days_past_due", "status"), Properties(invoice).ToHashSet());
        Assert.Superset(Set("amount", "currency"), Properties(Resolve(document, invoice.GetProperty("properties").GetProperty("balance"))).ToHashSet());
        Assert.Superset(Set("events", "skipped", "days", "accounts"), Properties(ResponseSchema(document, "/api/usage", "post", "200")).ToHashSet());

        Assert.Contains("errors", Properties(ResponseSchema(document, "/api/usage", "post", "400", "application/problem+json")));
        Assert.Superset(Set("title", "status", "detail"), Properties(ResponseSchema(document, "/api/invoices/{number}", "get", "404", "application/problem+json")).ToHashSet());
    }

    [Fact]
    public async Task A_create_or_update_body_is_documented_as_one_record_or_a_list_of_them_and_a_patch_as_one()
    {
        var document = await DocumentAsync();
        foreach (var path in new[] { "/api/accounts", "/api/invoices", "/api/payments", "/api/tickets", "/api/nps", "/api/touchpoints" })
        {
            var schema = Operation(document, path, "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            var choices = schema.GetProperty("oneOf");
            Assert.Equal(2, choices.GetArrayLength());
            Assert.Equal("array", choices[1].GetProperty("type").GetString());
            Assert.Equal(1, choices[1].GetProperty("minItems").GetInt32());
            // The list is of the same record as the single choice.
            Assert.Equal(choices[0].GetProperty("$ref").GetString(), choices[1].GetProperty("items").GetProperty("$ref").GetString());
        }
        var patch = Operation(document, "/api/accounts/{externalId}", "patch").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.False(patch.TryGetProperty("oneOf", out _));
        Assert.Contains("name", Properties(Resolve(document, patch)));
    }

    [Fact]
    public async Task Every_operation_has_a_typed_body_and_answers_4xx_with_problem_details()
    {
        var document = await DocumentAsync();
        var untyped = new List<string>();
        var notProblems = new List<string>();
        var (operations, problems) = (0, 0);
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
            foreach (var operation in path.Value.EnumerateObject())
            {
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                operations++;
                if (operation.Value.TryGetProperty("requestBody", out var body))
                {
                    var schema = Record(document, body.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
                    if (!schema.TryGetProperty("properties", out _)) untyped.Add(where + " request");
                }
                var responses = operation.Value.GetProperty("responses");
                if (responses.TryGetProperty("204", out _) || responses.TryGetProperty("405", out _) && !responses.TryGetProperty("200", out _))
                {
                    // A DELETE answers 204 without a body; a refused one only problems.
                }
                else if (!responses.GetProperty("200").TryGetProperty("content", out var content)
                    || Resolve(document, content.GetProperty("application/json").GetProperty("schema")) is var okSchema
                    && !okSchema.TryGetProperty("properties", out _) && !okSchema.TryGetProperty("items", out _))
                    untyped.Add(where + " 200");
                foreach (var response in responses.EnumerateObject().Where(r => r.Name.StartsWith('4')))
                {
                    problems++;
                    if (!response.Value.TryGetProperty("content", out var problem) || !problem.TryGetProperty("application/problem+json", out _))
                        notProblems.Add($"{where} {response.Name}");
                }
                Assert.True(responses.TryGetProperty("401", out _) || path.Name == "/api/integrations/stripe/webhook", where + " documents no 401");
            }

        Assert.Empty(untyped);
        Assert.Empty(notProblems);
        // Every endpoint of the API was looked at, each with its 401 and 403 at least.
        Assert.True(operations >= 40, $"{operations} operations");
        Assert.True(problems >= 2 * operations, $"{problems} problem responses for {operations} operations");
    }
}
