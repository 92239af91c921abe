using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Accounts;
using CsmPayments.Audit;
using CsmPayments.Billing;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Workflows;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Api;

/// <summary>The money workflows over the real API: each decision stored, read back, audited; refusals, bad fields and scopes.</summary>
public sealed class WorkflowsApiTests
{
    private const string Csm = "csm@example.com";
    private const string Controller = "controller@example.com";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        return body;
    }

    /// <summary>The API's accounts plus a controller, two open invoices on A-1, one on B-2, and subscription S-1 of A-1.</summary>
    private static async Task<ApiServer> StartAsync(StorageProvider provider)
    {
        var server = await ApiServer.StartAsync(provider);
        var (_, a1, b2) = await server.SeedAccountsAsync();
        await using var db = server.Database.Open();
        db.Users.Add(new User(Controller, "Cory Controller", UserRole.Controller, null));
        db.Invoices.AddRange(
            new Invoice("INV-1", a1, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), new Money(1000m, "USD"), null, InvoiceStatus.Open),
            new Invoice("INV-2", a1, new DateOnly(2026, 2, 1), new DateOnly(2026, 3, 3), new Money(500m, "USD"), null, InvoiceStatus.Open),
            new Invoice("INV-3", b2, new DateOnly(2026, 1, 10), new DateOnly(2026, 2, 9), new Money(40_000m, "EUR"), null, InvoiceStatus.Open));
        db.Subscriptions.Add(new Subscription("S-1", a1, "Growth", new Money(800m, "USD"), new DateOnly(2025, 6, 1), null, new DateOnly(2026, 6, 1), null));
        await db.SaveChangesAsync();
        return server;
    }

    private static async Task<List<(string Actor, string Action)>> AuditAsync(HttpClient client, string account)
    {
        var entries = await JsonAsync(await client.GetAsync($"/api/accounts/{account}/audit"), HttpStatusCode.OK);
        return entries.EnumerateArray().Select(e => (e.GetProperty("actor").GetString()!, e.GetProperty("action").GetString()!)).ToList();
    }

    private static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString()!;

    [Theory, Providers]
    public async Task A_promise_and_a_dispute_are_recorded_read_back_and_audited_and_a_second_resolution_is_refused(StorageProvider provider)
    {
        await using var server = await StartAsync(provider);
        var client = await server.ClientWithAsync(ApiScopes.CollectionsRead, ApiScopes.CollectionsWrite);

        var promise = await JsonAsync(await client.PostAsJsonAsync("/api/accounts/A-1/promises",
            new { user = "CSM@example.com", amount = "1000.00", promised_for = "2026-03-10", note = "AP run on the 10th" }), HttpStatusCode.OK);
        var promises = await JsonAsync(await client.GetAsync("/api/accounts/A-1/promises"), HttpStatusCode.OK);
        var opened = await JsonAsync(await client.PostAsJsonAsync("/api/invoices/INV-2/disputes", new { user = Csm, reason = "Seats billed twice", on = "2026-03-01" }),
            HttpStatusCode.OK);
        var id = opened.GetProperty("id").GetInt64();
        var resolved = await JsonAsync(await client.PostAsJsonAsync($"/api/disputes/{id}/resolve", new { user = Controller, resolution = "Ten seats credited", credit = 100 }),
            HttpStatusCode.OK);
        var again = await JsonAsync(await client.PostAsJsonAsync($"/api/disputes/{id}/resolve", new { user = Controller, resolution = "Once more" }), HttpStatusCode.Conflict);

        Assert.Equal(promise.GetProperty("id").GetInt64(), promises.EnumerateArray().Single().GetProperty("id").GetInt64());
        Assert.Equal((1000m, "USD", "2026-03-10", "2026-03-02", "open", Csm), (promises[0].GetProperty("amount").GetProperty("amount").GetDecimal(),
            promises[0].GetProperty("amount").GetProperty("currency").GetString(), promises[0].GetProperty("promised_for").GetString(),
            promises[0].GetProperty("recorded_on").GetString(), promises[0].GetProperty("state").GetString(), promises[0].GetProperty("recorded_by").GetString()));
        Assert.Equal(("INV-2", "open", "2026-03-01"), (opened.GetProperty("invoice_number").GetString(), opened.GetProperty("state").GetString(),
            opened.GetProperty("opened_on").GetString()));
        var read = await JsonAsync(await client.GetAsync($"/api/disputes/{id}"), HttpStatusCode.OK);
        Assert.Equal(("credited", "Ten seats credited", Controller, $"CN-INV-2-D{id}"), (read.GetProperty("state").GetString(), read.GetProperty("resolution").GetString(),
            read.GetProperty("resolved_by").GetString(), read.GetProperty("credit_note_number").GetString()));
        Assert.Equal(read.GetRawText(), resolved.GetRawText());
        Assert.Equal(409, again.GetProperty("status").GetInt32());
        Assert.Contains("already credited", Detail(again));
        await using (var db = server.Database.Open())
            Assert.Equal(100m, (await db.CreditNotes.SingleAsync()).AmountValue);
        Assert.Equal([(Csm, AuditActions.PromiseRecorded), (Csm, AuditActions.DisputeOpened), (Controller, AuditActions.CreditNoteIssued), (Controller, AuditActions.DisputeResolved)],
            await AuditAsync(client, "A-1"));

        Assert.Contains("no account NOPE", Detail(await JsonAsync(await client.PostAsJsonAsync("/api/accounts/NOPE/promises",
            new { user = Csm, amount = 1, promised_for = "2026-03-10" }), HttpStatusCode.NotFound)));
        Assert.Contains("no invoice INV-9", Detail(await JsonAsync(await client.PostAsJsonAsync("/api/invoices/INV-9/disputes", new { user = Csm, reason = "x" }), HttpStatusCode.NotFound)));
        Assert.Contains($"no dispute {id + 1}", Detail(await JsonAsync(await client.PostAsJsonAsync($"/api/disputes/{id + 1}/resolve", new { user = Csm, resolution = "x" }), HttpStatusCode.NotFound)));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/accounts/NOPE/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/disputes/{id + 1}")).StatusCode);
    }

    [Theory, Providers]
    public async Task A_plan_above_the_CSM_limits_waits_for_finance_and_a_CSM_approving_it_is_refused(StorageProvider provider)
    {
        await using var server = await StartAsync(provider);
        var client = await server.ClientWithAsync(ApiScopes.CollectionsRead, ApiScopes.CollectionsWrite);

        var big = await JsonAsync(await client.PostAsJsonAsync("/api/accounts/A-1/payment-plans",
            new { user = Csm, invoices = new[] { "INV-1", "INV-2" }, instalments = 12, every_days = 14, first_due = "2026-03-15" }), HttpStatusCode.OK);
        var id = big.GetProperty("id").GetInt64();
        var approvals = await JsonAsync(await client.GetAsync($"/api/tasks?user={Controller}"), HttpStatusCode.OK);
        var refused = await JsonAsync(await client.PostAsJsonAsync($"/api/payment-plans/{id}/approve", new { user = Csm }), HttpStatusCode.Conflict);
        var approved = await JsonAsync(await client.PostAsJsonAsync($"/api/payment-plans/{id}/approve", new { user = Controller, on = "2026-03-03" }), HttpStatusCode.OK);
        var late = await JsonAsync(await client.PostAsJsonAsync($"/api/payment-plans/{id}/reject", new { user = Controller, reason = "too late" }), HttpStatusCode.Conflict);

        Assert.Equal(("awaiting_approval", 1500m, 12), (big.GetProperty("state").GetString(), big.GetProperty("total").GetProperty("amount").GetDecimal(),
            big.GetProperty("instalments").GetArrayLength()));
        Assert.Equal(["INV-1", "INV-2"], big.GetProperty("invoice_numbers").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal("2026-03-29", big.GetProperty("instalments")[1].GetProperty("due_on").GetString());
        Assert.Equal("approve_payment_plan", approvals.EnumerateArray().Single().GetProperty("kind").GetString());
        Assert.Contains("a CSM cannot approve this plan: 12 instalments are more than the CSM limit", Detail(refused));
        var read = await JsonAsync(await client.GetAsync($"/api/payment-plans/{id}"), HttpStatusCode.OK);
        Assert.Equal(("active", Controller, "2026-03-03"), (read.GetProperty("state").GetString(), read.GetProperty("approved_by").GetString(),
            read.GetProperty("approved_on").GetString()));
        Assert.Equal(read.GetRawText(), approved.GetRawText());
        Assert.Contains("not awaiting approval", Detail(late));
        Assert.Empty((await JsonAsync(await client.GetAsync($"/api/tasks?user={Controller}"), HttpStatusCode.OK)).EnumerateArray());

        // B-2 owes 40,000 EUR, above the CSM's amount limit: finance rejects the plan; a CSM may not reject.
        var second = await JsonAsync(await client.PostAsJsonAsync("/api/accounts/B-2/payment-plans", new { user = Csm, instalments = 2, first_due = "2026-04-01" }), HttpStatusCode.OK);
        var planB = second.GetProperty("id").GetInt64();
        Assert.Contains("only finance", Detail(await JsonAsync(await client.PostAsJsonAsync($"/api/payment-plans/{planB}/reject", new { user = Csm, reason = "no" }), HttpStatusCode.Conflict)));
        var rejected = await JsonAsync(await client.PostAsJsonAsync($"/api/payment-plans/{planB}/reject", new { user = Controller, reason = "Pay half now" }), HttpStatusCode.OK);
        Assert.Equal(("rejected", "Pay half now (controller@example.com)"), (rejected.GetProperty("state").GetString(), rejected.GetProperty("close_reason").GetString()));
        Assert.Contains($"no payment plan {planB + 1}", Detail(await JsonAsync(await client.PostAsJsonAsync($"/api/payment-plans/{planB + 1}/approve", new { user = Controller }), HttpStatusCode.NotFound)));

        Assert.Equal([(Csm, AuditActions.PlanProposed), (Controller, AuditActions.PlanApproved)], await AuditAsync(client, "A-1"));
        Assert.Equal([(Csm, AuditActions.PlanProposed), (Controller, AuditActions.PlanRejected)], await AuditAsync(client, "B-2"));
    }

    [Theory, Providers]
    public async Task A_renewal_is_held_then_approved_and_a_cancellation_goes_from_request_to_carried_out(StorageProvider provider)
    {
        await using var server = await StartAsync(provider);
        var client = await server.ClientWithAsync(ApiScopes.CollectionsRead, ApiScopes.CollectionsWrite, ApiScopes.LedgerRead);
        long review;
        await using (var db = server.Database.Open())
        {
            var subscription = await db.Subscriptions.SingleAsync();
            var opened = new RenewalReview(subscription.AccountId, subscription.Id, subscription.RenewalDate!.Value, new DateOnly(2026, 3, 3));
            db.RenewalReviews.Add(opened);
            await db.SaveChangesAsync();
            review = opened.Id;
        }

        var pending = await JsonAsync(await client.GetAsync("/api/renewal-reviews"), HttpStatusCode.OK);
        var held = await JsonAsync(await client.PostAsJsonAsync($"/api/renewal-reviews/{review}/hold", new { user = Controller, reason = "PO not received" }), HttpStatusCode.OK);
        var approved = await JsonAsync(await client.PostAsJsonAsync($"/api/renewal-reviews/{review}/approve", new { user = Csm, note = "PO 4411 in", amount = "10080.00" }), HttpStatusCode.OK);
        var twice = await JsonAsync(await client.PostAsJsonAsync($"/api/renewal-reviews/{review}/approve", new { user = Csm }), HttpStatusCode.Conflict);

        Assert.Equal(("S-1", "pending", "2026-06-01"), (pending[0].GetProperty("subscription_external_id").GetString(), pending[0].GetProperty("state").GetString(),
            pending[0].GetProperty("renewal_date").GetString()));
        Assert.Equal(("held", "PO not received"), (held.GetProperty("state").GetString(), held.GetProperty("reason").GetString()));
        Assert.Equal(("approved", Csm), (approved.GetProperty("state").GetString(), approved.GetProperty("decided_by").GetString()));
        Assert.Equal((10080.00m, "USD"), (approved.GetProperty("approved_amount").GetDecimal(), approved.GetProperty("approved_currency").GetString()));
        Assert.Equal(JsonValueKind.Null, held.GetProperty("approved_amount").ValueKind);
        Assert.Contains("already approved", Detail(twice));
        Assert.Empty((await JsonAsync(await client.GetAsync("/api/renewal-reviews"), HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal([review], (await JsonAsync(await client.GetAsync("/api/renewal-reviews?state=approved"), HttpStatusCode.OK)).EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));

        var request = await JsonAsync(await client.PostAsJsonAsync("/api/subscriptions/S-1/cancellation-requests",
            new { user = Csm, reason = "Budget cut", non_payment = true }), HttpStatusCode.OK);
        var id = request.GetProperty("id").GetInt64();
        var saveCall = (await JsonAsync(await client.GetAsync($"/api/tasks?user={Csm}"), HttpStatusCode.OK)).EnumerateArray().Single();
        var outcome = await JsonAsync(await client.PostAsJsonAsync($"/api/cancellation-requests/{id}/outcome",
            new { user = Csm, outcome = "cancelled", effective_on = "2026-04-01", note = "Moving to a competitor" }), HttpStatusCode.OK);
        var carryOut = (await JsonAsync(await client.GetAsync($"/api/tasks?user={Controller}"), HttpStatusCode.OK)).EnumerateArray().Single();
        var byCsm = await JsonAsync(await client.PostAsJsonAsync($"/api/cancellation-requests/{id}/carry-out", new { user = Csm }), HttpStatusCode.Conflict);
        var done = await JsonAsync(await client.PostAsJsonAsync($"/api/cancellation-requests/{id}/carry-out", new { user = Controller, on = "2026-03-04" }), HttpStatusCode.OK);

        Assert.Equal(("awaiting_save_call", "2026-03-05", true), (request.GetProperty("state").GetString(), request.GetProperty("save_call_due_on").GetString(),
            request.GetProperty("for_non_payment").GetBoolean()));
        Assert.Equal(("save_call", Csm, "2026-03-05"), (saveCall.GetProperty("kind").GetString(), saveCall.GetProperty("owner_email").GetString(), saveCall.GetProperty("due_on").GetString()));
        Assert.Equal(("cancelled", "2026-04-01"), (outcome.GetProperty("state").GetString(), outcome.GetProperty("effective_on").GetString()));
        Assert.Equal("carry_out_cancellation", carryOut.GetProperty("kind").GetString());
        Assert.Contains("finance carries out cancellations", Detail(byCsm));
        var read = await JsonAsync(await client.GetAsync($"/api/cancellation-requests/{id}"), HttpStatusCode.OK);
        Assert.Equal(("carried_out", Controller, "2026-03-04"), (read.GetProperty("state").GetString(), read.GetProperty("carried_out_by").GetString(),
            read.GetProperty("carried_out_on").GetString()));
        Assert.Equal(read.GetRawText(), done.GetRawText());
        var subscriptionRead = await JsonAsync(await client.GetAsync("/api/subscriptions/S-1"), HttpStatusCode.OK);
        Assert.Equal(("2026-04-01", "delinquent"), (subscriptionRead.GetProperty("end_date").GetString(), subscriptionRead.GetProperty("cancellation_reason").GetString()));
        Assert.Empty((await JsonAsync(await client.GetAsync("/api/tasks"), HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal([(Controller, AuditActions.RenewalHeld), (Csm, AuditActions.RenewalApproved), (Csm, AuditActions.CancellationRequested),
            (Csm, AuditActions.CancellationOutcome), (Controller, AuditActions.CancellationCarriedOut)], await AuditAsync(client, "A-1"));
        Assert.Contains("no subscription S-9", Detail(await JsonAsync(await client.PostAsJsonAsync("/api/subscriptions/S-9/cancellation-requests", new { user = Csm, reason = "x" }), HttpStatusCode.NotFound)));
        Assert.Contains($"no renewal review {review + 1}", Detail(await JsonAsync(await client.PostAsJsonAsync($"/api/renewal-reviews/{review + 1}/hold", new { user = Csm, reason = "x" }), HttpStatusCode.NotFound)));
    }

    [Theory, Providers]
    public async Task A_task_is_marked_done_once(StorageProvider provider)
    {
        await using var server = await StartAsync(provider);
        var client = await server.ClientWithAsync(ApiScopes.CollectionsRead, ApiScopes.CollectionsWrite);
        await JsonAsync(await client.PostAsJsonAsync("/api/subscriptions/S-1/cancellation-requests", new { user = Csm, reason = "Budget cut" }), HttpStatusCode.OK);
        var task = (await JsonAsync(await client.GetAsync("/api/tasks"), HttpStatusCode.OK)).EnumerateArray().Single().GetProperty("id").GetInt64();

        var done = await JsonAsync(await client.PostAsJsonAsync($"/api/tasks/{task}/done", new { user = Csm, on = "2026-03-03" }), HttpStatusCode.OK);
        var again = await JsonAsync(await client.PostAsJsonAsync($"/api/tasks/{task}/done", new { user = Csm }), HttpStatusCode.Conflict);

        Assert.Equal(("done", "2026-03-03"), (done.GetProperty("state").GetString(), done.GetProperty("done_on").GetString()));
        Assert.Contains("already done", Detail(again));
        Assert.Empty((await JsonAsync(await client.GetAsync("/api/tasks"), HttpStatusCode.OK)).EnumerateArray());
        Assert.Contains($"no task {task + 1}", Detail(await JsonAsync(await client.PostAsJsonAsync($"/api/tasks/{task + 1}/done", new { user = Csm }), HttpStatusCode.NotFound)));
    }

    [Theory, Providers]
    public async Task Bad_fields_are_each_listed_and_nothing_is_changed(StorageProvider provider)
    {
        await using var server = await StartAsync(provider);
        var client = await server.ClientWithAsync(ApiScopes.CollectionsRead, ApiScopes.CollectionsWrite);

        var promise = await JsonAsync(await client.PostAsJsonAsync("/api/accounts/A-1/promises",
            new { amount = "12,50", promised_for = "2026-02-30", on = "today", colour = "red" }), HttpStatusCode.BadRequest);
        var unknownUser = await JsonAsync(await client.PostAsJsonAsync("/api/accounts/A-1/promises",
            new { user = "nobody@example.com", amount = -5, promised_for = "2026-03-10" }), HttpStatusCode.BadRequest);
        var past = await JsonAsync(await client.PostAsJsonAsync("/api/accounts/A-1/promises", new { user = Csm, amount = 5, promised_for = "2026-03-01" }), HttpStatusCode.BadRequest);
        var plan = await JsonAsync(await client.PostAsJsonAsync("/api/accounts/A-1/payment-plans",
            new { user = Csm, invoices = "INV-1", instalments = 0, every_days = 1.5, discount_percent = 150 }), HttpStatusCode.BadRequest);
        var outcome = await JsonAsync(await client.PostAsJsonAsync("/api/cancellation-requests/1/outcome", new { user = Csm, outcome = "maybe", non_payment = "yes" }), HttpStatusCode.BadRequest);
        var downgrade = await JsonAsync(await client.PostAsJsonAsync("/api/cancellation-requests/1/outcome", new { user = Csm, outcome = "downgraded" }), HttpStatusCode.BadRequest);
        var notObject = await JsonAsync(await client.PostAsJsonAsync("/api/invoices/INV-1/disputes", new[] { 1 }), HttpStatusCode.BadRequest);
        var notJson = await JsonAsync(await client.PostAsync("/api/invoices/INV-1/disputes", new StringContent("{\"user\": ", System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
        var tasks = await JsonAsync(await client.GetAsync("/api/tasks?user=nobody@example.com"), HttpStatusCode.BadRequest);
        var reviews = await JsonAsync(await client.GetAsync("/api/renewal-reviews?state=lost"), HttpStatusCode.BadRequest);

        static string[] Fields(JsonElement problem) => problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["amount", "colour", "on", "promised_for", "user"], Fields(promise));
        Assert.Contains("not a field of this request", promise.GetProperty("errors").GetProperty("colour")[0].GetString());
        Assert.Contains("not a date", promise.GetProperty("errors").GetProperty("promised_for")[0].GetString());
        Assert.Equal(["amount", "user"], Fields(unknownUser));
        Assert.Equal("there is no user nobody@example.com", unknownUser.GetProperty("errors").GetProperty("user")[0].GetString());
        Assert.Equal(["promised_for"], Fields(past));
        Assert.Equal(["discount_percent", "every_days", "first_due", "instalments", "invoices"], Fields(plan));
        Assert.Equal(["non_payment", "outcome"], Fields(outcome));
        Assert.Equal(["effective_on", "new_mrr"], Fields(downgrade));
        Assert.Equal(["body"], Fields(notObject));
        Assert.Equal("The body is not valid JSON", notJson.GetProperty("title").GetString());
        Assert.Equal(["user"], Fields(tasks));
        Assert.Equal(["state"], Fields(reviews));
        await using var db = server.Database.Open();
        Assert.Equal((0, 0, 0, 0), (await db.PromisesToPay.CountAsync(), await db.PaymentPlans.CountAsync(), await db.Disputes.CountAsync(), await db.AuditEntries.CountAsync()));
    }

    [Theory, Providers]
    public async Task Each_workflow_endpoint_needs_its_scope(StorageProvider provider)
    {
        await using var server = await StartAsync(provider);
        var ledger = await server.ClientWithAsync(ApiScopes.LedgerRead, ApiScopes.LedgerWrite, ApiScopes.UsageWrite);
        var reader = await server.ClientWithAsync(ApiScopes.CollectionsRead);
        var writer = await server.ClientWithAsync(ApiScopes.CollectionsWrite);
        var admin = await server.ClientWithAsync(ApiScopes.Admin);

        string[] writes = ["/api/accounts/A-1/promises", "/api/invoices/INV-1/disputes", "/api/disputes/1/resolve", "/api/accounts/A-1/payment-plans",
            "/api/payment-plans/1/approve", "/api/payment-plans/1/reject", "/api/renewal-reviews/1/approve", "/api/renewal-reviews/1/hold",
            "/api/subscriptions/S-1/cancellation-requests", "/api/cancellation-requests/1/outcome", "/api/cancellation-requests/1/carry-out", "/api/tasks/1/done"];
        string[] reads = ["/api/accounts/A-1/promises", "/api/disputes/1", "/api/payment-plans/1", "/api/renewal-reviews", "/api/cancellation-requests/1", "/api/tasks",
            "/api/accounts/A-1/audit"];
        foreach (var path in writes)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.PostAsJsonAsync(path, new { })).StatusCode);
            var forbidden = await ledger.PostAsJsonAsync(path, new { });
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Contains(ApiScopes.CollectionsWrite, Detail(await forbidden.Content.ReadFromJsonAsync<JsonElement>()));
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync(path, new { })).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await writer.PostAsJsonAsync(path, new { })).StatusCode);
        }
        foreach (var path in reads)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await ledger.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync(path)).StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, (await reader.GetAsync(path)).StatusCode);
        }
        await JsonAsync(await admin.PostAsJsonAsync("/api/accounts/A-1/promises", new { user = Csm, amount = 10, promised_for = "2026-03-09" }), HttpStatusCode.OK);
        Assert.Equal([(Csm, AuditActions.PromiseRecorded)], await AuditAsync(admin, "A-1"));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_workflow_endpoints()
    {
        await using var server = await ApiServer.StartAsync(StorageProvider.Sqlite);

        var document = await JsonAsync(await server.Client.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        string[] expected = ["/api/accounts/{externalId}/promises", "/api/invoices/{number}/disputes", "/api/disputes/{id}/resolve", "/api/accounts/{externalId}/payment-plans",
            "/api/payment-plans/{id}/approve", "/api/renewal-reviews", "/api/subscriptions/{externalId}/cancellation-requests", "/api/cancellation-requests/{id}/carry-out",
            "/api/tasks", "/api/tasks/{id}/done", "/api/accounts/{externalId}/audit"];
        Assert.All(expected, p => Assert.True(paths.TryGetProperty(p, out _), p));
        var resolve = paths.GetProperty("/api/disputes/{id}/resolve").GetProperty("post");
        Assert.Equal(["id"], resolve.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }
}
