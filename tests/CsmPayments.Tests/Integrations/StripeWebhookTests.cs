using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Storage;
using CsmPayments.Tests.Api;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Integrations.StripePayloads;

namespace CsmPayments.Tests.Integrations;

public sealed class StripeWebhookTests
{
    private static readonly DateTimeOffset T = ApiServer.Now.AddDays(-1);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(ApiServer server, string payload, DateTimeOffset? signedAt = null,
        string secret = ApiServer.WebhookSecret, string? header = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/integrations/stripe/webhook")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", header ?? Sign(payload, secret, signedAt ?? server.Clock.GetUtcNow()));
        var response = await server.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task<JsonElement> AcceptedAsync(ApiServer server, string payload)
    {
        var (status, body) = await SendAsync(server, payload);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static Task<JsonElement> LinkAsync(ApiServer server, string customer = "cus_A1") =>
        AcceptedAsync(server, Event("evt_link_" + customer, "customer.created", T, Customer(customer, "A-1", T)));

    [Theory, Providers]
    public async Task Events_of_a_linked_customer_build_its_subscriptions_invoices_payments_and_credit_notes(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();

        Assert.Equal("applied", (await LinkAsync(server)).GetProperty("outcome").GetString());
        Assert.Equal([a1], await server.NextChangeAsync());
        await AcceptedAsync(server, Event("evt_sub", "customer.subscription.created", T.AddMinutes(1),
            Subscription("sub_1", "cus_A1", "active", T, [new Item("price_seats", 5_000, 3, "month", Nickname: "Growth seats"), new Item("price_platform", 120_000, 1, "year")])));
        await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T.AddMinutes(2),
            Invoice("in_1", "cus_A1", "ACME-0001", "open", 25_000, T.AddMinutes(2), T.AddDays(30))));
        await AcceptedAsync(server, Event("evt_paid", "invoice.paid", T.AddHours(5),
            Invoice("in_1", "cus_A1", "ACME-0001", "paid", 25_000, T.AddMinutes(2), T.AddDays(30), charge: "ch_1", amountPaid: 25_000, paidAt: T.AddHours(5))));
        await AcceptedAsync(server, Event("evt_refund", "charge.refunded", T.AddHours(6),
            Charge("ch_1", "cus_A1", "in_1", 25_000, T.AddHours(5), "succeeded", amountRefunded: 5_000)));
        await AcceptedAsync(server, Event("evt_cn", "credit_note.created", T.AddHours(7),
            CreditNote("cn_1", "cus_A1", "in_1", "ACME-0001-CN-01", 5_000, T.AddHours(7))));

