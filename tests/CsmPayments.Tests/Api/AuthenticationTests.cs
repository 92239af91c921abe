using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;

namespace CsmPayments.Tests.Api;

public sealed class AuthenticationTests
{
    private static readonly object Usage = new { events = new[] { new { account_external_id = "A-1", date = "2026-03-01", events = 5 } } };

    [Theory, Providers]
    public async Task A_request_without_a_key_is_refused_with_401_problem_details(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();

        var response = await server.Client.PostAsJsonAsync("/api/usage", Usage);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("apikey create", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await UsageDaysAsync(server));
    }

    [Theory, Providers]
    public async Task An_unknown_or_made_up_key_is_refused_with_401(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var (_, unknown) = ApiKey.Issue("never stored", [ApiScopes.Admin], ApiServer.Now);

        foreach (var key in new[] { unknown, "not-a-key", unknown[..^2] + "xx" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/usage") { Content = JsonContent.Create(Usage) };
            request.Headers.Add("X-Api-Key", key);
            var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.Equal(0, await UsageDaysAsync(server));
    }

    [Theory, Providers]
    public async Task A_revoked_key_is_refused_and_says_so(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", Usage)).StatusCode);

        await using (var db = server.Database.Open())
        {
            var key = db.ApiKeys.Single();
            key.Revoke(ApiServer.Now);
            await db.SaveChangesAsync();
        }
        var response = await client.PostAsJsonAsync("/api/usage", Usage);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("revoked", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory, Providers]
    public async Task A_key_without_the_scope_is_refused_with_403_naming_the_scope(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var reader = await server.ClientWithAsync(ApiScopes.LedgerRead, ApiScopes.LedgerWrite);

        var response = await reader.PostAsJsonAsync("/api/usage", Usage);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(ApiScopes.UsageWrite, problem.GetProperty("detail").GetString());
        Assert.Equal(0, await UsageDaysAsync(server));
    }

    [Theory, Providers]
    public async Task An_admin_key_holds_every_scope(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var admin = await server.ClientWithAsync(ApiScopes.Admin);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/usage", Usage)).StatusCode);
        Assert.Equal(1, await UsageDaysAsync(server));
    }

    [Theory, Providers]
    public async Task A_body_over_the_limit_is_refused_with_413_and_nothing_stored(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider, new Dictionary<string, string?> { ["Api:MaxUsageBodyBytes"] = "2048" });
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        var big = new { events = Enumerable.Range(0, 100).Select(_ => new { account_external_id = "A-1", date = "2026-03-01", events = 1 }).ToArray() };

        var response = await client.PostAsJsonAsync("/api/usage", big);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("2,048 bytes", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(0, await UsageDaysAsync(server));
    }

    [Fact]
    public void A_key_is_stored_only_as_a_hash_and_accepts_only_itself()
    {
        var (key, text) = ApiKey.Issue("billing sync", ["ledger:read", "LEDGER:WRITE"], ApiServer.Now);

        Assert.StartsWith("csm_" + key.Prefix + "_", text);
        Assert.DoesNotContain(text[(5 + key.Prefix.Length)..], key.SecretHash);
        Assert.Equal(64, key.SecretHash.Length);
        Assert.True(key.Accepts(text));
        Assert.False(key.Accepts(text + "x"));
        Assert.Equal(["ledger:read", "ledger:write"], key.ScopeList);
        Assert.True(key.Allows(ApiScopes.LedgerWrite));
        Assert.False(key.Allows(ApiScopes.UsageWrite));
        key.Revoke(ApiServer.Now);
        Assert.False(key.Accepts(text));
        Assert.Throws<InvalidOperationException>(() => key.Revoke(ApiServer.Now));
        Assert.Throws<ArgumentException>(() => ApiKey.Issue("x", ["ledger:delete"], ApiServer.Now));
        Assert.Throws<ArgumentException>(() => ApiKey.Issue("x", [], ApiServer.Now));
    }

    private static async Task<int> UsageDaysAsync(ApiServer server)
    {
        await using var db = server.Database.Open();
        return db.UsageDays.Count();
    }
}
