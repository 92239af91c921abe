using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsmPayments.Billing;
using CsmPayments.Storage;
using CsmPayments.Tests.Api;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Integrations.StripePayloads;

namespace CsmPayments.Tests.Integrations;

/// <summary>
/// Payments and failed attempts from API version 2025-03-31 ("basil") on, where invoices no longer name their charge or
/// payment intent and charges no longer name their invoice: each is recorded once, whichever events arrive in any order.
/// </summary>
public sealed class StripeBasilPaymentTests
{
    private static readonly DateTimeOffset T = ApiServer.Now.AddDays(-4);

    private static async Task<JsonElement> AcceptedAsync(ApiServer server, string payload)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/integrations/stripe/webhook")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(payload, ApiServer.WebhookSecret, server.Clock.GetUtcNow()));
        var response = await server.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static async Task<ApiServer> LinkedAsync(StorageProvider provider)
    {
        var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        await AcceptedAsync(server, Event("evt_link", "customer.created", T, Customer("cus_A1", "A-1", T), apiVersion: Basil));
        return server;
    }

    private static Task<JsonElement> FinalizedAsync(ApiServer server, int n, long total) =>
        AcceptedAsync(server, Event($"evt_fin_{n}", "invoice.finalized", T, BasilInvoice($"in_{n}", "cus_A1", $"ACME-{n:D4}", "open", total, T, null, []),
            apiVersion: Basil));

    /// <summary>The three events of one failed attempt: the invoice's (naming neither charge nor payment intent), the charge's, the payment intent's.</summary>
    private static string[] FailedAttempt(int n, int attempt, long amount, DateTimeOffset at) =>
    [
        Event($"evt_inv_failed_{n}_{attempt}", "invoice.payment_failed", at,
            BasilInvoice($"in_{n}", "cus_A1", $"ACME-{n:D4}", "open", amount, T, null, [], attemptCount: attempt, listPayments: false), apiVersion: Basil),
        Event($"evt_ch_failed_{n}_{attempt}", "charge.failed", at,
            BasilFailedCharge($"ch_{n}_{attempt}", $"pi_{n}", "cus_A1", amount, at, "insufficient_funds"), apiVersion: Basil),
        Event($"evt_pi_failed_{n}_{attempt}", "payment_intent.payment_failed", at,
            BasilPaymentIntentFailed($"pi_{n}", "cus_A1", $"ch_{n}_{attempt}", amount, "insufficient_funds"), apiVersion: Basil),
    ];

    private static readonly int[][] Orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    [Theory, Providers]
    public async Task A_failed_attempt_is_recorded_once_by_its_charge_whichever_of_its_events_arrive_in_any_order(StorageProvider provider)
    {
        await using var server = await LinkedAsync(provider);
        // One invoice per order of the three events, each of its own amount.
        for (var n = 1; n <= Orders.Length; n++)
        {
            await FinalizedAsync(server, n, 1_000 * n);
            var events = FailedAttempt(n, 1, 1_000 * n, T.AddHours(n));
            foreach (var i in Orders[n - 1]) await AcceptedAsync(server, events[i]);
        }
        // Only the invoice told of this one, and only the charges of that one: each is still one attempt.
        await FinalizedAsync(server, 7, 7_000);
        await AcceptedAsync(server, FailedAttempt(7, 1, 7_000, T.AddHours(7))[0]);
        await FinalizedAsync(server, 8, 8_000);
        foreach (var e in FailedAttempt(8, 1, 8_000, T.AddHours(8))[1..]) await AcceptedAsync(server, e);

        await using var db = server.Database.Open();
        var invoices = await db.Invoices.ToDictionaryAsync(i => i.Id, i => i.Number);
        var attempts = await db.Payments.OrderBy(p => p.AmountValue).ToListAsync();
        Assert.All(attempts, p => Assert.Equal(PaymentStatus.Failed, p.Status));
        Assert.Equal(
            [
                ("ch_1_1", "ACME-0001", 10m), ("ch_2_1", "ACME-0002", 20m), ("ch_3_1", "ACME-0003", 30m), ("ch_4_1", "ACME-0004", 40m),
                ("ch_5_1", "ACME-0005", 50m), ("ch_6_1", "ACME-0006", 60m), ("in_7:attempt:1", "ACME-0007", 70m), ("ch_8_1", null!, 80m),
            ],
            attempts.Select(p => (p.ExternalId, p.InvoiceId is { } id ? invoices[id] : null!, p.AmountValue)));
        Assert.All(attempts.Where(p => p.ExternalId.StartsWith("ch_", StringComparison.Ordinal)), p => Assert.Equal("insufficient_funds", p.FailureCode));
    }