        await using var db = server.Database.Open();
        Assert.Equal("cus_A1", (await db.Accounts.SingleAsync(a => a.Id == a1)).StripeCustomerId);
        var subscription = await db.Subscriptions.SingleAsync();
        Assert.Equal((a1, "Growth seats", new Money(250m, "USD"), DateOnly.FromDateTime(T.UtcDateTime), (DateOnly?)null),
            (subscription.AccountId, subscription.Plan, subscription.Mrr, subscription.StartDate, subscription.EndDate));
        var invoice = await db.Invoices.SingleAsync();
        Assert.Equal(("ACME-0001", new Money(250m, "USD"), InvoiceStatus.Open, "PO-7781", DateOnly.FromDateTime(T.AddDays(30).UtcDateTime)),
            (invoice.Number, invoice.Amount, invoice.Status, invoice.PoNumber, invoice.DueDate));
        var payment = await db.Payments.SingleAsync();
        Assert.Equal(("ch_1", (long?)invoice.Id, new Money(200m, "USD"), PaymentStatus.Succeeded),
            (payment.ExternalId, payment.InvoiceId, payment.Amount, payment.Status));
        var credit = await db.CreditNotes.SingleAsync();
        Assert.Equal((invoice.Id, new Money(50m, "USD")), (credit.InvoiceId, credit.Amount));
        // 250 invoiced − (250 paid − 50 refunded) − 50 credited: nothing owed.
        var position = Ledger.Position(DateOnly.FromDateTime(ApiServer.Now.UtcDateTime), [InvoiceFacts.Of(invoice)], [PaymentFacts.Of(payment)], [CreditNoteFacts.Of(credit)]);
        Assert.Equal(new Money(0m, "USD"), position.Invoices.Single().Balance);
    }

    [Theory, Providers]
    public async Task A_failed_payment_is_recorded_once_with_the_decline_code(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T, Invoice("in_2", "cus_A1", "ACME-0002", "open", 9_900, T, null)));

        await AcceptedAsync(server, Event("evt_inv_failed", "invoice.payment_failed", T.AddMinutes(1),
            Invoice("in_2", "cus_A1", "ACME-0002", "open", 9_900, T, null, charge: "ch_2", attemptCount: 1)));
        await AcceptedAsync(server, Event("evt_charge_failed", "charge.failed", T.AddMinutes(1),
            Charge("ch_2", "cus_A1", "in_2", 9_900, T.AddMinutes(1), "failed", failureCode: "card_declined", declineReason: "insufficient_funds")));
        await AcceptedAsync(server, Event("evt_pi_failed", "payment_intent.payment_failed", T.AddMinutes(1),
            PaymentIntentFailed("pi_2", "cus_A1", "in_2", "ch_2", 9_900, "insufficient_funds")));

        await using var db = server.Database.Open();
        var attempt = await db.Payments.SingleAsync();
        Assert.Equal(("ch_2", PaymentStatus.Failed, "insufficient_funds", new Money(99m, "USD")), (attempt.ExternalId, attempt.Status, attempt.FailureCode, attempt.Amount));
        var invoice = await db.Invoices.SingleAsync();
        Assert.Equal(invoice.Id, attempt.InvoiceId);
        Assert.Equal(new Money(99m, "USD"), Ledger.Position(DateOnly.FromDateTime(ApiServer.Now.UtcDateTime), [InvoiceFacts.Of(invoice)], [PaymentFacts.Of(attempt)], []).Invoices.Single().Balance);
    }

    [Theory, Providers]
    public async Task A_second_delivery_of_an_event_changes_nothing(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        var paid = Event("evt_paid", "invoice.paid", T,
            Invoice("in_1", "cus_A1", "ACME-0001", "paid", 10_000, T, null, charge: "ch_1", amountPaid: 10_000, paidAt: T));

        var first = await AcceptedAsync(server, paid);
        server.Clock.Advance(TimeSpan.FromMinutes(30)); // Stripe retries later, signing anew
        var second = await AcceptedAsync(server, paid);

        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(second.GetProperty("duplicate").GetBoolean());
        await using var db = server.Database.Open();
        Assert.Equal(1, await db.Payments.CountAsync());
        Assert.Equal(2, await db.StripeEvents.CountAsync());
    }

    [Theory, Providers]
    public async Task An_older_event_delivered_late_does_not_overwrite_newer_state(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);

        await AcceptedAsync(server, Event("evt_void", "invoice.voided", T.AddHours(2), Invoice("in_1", "cus_A1", "ACME-0001", "void", 10_000, T, null)));
        var late = await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T.AddHours(1), Invoice("in_1", "cus_A1", "ACME-0001", "open", 10_000, T, null)));

        Assert.Equal("stale", late.GetProperty("outcome").GetString());
        await using var db = server.Database.Open();
        Assert.Equal(InvoiceStatus.Void, (await db.Invoices.SingleAsync()).Status);

        await AcceptedAsync(server, Event("evt_uncollectible", "invoice.marked_uncollectible", T.AddHours(3),
            Invoice("in_1", "cus_A1", "ACME-0001", "uncollectible", 10_000, T, null)));
        await using var after = server.Database.Open();
        Assert.Equal(InvoiceStatus.Uncollectible, (await after.Invoices.SingleAsync()).Status);
    }

    [Theory, Providers]
    public async Task A_bad_missing_or_expired_signature_is_refused_with_400_and_nothing_is_stored(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var payload = Event("evt_link", "customer.created", T, Customer("cus_A1", "A-1", T));
        var now = server.Clock.GetUtcNow();

        var attempts = new[]
        {
            await SendAsync(server, payload, secret: "whsec_someone_else"),
            await SendAsync(server, payload, header: Sign(payload, ApiServer.WebhookSecret, now).Replace("v1=", "v1=00")),
            await SendAsync(server, payload, header: Sign(payload.Replace("A-1", "B-2"), ApiServer.WebhookSecret, now)),
            await SendAsync(server, payload, header: ""),
            await SendAsync(server, payload, signedAt: now.AddSeconds(-301)),
        };

        Assert.All(attempts, a => Assert.Equal(HttpStatusCode.BadRequest, a.Status));
        Assert.All(attempts, a => Assert.Equal("The Stripe signature does not verify", a.Body.GetProperty("title").GetString()));
        await using var db = server.Database.Open();
        Assert.Equal(0, await db.StripeEvents.CountAsync());
        Assert.All(await db.Accounts.ToListAsync(), a => Assert.Null(a.StripeCustomerId));
        // Within the five minutes the same event is accepted.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(server, payload, signedAt: now.AddSeconds(-299))).Status);
    }

    [Theory, Providers]
    public async Task Unknown_event_types_and_events_of_customers_never_received_are_acknowledged_and_ignored(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();

        var unknown = await AcceptedAsync(server, Event("evt_product", "product.created", T, """{ "id": "prod_1", "object": "product", "name": "Seats" }"""));
        var stranger = await AcceptedAsync(server, Event("evt_sub", "customer.subscription.created", T,
            Subscription("sub_9", "cus_nobody", "active", T, [new Item("price_x", 1_000, 1, "month")])));

        Assert.All(new[] { unknown, stranger }, r => Assert.Equal("ignored", r.GetProperty("outcome").GetString()));
        Assert.Contains("linked to no account", stranger.GetProperty("notes")[0].GetString());
        await using var db = server.Database.Open();
        Assert.Equal(0, await db.Subscriptions.CountAsync());
        Assert.Equal(2, await db.StripeEvents.CountAsync(e => e.Outcome == "ignored"));
    }

    [Theory, Providers]
    public async Task A_customer_naming_no_account_becomes_an_account_with_its_billing_contact_and_later_events_match_it(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (csm, _, _) = await server.SeedAccountsAsync();
        // A second CSM who owns nothing yet takes the new account: the one with the fewest accounts.
        long fresh;
        await using (var db = server.Database.Open())
        {
            var other = new User("dana@example.com", "Dana Reyes", UserRole.Csm, 50);
            db.Users.Add(other);
            await db.SaveChangesAsync();
            fresh = other.Id;
        }

        var created = await AcceptedAsync(server, Event("evt_cus", "customer.created", T, Customer("cus_new", null, T)));
        await AcceptedAsync(server, Event("evt_sub", "customer.subscription.created", T.AddMinutes(1),
            Subscription("sub_1", "cus_new", "active", T, [new Item("price_seats", 5_000, 2, "month")])));
        await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T.AddMinutes(2), Invoice("in_1", "cus_new", "ACME-0001", "open", 10_000, T, null)));

        Assert.Equal("applied", created.GetProperty("outcome").GetString());
        await using var after = server.Database.Open();
        var account = await after.Accounts.SingleAsync(a => a.StripeCustomerId == "cus_new");
        Assert.Equal(("cus_new", "Acme Inc.", "USD", fresh), (account.ExternalId, account.Name, account.Currency, account.CsmId));
        Assert.NotEqual(csm, account.CsmId);
        var contact = await after.Contacts.SingleAsync();
        Assert.Equal(("ap@acme.example", account.Id, ContactRole.Billing), (contact.Email, contact.AccountId, contact.Role));
        var subscription = await after.Subscriptions.SingleAsync();
        Assert.Equal((account.Id, new Money(100m, "USD")), (subscription.AccountId, subscription.Mrr));
        Assert.Equal(account.Id, (await after.Invoices.SingleAsync()).AccountId);
    }

    [Theory, Providers]
    public async Task A_new_account_from_Stripe_goes_to_the_configured_CSM(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider, new Dictionary<string, string?> { ["Stripe:NewAccountCsmEmail"] = "csm@example.com" });
        var (csm, _, _) = await server.SeedAccountsAsync();

        await AcceptedAsync(server, Event("evt_cus", "customer.created", T, Customer("cus_new", null, T)));

        await using var db = server.Database.Open();
        Assert.Equal(csm, (await db.Accounts.SingleAsync(a => a.ExternalId == "cus_new")).CsmId);
    }

    [Theory, Providers]
    public async Task A_dispute_is_recorded_against_the_payment_and_closed(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        await LinkAsync(server);
        await AcceptedAsync(server, Event("evt_paid", "invoice.paid", T,
            Invoice("in_1", "cus_A1", "ACME-0001", "paid", 10_000, T, null, charge: "ch_1", amountPaid: 10_000, paidAt: T)));

        await AcceptedAsync(server, Event("evt_dp1", "charge.dispute.created", T.AddDays(1).AddMinutes(-30), Dispute("dp_1", "ch_1", 10_000, "needs_response", T.AddDays(1).AddMinutes(-30))));
        await using (var db = server.Database.Open())
            Assert.True((await db.ChargeDisputes.SingleAsync()).IsOpen);
        server.Clock.Advance(TimeSpan.FromDays(1));
        await AcceptedAsync(server, Event("evt_dp2", "charge.dispute.closed", ApiServer.Now.AddDays(1), Dispute("dp_1", "ch_1", 10_000, "lost", T.AddDays(1).AddMinutes(-30))));

        await using var after = server.Database.Open();
        var dispute = await after.ChargeDisputes.SingleAsync();
        Assert.Equal((a1, "ch_1", "lost", "fraudulent", new Money(100m, "USD"), (DateOnly?)DateOnly.FromDateTime(ApiServer.Now.AddDays(1).UtcDateTime)),
            (dispute.AccountId, dispute.PaymentExternalId, dispute.Status, dispute.Reason, dispute.Amount, dispute.ClosedOn));
    }

    [Theory, Providers]
    public async Task A_deleted_customer_is_unlinked_and_its_history_kept(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T, Invoice("in_1", "cus_A1", "ACME-0001", "open", 10_000, T, null)));

        await AcceptedAsync(server, Event("evt_del", "customer.deleted", T.AddDays(1), DeletedCustomer("cus_A1")));

        await using var db = server.Database.Open();
        Assert.Null((await db.Accounts.SingleAsync(a => a.ExternalId == "A-1")).StripeCustomerId);
        Assert.Equal(1, await db.Invoices.CountAsync());
    }

    [Theory, Providers]
    public async Task An_amount_in_another_currency_than_the_account_is_ignored(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);

        var response = await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T,
            Invoice("in_1", "cus_A1", "ACME-0001", "open", 10_000, T, null, currency: "jpy")));

        Assert.Equal("ignored", response.GetProperty("outcome").GetString());
        Assert.Contains("billed in USD", response.GetProperty("notes")[0].GetString());
        await using var db = server.Database.Open();
        Assert.Equal(0, await db.Invoices.CountAsync());
    }

    private static async Task<(Invoice Invoice, IReadOnlyList<Payment> Payments, Money Balance)> LedgerOfAsync(ApiServer server)
    {
        await using var db = server.Database.Open();
        var invoice = await db.Invoices.SingleAsync();
        var payments = await db.Payments.OrderBy(p => p.ExternalId).ToListAsync();
        var position = Ledger.Position(DateOnly.FromDateTime(ApiServer.Now.AddDays(5).UtcDateTime), [InvoiceFacts.Of(invoice)],
            payments.Select(PaymentFacts.Of).ToList(), []);
        return (invoice, payments, position.Invoices.Single().Balance);
    }

    [Theory, Providers]
    public async Task From_api_version_2025_03_31_a_refund_naming_only_the_payment_intent_reduces_the_invoice_payment(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T, BasilInvoice("in_1", "cus_A1", "ACME-0001", "open", 25_000, T, null, []), apiVersion: Basil));
        await AcceptedAsync(server, Event("evt_paid", "invoice.paid", T.AddHours(1),
            BasilInvoice("in_1", "cus_A1", "ACME-0001", "paid", 25_000, T, null, [new InvoicePaymentOf("inpay_1", "pi_1", null, 25_000, T.AddHours(1))]),
            apiVersion: Basil));

        var refund = await AcceptedAsync(server, Event("evt_refund", "charge.refunded", T.AddHours(2),
            BasilCharge("ch_1", "pi_1", "cus_A1", 25_000, T.AddHours(1), amountRefunded: 5_000), apiVersion: Basil));

        Assert.Equal("applied", refund.GetProperty("outcome").GetString());
        var (invoice, payments, balance) = await LedgerOfAsync(server);
        var payment = Assert.Single(payments);
        // 250.00 paid through pi_1, 50.00 of it refunded on its charge: 200.00 stays applied to the invoice, 50.00 is owed again.
        Assert.Equal(("pi_1", (long?)invoice.Id, new Money(200m, "USD"), PaymentStatus.Succeeded), (payment.ExternalId, payment.InvoiceId, payment.Amount, payment.Status));
        Assert.Equal(new Money(50m, "USD"), balance);
    }

    [Theory, Providers]
    public async Task From_api_version_2025_03_31_a_refund_before_the_paid_invoice_is_the_same_payment(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        await AcceptedAsync(server, Event("evt_fin", "invoice.finalized", T, BasilInvoice("in_1", "cus_A1", "ACME-0001", "open", 10_000, T, null, []), apiVersion: Basil));
        // Two payments of one invoice (a partial payment, then the rest); the first is fully refunded before invoice.paid arrives.
        await AcceptedAsync(server, Event("evt_refund", "charge.refunded", T.AddHours(2),
            BasilCharge("ch_1", "pi_1", "cus_A1", 4_000, T.AddHours(1), amountRefunded: 4_000), apiVersion: Basil));
        await AcceptedAsync(server, Event("evt_paid", "invoice.paid", T.AddHours(3),
            BasilInvoice("in_1", "cus_A1", "ACME-0001", "paid", 10_000, T, null,
                [new InvoicePaymentOf("inpay_1", "pi_1", null, 4_000, T.AddHours(1)), new InvoicePaymentOf("inpay_2", "pi_2", null, 6_000, T.AddHours(3))]),
            apiVersion: Basil));

        var (invoice, payments, balance) = await LedgerOfAsync(server);
        Assert.Equal(["pi_1", "pi_2"], payments.Select(p => p.ExternalId));
        Assert.All(payments, p => Assert.Equal(invoice.Id, p.InvoiceId));
        // The invoice still lists 40.00 paid through pi_1, but its charge was refunded whole: 0.00 + 60.00 applied, 40.00 owed.
        Assert.Equal([new Money(0m, "USD"), new Money(60m, "USD")], payments.Select(p => p.Amount));
        Assert.Equal(new Money(40m, "USD"), balance);
    }

    [Theory, Providers]
    public async Task A_lost_dispute_takes_the_money_off_the_payment_and_the_invoice_is_owed_again(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        await AcceptedAsync(server, Event("evt_paid", "invoice.paid", T,
            Invoice("in_1", "cus_A1", "ACME-0001", "paid", 10_000, T, null, charge: "ch_1", amountPaid: 10_000, paidAt: T)));
        await AcceptedAsync(server, Event("evt_dp1", "charge.dispute.created", T.AddHours(1), Dispute("dp_1", "ch_1", 6_000, "needs_response", T.AddHours(1))));
        Assert.Equal(new Money(0m, "USD"), (await LedgerOfAsync(server)).Balance);

        await AcceptedAsync(server, Event("evt_dp2", "charge.dispute.closed", T.AddDays(3), Dispute("dp_1", "ch_1", 6_000, "lost", T.AddHours(1))));
        // A later event about the charge (a refund of nothing more) keeps the lost 60.00 off the payment.
        await AcceptedAsync(server, Event("evt_charge", "charge.refunded", T.AddDays(4), Charge("ch_1", "cus_A1", "in_1", 10_000, T, "succeeded")));

        var (_, payments, balance) = await LedgerOfAsync(server);
        // 100.00 paid, 60.00 of it returned to the cardholder by the lost dispute: 40.00 stays, 60.00 is owed again.
        Assert.Equal(new Money(40m, "USD"), Assert.Single(payments).Amount);
        Assert.Equal(new Money(60m, "USD"), balance);
        await using var db = server.Database.Open();
        var dispute = await db.ChargeDisputes.SingleAsync();
        Assert.Equal(("lost", false), (dispute.Status, dispute.IsOpen));
    }

    [Theory, Providers]
    public async Task A_won_dispute_closes_and_changes_no_money(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        await AcceptedAsync(server, Event("evt_paid", "invoice.paid", T.AddHours(1),
            BasilInvoice("in_1", "cus_A1", "ACME-0001", "paid", 10_000, T, null, [new InvoicePaymentOf("inpay_1", "pi_1", null, 10_000, T.AddHours(1))]),
            apiVersion: Basil));
        // The dispute names the charge ch_1 and its payment intent pi_1, under which the payment is recorded.
        await AcceptedAsync(server, Event("evt_dp1", "charge.dispute.created", T.AddHours(2), Dispute("dp_1", "ch_1", 10_000, "needs_response", T.AddHours(2))));
        await AcceptedAsync(server, Event("evt_dp2", "charge.dispute.closed", T.AddDays(3), Dispute("dp_1", "ch_1", 10_000, "won", T.AddHours(2))));

        var (_, payments, balance) = await LedgerOfAsync(server);
        Assert.Equal(new Money(100m, "USD"), Assert.Single(payments).Amount);
        Assert.Equal(new Money(0m, "USD"), balance);
        await using var db = server.Database.Open();
        var dispute = await db.ChargeDisputes.SingleAsync();
        Assert.Equal(("pi_1", "won", false), (dispute.PaymentExternalId, dispute.Status, dispute.IsOpen));
    }

    [Theory, Providers]
    public async Task A_discounted_tiered_subscription_is_stored_with_its_monthly_MRR(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);

        await AcceptedAsync(server, Event("evt_sub", "customer.subscription.created", T.AddMinutes(1),
            Subscription("sub_1", "cus_A1", "active", T, [new Item("price_seats", 0, 60, "year", TiersMode: "graduated", Tiers: [new(10, 12_000), new(null, 6_000)])],
                discounts: [DiscountObject("di_1", "cus_A1", "forever", percentOff: 12.5m)])));

        await using var db = server.Database.Open();
        // 10 × 120.00 + 50 × 60.00 = 4,200.00 a year = 350.00 a month; 12.5 % off: 306.25.
        Assert.Equal(new Money(306.25m, "USD"), (await db.Subscriptions.SingleAsync()).Mrr);
    }

    [Theory, Providers]
    public async Task The_same_event_delivered_several_times_at_once_is_applied_once_and_the_others_are_duplicates(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await LinkAsync(server);
        var paid = Event("evt_paid", "invoice.paid", T,
            Invoice("in_1", "cus_A1", "ACME-0001", "paid", 10_000, T, null, charge: "ch_1", amountPaid: 10_000, paidAt: T));

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SendAsync(server, paid))));

        Assert.All(deliveries, d => Assert.True(d.Status == HttpStatusCode.OK, d.Body.ToString()));
        Assert.Equal(1, deliveries.Count(d => !d.Body.GetProperty("duplicate").GetBoolean()));
        await using var db = server.Database.Open();
        Assert.Equal((1, 1, 1), (await db.Payments.CountAsync(), await db.Invoices.CountAsync(), await db.StripeEvents.CountAsync(e => e.EventId == "evt_paid")));
    }
}
