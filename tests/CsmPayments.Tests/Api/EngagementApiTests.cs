using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Api;

public sealed class EngagementApiTests
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        return body;
    }

    [Theory, Providers]
    public async Task Tickets_NPS_and_touchpoints_are_created_updated_and_read_back(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerRead, ApiScopes.LedgerWrite);

        await JsonAsync(await client.PostAsJsonAsync("/api/tickets", new object[]
        {
            new { external_id = "T-1", account_external_id = "A-1", opened_on = "2026-02-20", priority = "urgent", status = "open", subject = "Invoices page fails" },
            new { external_id = "T-2", account_external_id = "A-1", opened_on = "2026-02-01", priority = "low", status = "solved", solved_on = "2026-02-03", subject = "Logo" },
        }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/tickets",
            new { external_id = "T-1", account_external_id = "A-1", opened_on = "2026-02-20", priority = "urgent", status = "pending", subject = "Invoices page fails" }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/nps", new object[]
        {
            new { account_external_id = "A-1", contact_email = "pat@acme.example", responded_on = "2026-01-15", score = 9 },
            new { account_external_id = "A-1", contact_email = "sam@acme.example", responded_on = "2026-02-25", score = 4, comment = "Billing is confusing" },
        }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/touchpoints",
            new { account_external_id = "A-1", user_email = "csm@example.com", occurred_on = "2026-02-26", kind = "qbr", summary = "Reviewed adoption" }), HttpStatusCode.OK);

        var ticket = await JsonAsync(await client.GetAsync("/api/tickets/T-1"), HttpStatusCode.OK);
        Assert.Equal(("pending", "urgent"), (ticket.GetProperty("status").GetString(), ticket.GetProperty("priority").GetString()));
        var nps = await JsonAsync(await client.GetAsync("/api/accounts/A-1/nps"), HttpStatusCode.OK);
        Assert.Equal([4, 9], nps.EnumerateArray().Select(n => n.GetProperty("score").GetInt32()));
        var touchpoints = await JsonAsync(await client.GetAsync("/api/accounts/A-1/touchpoints"), HttpStatusCode.OK);
        Assert.Equal("qbr", touchpoints[0].GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/accounts/NOPE/nps")).StatusCode);

        var state = await JsonAsync(await client.GetAsync("/api/accounts/A-1"), HttpStatusCode.OK);
        Assert.Equal(["T-1"], state.GetProperty("open_tickets").EnumerateArray().Select(t => t.GetProperty("external_id").GetString()));
        Assert.Equal((4, "Billing is confusing"), (state.GetProperty("latest_nps").GetProperty("score").GetInt32(), state.GetProperty("latest_nps").GetProperty("comment").GetString()));
        Assert.Equal("2026-02-26", state.GetProperty("last_touchpoint").GetProperty("occurred_on").GetString());
    }

    [Theory, Providers]
    public async Task Engagement_records_are_checked_by_the_import_rules(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);

        var ticket = await JsonAsync(await client.PostAsJsonAsync("/api/tickets",
            new { external_id = "T-1", account_external_id = "A-1", opened_on = "2026-02-20", priority = "blocker", status = "open", solved_on = "2026-02-10", subject = "x" }),
            HttpStatusCode.BadRequest);
        var nps = await JsonAsync(await client.PostAsJsonAsync("/api/nps",
            new { account_external_id = "Z-9", contact_email = "not-an-email", responded_on = "2026-02-30", score = 11 }), HttpStatusCode.BadRequest);
        var touchpoint = await JsonAsync(await client.PostAsJsonAsync("/api/touchpoints", new object[]
        {
            new { account_external_id = "A-1", user_email = "csm@example.com", occurred_on = "2026-02-26", kind = "call", summary = "" },
            new { account_external_id = "A-1", user_email = "csm@example.com", occurred_on = "2026-02-26", kind = "call", summary = "twice" },
        }), HttpStatusCode.BadRequest);

        Assert.Equal(["priority", "solved_on"], ticket.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["account_external_id", "contact_email", "responded_on", "score"], nps.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("already appears in record [0]", touchpoint.GetProperty("errors").GetProperty("[1].kind")[0].GetString());
        await using var db = server.Database.Open();
        Assert.Equal((0, 0, 0), (await db.Tickets.CountAsync(), await db.NpsResponses.CountAsync(), await db.Touchpoints.CountAsync()));
    }
}
