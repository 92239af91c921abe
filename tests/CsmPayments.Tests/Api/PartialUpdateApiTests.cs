using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Api;

public sealed class PartialUpdateApiTests
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    [Theory, Providers]
    public async Task A_patch_changes_only_the_fields_sent_with_the_same_validation_as_a_full_update(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);

        await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1", new { name = "Acme Holdings", tier = "high" }), HttpStatusCode.OK);
        var invalid = await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1", new { employees = -3, tier = "platinum", plan = "Scale" }), HttpStatusCode.BadRequest);
        var rekey = await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1", new { external_id = "A-2" }), HttpStatusCode.BadRequest);
        await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/Z-9", new { name = "Nobody" }), HttpStatusCode.NotFound);

        Assert.Equal(["employees", "tier"], invalid.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("cannot be changed", rekey.GetProperty("errors").GetProperty("external_id")[0].GetString());
        await using var db = server.Database.Open();
        var account = await db.Accounts.SingleAsync(a => a.ExternalId == "A-1");
        // Name and tier changed; the rest, and the rejected plan, as they were.
        Assert.Equal(("Acme Holdings", (ServiceTier?)ServiceTier.High, "Growth", 40, "Retail", "USD"),
            (account.Name, account.Tier, account.Plan, account.Employees, account.Industry, account.Currency));
    }

    [Theory, Providers]
    public async Task A_patched_subscription_keeps_its_other_fields_and_the_change_of_MRR_is_audited(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);
        await JsonAsync(await client.PostAsJsonAsync("/api/subscriptions", new
        {
            external_id = "S-1",
            account_external_id = "A-1",
            plan = "Growth",
            mrr = "500.00",
            currency = "USD",
            start_date = "2026-01-01",
            renewal_date = "2027-01-01",
        }), HttpStatusCode.OK);

        await JsonAsync(await client.PatchAsJsonAsync("/api/subscriptions/S-1", new { mrr = 650.50m }), HttpStatusCode.OK);
        await JsonAsync(await client.PatchAsJsonAsync("/api/subscriptions/S-1", new { mrr = "-1" }), HttpStatusCode.BadRequest);

        await using var db = server.Database.Open();
        var subscription = await db.Subscriptions.SingleAsync();
        Assert.Equal((new Money(650.50m, "USD"), "Growth", new DateOnly(2026, 1, 1), (DateOnly?)new DateOnly(2027, 1, 1)),
            (subscription.Mrr, subscription.Plan, subscription.StartDate, subscription.RenewalDate));
        var audit = await db.AuditEntries.SingleAsync(e => e.AccountId == a1);
        Assert.Equal("subscription.updated", audit.Action);
        Assert.StartsWith("api-key:key-", audit.Actor);
        Assert.Contains("mrr: 500", audit.Detail);
        Assert.Contains("650.5", audit.Detail);
    }

    [Theory, Providers]
    public async Task Contacts_and_touchpoints_can_be_deleted_and_ledger_records_cannot(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);
        await JsonAsync(await client.PostAsJsonAsync("/api/contacts", new { email = "ap@acme.example", account_external_id = "A-1", name = "Avery", role = "billing" }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/touchpoints", new[]
        {
            new { account_external_id = "A-1", user_email = "csm@example.com", occurred_on = "2026-02-20", kind = "call", summary = "QBR prep" },
            new { account_external_id = "A-1", user_email = "csm@example.com", occurred_on = "2026-02-21", kind = "email", summary = "Follow-up" },
        }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/invoices", new { number = "INV-1", account_external_id = "A-1", issue_date = "2026-02-01", due_date = "2026-03-01", amount = 100, currency = "USD" }), HttpStatusCode.OK);

        await JsonAsync(await client.DeleteAsync("/api/contacts/AP@acme.example"), HttpStatusCode.NoContent);
        await JsonAsync(await client.DeleteAsync("/api/contacts/ap@acme.example"), HttpStatusCode.NotFound);
        await JsonAsync(await client.DeleteAsync("/api/accounts/A-1/touchpoints?user_email=csm@example.com&occurred_on=2026-02-20&kind=call"), HttpStatusCode.NoContent);
        var badQuery = await JsonAsync(await client.DeleteAsync("/api/accounts/A-1/touchpoints?occurred_on=20.02.2026&kind=visit"), HttpStatusCode.BadRequest);
        var refused = await JsonAsync(await client.DeleteAsync("/api/invoices/INV-1"), HttpStatusCode.MethodNotAllowed);

        Assert.Equal(["kind", "occurred_on", "user_email"], badQuery.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("void", refused.GetProperty("detail").GetString());
        Assert.Contains("credit note", refused.GetProperty("detail").GetString());
        await using var db = server.Database.Open();
        Assert.Equal(0, await db.Contacts.CountAsync());
        Assert.Equal([TouchpointKind.Email], await db.Touchpoints.Select(t => t.Kind).ToListAsync());
        Assert.Equal(1, await db.Invoices.CountAsync());
    }

    [Theory, Providers]
    public async Task Patch_and_delete_need_the_write_scope_and_users_the_admin_scope(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var reader = await server.ClientWithAsync(ApiScopes.LedgerRead);
        var writer = await server.ClientWithAsync(ApiScopes.LedgerWrite);
        var admin = await server.ClientWithAsync(ApiScopes.Admin);

        await JsonAsync(await reader.PatchAsJsonAsync("/api/accounts/A-1", new { name = "X" }), HttpStatusCode.Forbidden);
        await JsonAsync(await reader.DeleteAsync("/api/contacts/ap@acme.example"), HttpStatusCode.Forbidden);
        await JsonAsync(await server.Client.PatchAsJsonAsync("/api/accounts/A-1", new { name = "X" }), HttpStatusCode.Unauthorized);
        await JsonAsync(await writer.PatchAsJsonAsync("/api/users/csm@example.com", new { capacity = 80 }), HttpStatusCode.Forbidden);
        await JsonAsync(await admin.PatchAsJsonAsync("/api/users/csm@example.com", new { capacity = 80 }), HttpStatusCode.OK);

        await using var db = server.Database.Open();
        Assert.Equal(("Acme", 80), (await db.Accounts.Where(a => a.ExternalId == "A-1").Select(a => a.Name).SingleAsync(),
            (await db.Users.SingleAsync(u => u.Email == "csm@example.com")).Capacity!.Value));
    }
}