    [Theory, Providers]
    public async Task The_retries_of_one_invoice_are_separate_attempts_in_either_order(StorageProvider provider)
    {
        await using var server = await LinkedAsync(provider);
        await FinalizedAsync(server, 1, 5_000);
        // Attempt 1: the invoice's event first; attempt 2, three days later on the same payment intent: the charge's first.
        var first = FailedAttempt(1, 1, 5_000, T.AddHours(1));
        var second = FailedAttempt(1, 2, 5_000, T.AddDays(3));
        foreach (var e in new[] { first[0], first[1], second[1], second[2], second[0], first[2] }) await AcceptedAsync(server, e);

        await using var db = server.Database.Open();
        var invoice = await db.Invoices.SingleAsync();
        var attempts = await db.Payments.OrderBy(p => p.ExternalId).ToListAsync();
        Assert.Equal([("ch_1_1", (long?)invoice.Id), ("ch_1_2", invoice.Id)], attempts.Select(p => (p.ExternalId, p.InvoiceId)));
    }

    [Theory, Providers]
    public async Task An_invoice_payment_paid_is_recorded_once_with_the_paid_invoice_in_either_order(StorageProvider provider)
    {
        await using var server = await LinkedAsync(provider);
        await FinalizedAsync(server, 1, 25_000);
        await FinalizedAsync(server, 2, 10_000);
        string Paid(int n, long total) => Event($"evt_paid_{n}", "invoice.paid", T.AddHours(2),
            BasilInvoice($"in_{n}", "cus_A1", $"ACME-{n:D4}", "paid", total, T, null, [new InvoicePaymentOf($"inpay_{n}", $"pi_{n}", null, total, T.AddHours(1))],
                listPayments: false), apiVersion: Basil);
        string InvoicePaid(int n, long amount) => Event($"evt_inpay_{n}", "invoice_payment.paid", T.AddHours(1),
            InvoicePayment($"inpay_{n}", $"in_{n}", $"pi_{n}", amount, T.AddHours(1)), apiVersion: Basil);

        // in_1: the invoice first (it stands in), then its invoice payment; in_2: the invoice payment first.
        await AcceptedAsync(server, Paid(1, 25_000));
        var applied = await AcceptedAsync(server, InvoicePaid(1, 25_000));
        await AcceptedAsync(server, InvoicePaid(2, 10_000));
        await AcceptedAsync(server, Paid(2, 10_000));
        // A refund of part of pi_1 (its charge names no invoice) lands on the same payment.
        await AcceptedAsync(server, Event("evt_refund", "charge.refunded", T.AddHours(3),
            BasilCharge("ch_1", "pi_1", "cus_A1", 25_000, T.AddHours(1), amountRefunded: 5_000), apiVersion: Basil));

        Assert.Equal("applied", applied.GetProperty("outcome").GetString());
        await using var db = server.Database.Open();
        var invoices = await db.Invoices.OrderBy(i => i.Number).ToListAsync();
        var payments = await db.Payments.OrderBy(p => p.ExternalId).ToListAsync();
        Assert.Equal([("pi_1", (long?)invoices[0].Id, 200m), ("pi_2", invoices[1].Id, 100m)], payments.Select(p => (p.ExternalId, p.InvoiceId, p.AmountValue)));
        var position = Ledger.Position(DateOnly.FromDateTime(ApiServer.Now.UtcDateTime), [.. invoices.Select(InvoiceFacts.Of)], [.. payments.Select(PaymentFacts.Of)], []);
        Assert.Equal([new Money(50m, "USD"), new Money(0m, "USD")], position.Invoices.OrderBy(i => i.Invoice.Id).Select(i => i.Balance));
    }

    [Theory, Providers]
    public async Task An_invoice_payment_of_an_invoice_never_received_is_acknowledged_and_stores_no_payment(StorageProvider provider)
    {
        await using var server = await LinkedAsync(provider);

        var body = await AcceptedAsync(server, Event("evt_inpay_x", "invoice_payment.paid", T.AddHours(1),
            InvoicePayment("inpay_x", "in_unknown", "pi_x", 1_000, T.AddHours(1)), apiVersion: Basil));

        Assert.Contains("in_unknown", body.ToString());
        await using var db = server.Database.Open();
        Assert.Empty(await db.Payments.ToListAsync());
    }
}
