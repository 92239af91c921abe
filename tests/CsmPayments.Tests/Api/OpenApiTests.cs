using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Storage;

namespace CsmPayments.Tests.Api;

public sealed class OpenApiTests
{
    [Fact]
    public async Task The_OpenAPI_document_and_reference_page_are_public_and_describe_every_endpoint()
    {
        await using var server = await ApiServer.StartAsync(StorageProvider.Sqlite);

        var response = await server.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        string[] expected =
        [
            "/api/integrations/stripe/webhook", "/api/usage", "/api/accounts", "/api/accounts/{externalId}", "/api/contacts", "/api/subscriptions",
            "/api/invoices", "/api/invoices/{number}", "/api/payments", "/api/credit-notes", "/api/tickets", "/api/nps", "/api/touchpoints",
            "/api/accounts/{externalId}/nps", "/api/accounts/{externalId}/touchpoints", "/api/users",
        ];
        Assert.All(expected, p => Assert.Contains(p, paths));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("scheme").GetString());
        var state = document.GetProperty("paths").GetProperty("/api/accounts/{externalId}").GetProperty("get").GetProperty("responses");
        Assert.True(state.TryGetProperty("200", out _) && state.TryGetProperty("404", out _));

        var page = await server.Client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}
