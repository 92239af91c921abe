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
    public async Task A_subscription_change_whose_audit_entry_cannot_be_written_is_not_stored(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);
        await JsonAsync(await client.PostAsJsonAsync("/api/subscriptions", new
        {
            external_id = "S-1",
            account_external_id = "A-1",
            plan = "Growth",
            mrr = "500.00",
            currency = "USD",
            start_date = "2026-01-01",
        }), HttpStatusCode.OK);
        // From now on the database refuses every audit entry: the change and its entry are one transaction, so neither stays.
        await using (var db = server.Database.Open())
        {
            if (provider == StorageProvider.Postgres)
            {
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$
                    """);
                await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION refuse_audit()");
            }
            else
                await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit refused'); END");
        }

        var response = await client.PatchAsJsonAsync("/api/subscriptions/S-1", new { mrr = "650.50" });

        Assert.False(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await using var check = server.Database.Open();
        Assert.Equal(new Money(500m, "USD"), (await check.Subscriptions.SingleAsync()).Mrr);
        Assert.Equal(0, await check.AuditEntries.CountAsync());
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
    public async Task A_patch_that_changes_nothing_writes_no_audit_entry_and_a_refused_one_neither(StorageProvider provider)
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
        }), HttpStatusCode.OK);

        var same = await JsonAsync(await client.PatchAsJsonAsync("/api/subscriptions/S-1", new { mrr = "500.00", plan = "Growth" }), HttpStatusCode.OK);
        await JsonAsync(await client.PatchAsJsonAsync("/api/subscriptions/S-1", new { mrr = "700", currency = "EUR" }), HttpStatusCode.BadRequest);
        var changed = await JsonAsync(await client.PatchAsJsonAsync("/api/subscriptions/S-1", new { renewal_date = "2027-01-01" }), HttpStatusCode.OK);

        Assert.Equal(0, same.GetProperty("changed").GetInt64());
        Assert.Equal(1, changed.GetProperty("changed").GetInt64());
        await using var db = server.Database.Open();
        var audit = await db.AuditEntries.Where(e => e.AccountId == a1).ToListAsync();
        var entry = Assert.Single(audit);
        Assert.Contains("renewal_date: — → 2027-01-01", entry.Detail);
        Assert.Equal(new Money(500m, "USD"), (await db.Subscriptions.SingleAsync()).Mrr);
    }

    [Theory, Providers]
    public async Task NPS_answers_and_touchpoints_are_patched_by_their_key_and_tickets_and_NPS_answers_deleted(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);
        await JsonAsync(await client.PostAsJsonAsync("/api/nps", new[]
        {
            new { account_external_id = "A-1", contact_email = "pat@acme.example", responded_on = "2026-03-01", score = 6, comment = "Slow support" },
            new { account_external_id = "A-1", contact_email = "sam@acme.example", responded_on = "2026-03-02", score = 9, comment = "" },
        }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/touchpoints",
            new { account_external_id = "A-1", user_email = "csm@example.com", occurred_on = "2026-03-05", kind = "call", summary = "QBR" }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/tickets", new[]
        {
            new { external_id = "T-1", account_external_id = "A-1", opened_on = "2026-03-03", priority = "urgent", status = "open", solved_on = "", subject = "Spam" },
            new { external_id = "T-2", account_external_id = "A-1", opened_on = "2026-03-04", priority = "low", status = "open", solved_on = "", subject = "Export" },
        }), HttpStatusCode.OK);

        await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1/nps?contact_email=PAT@acme.example&responded_on=2026-03-01",
            new { score = 8, comment = "Better since the fix" }), HttpStatusCode.OK);
        var badScore = await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1/nps?contact_email=pat@acme.example&responded_on=2026-03-01",
            new { score = 11 }), HttpStatusCode.BadRequest);
        var rekey = await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1/nps?contact_email=pat@acme.example&responded_on=2026-03-01",
            new { responded_on = "2026-03-09" }), HttpStatusCode.BadRequest);
        await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1/nps?contact_email=nobody@acme.example&responded_on=2026-03-01",
            new { score = 1 }), HttpStatusCode.NotFound);
        var badKey = await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1/nps?responded_on=March", new { score = 1 }), HttpStatusCode.BadRequest);
        await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1/touchpoints?user_email=csm@example.com&occurred_on=2026-03-05&kind=call",
            new { summary = "QBR: renewal at risk over price" }), HttpStatusCode.OK);
        var touchRekey = await JsonAsync(await client.PatchAsJsonAsync("/api/accounts/A-1/touchpoints?user_email=csm@example.com&occurred_on=2026-03-05&kind=call",
            new { kind = "meeting" }), HttpStatusCode.BadRequest);

        while (server.Changed.Reader.TryRead(out _)) { }
        await JsonAsync(await client.DeleteAsync("/api/tickets/T-1"), HttpStatusCode.NoContent);
        Assert.Contains(a1, await server.NextChangeAsync());
        await JsonAsync(await client.DeleteAsync("/api/tickets/T-1"), HttpStatusCode.NotFound);
        await JsonAsync(await client.DeleteAsync("/api/accounts/A-1/nps?contact_email=sam@acme.example&responded_on=2026-03-02"), HttpStatusCode.NoContent);
        var badDelete = await JsonAsync(await client.DeleteAsync("/api/accounts/A-1/nps?contact_email=sam@acme.example"), HttpStatusCode.BadRequest);

        Assert.Contains("score", badScore.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Contains("cannot be changed", rekey.GetProperty("errors").GetProperty("responded_on")[0].GetString());
        Assert.Equal(["contact_email", "responded_on"], badKey.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("cannot be changed", touchRekey.GetProperty("errors").GetProperty("kind")[0].GetString());
        Assert.Equal(["responded_on"], badDelete.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        await using var db = server.Database.Open();
        var nps = await db.NpsResponses.SingleAsync();
        Assert.Equal(("pat@acme.example", 8, "Better since the fix"), (nps.ContactEmail, nps.Score, nps.Comment));
        Assert.Equal("QBR: renewal at risk over price", (await db.Touchpoints.SingleAsync()).Summary);
        Assert.Equal(["T-2"], await db.Tickets.Select(t => t.ExternalId).ToListAsync());
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
        await JsonAsync(await reader.DeleteAsync("/api/tickets/T-1"), HttpStatusCode.Forbidden);
        await JsonAsync(await reader.PatchAsJsonAsync("/api/accounts/A-1/nps?contact_email=pat@acme.example&responded_on=2026-03-01", new { score = 1 }),
            HttpStatusCode.Forbidden);
        await JsonAsync(await server.Client.DeleteAsync("/api/accounts/A-1/nps?contact_email=pat@acme.example&responded_on=2026-03-01"), HttpStatusCode.Unauthorized);
        await JsonAsync(await server.Client.PatchAsJsonAsync("/api/accounts/A-1", new { name = "X" }), HttpStatusCode.Unauthorized);
        await JsonAsync(await writer.PatchAsJsonAsync("/api/users/csm@example.com", new { capacity = 80 }), HttpStatusCode.Forbidden);
        await JsonAsync(await admin.PatchAsJsonAsync("/api/users/csm@example.com", new { capacity = 80 }), HttpStatusCode.OK);

        await using var db = server.Database.Open();
        Assert.Equal(("Acme", 80), (await db.Accounts.Where(a => a.ExternalId == "A-1").Select(a => a.Name).SingleAsync(),
            (await db.Users.SingleAsync(u => u.Email == "csm@example.com")).Capacity!.Value));
    }
}
