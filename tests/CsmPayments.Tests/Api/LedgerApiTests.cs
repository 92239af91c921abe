using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Import;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Api;

public sealed class LedgerApiTests
{
    private static readonly object NewAccount = new
    {
        external_id = "C-3",
        name = "Gamma Ltd",
        industry = "Logistics",
        employees = 220,
        country = "GB",
        plan = "Scale",
        csm_email = "csm@example.com",
        currency = "GBP",
        timezone = "Europe/London",
        tier = "high",
    };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        return body;
    }

    [Theory, Providers]
    public async Task An_account_is_created_updated_and_read_back_and_an_unchanged_record_changes_nothing(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerRead, ApiScopes.LedgerWrite);

        var created = await JsonAsync(await client.PostAsJsonAsync("/api/accounts", NewAccount), HttpStatusCode.OK);
        var again = await JsonAsync(await client.PostAsJsonAsync("/api/accounts", NewAccount), HttpStatusCode.OK);
        var renamed = await JsonAsync(await client.PostAsJsonAsync("/api/accounts", new[] { NewAccount }.Select(_ => new
        {
            external_id = "C-3",
            name = "Gamma Group",
            industry = "Logistics",
            employees = 240,
            country = "gb",
            plan = "Scale",
            csm_email = "CSM@example.com",
            currency = "gbp",
        })), HttpStatusCode.OK);

        Assert.Equal((1, 1), (created.GetProperty("received").GetInt32(), created.GetProperty("changed").GetInt32()));
        Assert.Equal(0, again.GetProperty("changed").GetInt32());
        Assert.Equal(1, renamed.GetProperty("changed").GetInt32());
        var state = await JsonAsync(await client.GetAsync("/api/accounts/C-3"), HttpStatusCode.OK);
        Assert.Equal(("Gamma Group", 240, "GB", "GBP", "csm@example.com", JsonValueKind.Null),
            (state.GetProperty("name").GetString(), state.GetProperty("employees").GetInt32(), state.GetProperty("country").GetString(),
                state.GetProperty("currency").GetString(), state.GetProperty("csm_email").GetString(), state.GetProperty("tier").ValueKind));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/accounts/NOPE")).StatusCode);
    }

    [Theory, Providers]
    public async Task A_bad_record_is_refused_with_every_invalid_field_and_nothing_is_stored(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);

        var single = await JsonAsync(await client.PostAsJsonAsync("/api/accounts", new
        {
            external_id = "C-3",
            name = "Gamma",
            industry = "Logistics",
            employees = -3,
            country = "Britain",
            plan = "Scale",
            csm_email = "nobody@example.com",
            currency = "XYZ",
            tier = "platinum",
            colour = "blue",
        }), HttpStatusCode.BadRequest);
        var list = await JsonAsync(await client.PostAsJsonAsync("/api/accounts", new object[]
        {
            NewAccount,
            new { external_id = "C-4", name = "", industry = "Logistics", employees = 1, country = "GB", plan = "Scale", csm_email = "csm@example.com", currency = "GBP", notes = new { } },
        }), HttpStatusCode.BadRequest);

        Assert.Equal(["colour", "country", "csm_email", "currency", "employees", "tier"],
            single.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("not one of: high, medium, low", single.GetProperty("errors").GetProperty("tier")[0].GetString());
        Assert.Equal(["[1].name", "[1].notes"], list.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        await using var db = server.Database.Open();
        Assert.Equal(2, await db.Accounts.CountAsync());
    }

    [Theory, Providers]
    public async Task The_API_gives_the_same_reason_as_the_CSV_import_for_the_same_bad_value(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);

        var api = await JsonAsync(await client.PostAsJsonAsync("/api/invoices", new
        {
            number = "INV-1",
            account_external_id = "A-1",
            issue_date = "2026-02-10",
            due_date = "2026-02-01",
            amount = "10.005",
            currency = "EUR",
        }), HttpStatusCode.BadRequest);
        var csv = await new Importer(server.Database.Database).ImportAsync(ImportKind.Invoices,
            new StringReader("number,account_external_id,issue_date,due_date,amount,currency\nINV-1,A-1,2026-02-10,2026-02-01,10.005,EUR\n"), "invoices.csv");

        var errors = api.GetProperty("errors");
        Assert.Equal(csv.Errors.Select(e => (e.Column, e.Reason)).OrderBy(e => e.Column),
            errors.EnumerateObject().Select(p => (p.Name, p.Value[0].GetString()!)).OrderBy(e => e.Name));
        Assert.Equal(3, csv.Errors.Count);
    }

    [Theory, Providers]
    public async Task Billing_records_created_over_JSON_are_read_back_and_show_in_the_account_state(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerRead, ApiScopes.LedgerWrite);

        await JsonAsync(await client.PostAsJsonAsync("/api/contacts", new { email = "AP@acme.example", account_external_id = "A-1", name = "Pat Payer", role = "billing" }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/subscriptions", new { external_id = "S-1", account_external_id = "A-1", plan = "Growth", mrr = 1250.50, currency = "USD", start_date = "2025-06-01", renewal_date = "2026-06-01" }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/invoices", new object[]
        {
            new { number = "INV-1", account_external_id = "A-1", issue_date = "2026-01-01", due_date = "2026-01-31", amount = "1000.00", currency = "USD", po_number = "PO-1" },
            new { number = "INV-2", account_external_id = "A-1", issue_date = "2026-02-01", due_date = "2026-03-03", amount = "500.00", currency = "USD" },
        }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/payments", new object[]
        {
            new { external_id = "P-1", account_external_id = "A-1", invoice_number = "INV-1", amount = "400.00", currency = "USD", paid_on = "2026-02-05", method = "ach", status = "succeeded" },
            new { external_id = "P-2", account_external_id = "A-1", invoice_number = "INV-1", amount = "600.00", currency = "USD", paid_on = "2026-02-20", method = "card", status = "failed", failure_code = "insufficient_funds" },
            new { external_id = "P-3", account_external_id = "A-1", amount = "75.00", currency = "USD", paid_on = "2026-02-21", method = "wire", status = "succeeded" },
        }), HttpStatusCode.OK);
        await JsonAsync(await client.PostAsJsonAsync("/api/credit-notes", new { number = "CN-1", account_external_id = "A-1", invoice_number = "INV-1", amount = "100.00", currency = "USD", issued_on = "2026-02-10" }), HttpStatusCode.OK);

        var invoice = await JsonAsync(await client.GetAsync("/api/invoices/INV-1"), HttpStatusCode.OK);
        Assert.Equal((500m, 30, "PO-1", "open"), (invoice.GetProperty("balance").GetProperty("amount").GetDecimal(), invoice.GetProperty("days_past_due").GetInt32(),
            invoice.GetProperty("po_number").GetString(), invoice.GetProperty("status").GetString()));
        var failed = await JsonAsync(await client.GetAsync("/api/payments/P-2"), HttpStatusCode.OK);
        Assert.Equal(("INV-1", "failed", "insufficient_funds"), (failed.GetProperty("invoice_number").GetString(), failed.GetProperty("status").GetString(), failed.GetProperty("failure_code").GetString()));
        Assert.Equal("ap@acme.example", (await JsonAsync(await client.GetAsync("/api/contacts/ap@acme.example"), HttpStatusCode.OK)).GetProperty("email").GetString());
        Assert.Equal(1250.5m, (await JsonAsync(await client.GetAsync("/api/subscriptions/S-1"), HttpStatusCode.OK)).GetProperty("mrr").GetProperty("amount").GetDecimal());
        Assert.Equal("INV-1", (await JsonAsync(await client.GetAsync("/api/credit-notes/CN-1"), HttpStatusCode.OK)).GetProperty("invoice_number").GetString());

        var state = await JsonAsync(await client.GetAsync("/api/accounts/A-1"), HttpStatusCode.OK);
        Assert.Equal("2026-03-02", state.GetProperty("as_of").GetString());
        Assert.Equal(1250.5m, state.GetProperty("mrr").GetProperty("amount").GetDecimal());
        Assert.Equal((1000m, 500m, 75m), (state.GetProperty("receivable").GetProperty("amount").GetDecimal(),
            state.GetProperty("overdue").GetProperty("amount").GetDecimal(), state.GetProperty("credit").GetProperty("amount").GetDecimal()));
        Assert.Equal(["INV-1", "INV-2"], state.GetProperty("open_invoices").EnumerateArray().Select(i => i.GetProperty("number").GetString()));
        Assert.Equal(1, state.GetProperty("failed_payments_last90_days").GetInt32());
        Assert.Equal(["P-3", "P-2", "P-1"], state.GetProperty("recent_payments").EnumerateArray().Select(p => p.GetProperty("external_id").GetString()));
        Assert.Equal("billing", state.GetProperty("contacts")[0].GetProperty("role").GetString());

        var changed = new HashSet<long>();
        while (server.Changed.Reader.TryRead(out var ids)) changed.UnionWith(ids);
        Assert.Equal([a1], changed);
    }

    [Theory, Providers]
    public async Task Each_endpoint_needs_its_scope(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var reader = await server.ClientWithAsync(ApiScopes.LedgerRead);
        var writer = await server.ClientWithAsync(ApiScopes.LedgerWrite);
        var usage = await server.ClientWithAsync(ApiScopes.UsageWrite);

        string[] writes = ["/api/accounts", "/api/contacts", "/api/subscriptions", "/api/invoices", "/api/payments", "/api/credit-notes", "/api/tickets", "/api/nps", "/api/touchpoints", "/api/users"];
        string[] reads = ["/api/accounts/A-1", "/api/contacts/x@example.com", "/api/subscriptions/S", "/api/invoices/I", "/api/payments/P", "/api/credit-notes/C",
            "/api/tickets/T", "/api/accounts/A-1/nps", "/api/accounts/A-1/touchpoints", "/api/users/csm@example.com"];
        foreach (var path in writes)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.PostAsJsonAsync(path, new { })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync(path, new { })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await usage.PostAsJsonAsync(path, new { })).StatusCode);
        }
        foreach (var path in reads)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync(path)).StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, (await reader.GetAsync(path)).StatusCode);
        }
        // Users are the organisation's people: only an admin key creates them.
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.PostAsJsonAsync("/api/users", new { email = "new@example.com", name = "New", role = "csm" })).StatusCode);
        var admin = await server.ClientWithAsync(ApiScopes.Admin);
        await JsonAsync(await admin.PostAsJsonAsync("/api/users", new { email = "new@example.com", name = "New", role = "collector" }), HttpStatusCode.OK);
        Assert.Equal("collector", (await JsonAsync(await reader.GetAsync("/api/users/new@example.com"), HttpStatusCode.OK)).GetProperty("role").GetString());
    }

    [Theory, Providers]
    public async Task A_body_that_is_not_records_is_refused(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);

        var notJson = await JsonAsync(await client.PostAsync("/api/accounts", new StringContent("{\"external_id\": ", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        var empty = await JsonAsync(await client.PostAsJsonAsync("/api/accounts", Array.Empty<object>()), HttpStatusCode.BadRequest);
        var number = await JsonAsync(await client.PostAsJsonAsync("/api/accounts", 42), HttpStatusCode.BadRequest);

        Assert.Equal("The body is not valid JSON", notJson.GetProperty("title").GetString());
        Assert.True(empty.GetProperty("errors").TryGetProperty("body", out _));
        Assert.True(number.GetProperty("errors").TryGetProperty("body", out _));
    }
}
