using System.Security.Cryptography;
using System.Text;

namespace CsmPayments.Tests.Integrations;

/// <summary>
/// Stripe events shaped as Stripe's API reference shows them (event envelope, and the customer, subscription, invoice,
/// charge, payment intent, dispute and credit note objects), and signed as Stripe signs them.
/// </summary>
public static class StripePayloads
{
    /// <summary>The Stripe-Signature header: t=timestamp,v1=hex HMAC-SHA256 of "{t}.{payload}" keyed with the secret.</summary>
    public static string Sign(string payload, string secret, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>The API version from which invoices list their payments instead of naming a charge.</summary>
    public const string Basil = "2025-03-31.basil";

    public static string Event(string id, string type, DateTimeOffset created, string dataObject, string previousAttributes = "", string apiVersion = "2024-06-20") =>
        $$"""
        {
          "id": "{{id}}",
          "object": "event",
          "api_version": "{{apiVersion}}",
          "created": {{created.ToUnixTimeSeconds()}},
          "data": {
            "object": {{dataObject}}{{(previousAttributes.Length > 0 ? ",\n    \"previous_attributes\": " + previousAttributes : "")}}
          },
          "livemode": false,
          "pending_webhooks": 1,
          "request": { "id": "req_{{id[4..]}}", "idempotency_key": "{{Guid.NewGuid()}}" },
          "type": "{{type}}"
        }
        """;

    public static string Customer(string id, string? accountExternalId, DateTimeOffset created, string? discount = null) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "customer",
          "address": null,
          "balance": 0,
          "created": {{created.ToUnixTimeSeconds()}},
          "currency": "usd",
          "default_source": null,
          "delinquent": false,
          "description": "Acme",
          "discount": {{discount ?? "null"}},
          "email": "ap@acme.example",
          "invoice_prefix": "ACME",
          "invoice_settings": { "custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null },
          "livemode": false,
          "metadata": {{(accountExternalId is null ? "{}" : $$"""{ "account_external_id": "{{accountExternalId}}" }""")}},
          "name": "Acme Inc.",
          "next_invoice_sequence": 1,
          "phone": null,
          "preferred_locales": [],
          "shipping": null,
          "tax_exempt": "none",
          "test_clock": null
        }
        """;

    public static string DeletedCustomer(string id) => $$"""{ "id": "{{id}}", "object": "customer", "deleted": true }""";

    /// <summary>
    /// An item: unit amount in cents, quantity, interval and interval count; a tiered price when <paramref name="TiersMode"/>
    /// is set (the tiers as Stripe lists them when expanded), and the item's own discounts.
    /// </summary>
    public sealed record Item(string PriceId, long UnitAmount, long Quantity, string Interval, int IntervalCount = 1, string? Nickname = null,
        string? TiersMode = null, IReadOnlyList<Tier>? Tiers = null, IReadOnlyList<string>? Discounts = null);

    /// <summary>A price tier in cents; <paramref name="UpTo"/> null is the last, unbounded tier.</summary>
    public sealed record Tier(long? UpTo, long UnitAmount, long FlatAmount = 0);

    private static string TiersJson(IReadOnlyList<Tier> tiers) => "[" + string.Join(", ", tiers.Select(t =>
        $$"""{ "flat_amount": {{t.FlatAmount}}, "flat_amount_decimal": "{{t.FlatAmount}}", "unit_amount": {{t.UnitAmount}}, "unit_amount_decimal": "{{t.UnitAmount}}", "up_to": {{(t.UpTo?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null")}} }""")) + "]";

    /// <summary>
    /// A discount object (API versions before 2025-03-31: the coupon under <c>coupon</c>; from it under <c>source.coupon</c>).
    /// </summary>
    public static string DiscountObject(string id, string customer, string duration, decimal? percentOff = null, long? amountOff = null,
        DateTimeOffset? end = null, int? durationInMonths = null, bool basil = false)
    {
        var coupon = $$"""
            {
              "id": "co_{{id[3..]}}",
              "object": "coupon",
              "amount_off": {{(amountOff?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null")}},
              "currency": {{(amountOff is null ? "null" : "\"usd\"")}},
              "duration": "{{duration}}",
              "duration_in_months": {{(durationInMonths?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null")}},
              "livemode": false,
              "name": "Launch offer",
              "percent_off": {{(percentOff?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null")}},
              "valid": true
            }
            """;
        return $$"""
            {
              "id": "{{id}}",
              "object": "discount",
              {{(basil ? $$"""
              "source": { "coupon": {{coupon}}, "type": "coupon" },
              """ : $$"""
              "coupon": {{coupon}},
              """)}}
              "customer": "{{customer}}",
              "end": {{(end?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null")}},
              "invoice": null,
              "invoice_item": null,
              "promotion_code": null,
              "start": 1767225600,
              "subscription": null
            }
            """;
    }

    public static string Subscription(string id, string customer, string status, DateTimeOffset start, IReadOnlyList<Item> items,
        DateTimeOffset? canceledAt = null, string? cancellationReason = null, string currency = "usd", IReadOnlyList<string>? discounts = null,
        string? expandedCustomer = null)
    {
        var periodEnd = start.AddMonths(1).ToUnixTimeSeconds();
        var data = string.Join(",\n", items.Select((item, i) => $$"""
            {
              "id": "si_{{id[4..]}}{{i}}",
              "object": "subscription_item",
              "created": {{start.ToUnixTimeSeconds()}},
              "metadata": {},
              "price": {
                "id": "{{item.PriceId}}",
                "object": "price",
                "active": true,
                "billing_scheme": "{{(item.TiersMode is null ? "per_unit" : "tiered")}}",
                "created": {{start.ToUnixTimeSeconds()}},
                "currency": "{{currency}}",
                "livemode": false,
                "lookup_key": null,
                "metadata": {},
                "nickname": {{(item.Nickname is null ? "null" : $"\"{item.Nickname}\"")}},
                "product": "prod_{{item.PriceId[6..]}}",
                "recurring": { "aggregate_usage": null, "interval": "{{item.Interval}}", "interval_count": {{item.IntervalCount}}, "trial_period_days": null, "usage_type": "licensed" },
                "tax_behavior": "unspecified",
                "tiers_mode": {{(item.TiersMode is null ? "null" : $"\"{item.TiersMode}\"")}},{{(item.Tiers is null ? "" : "\n    \"tiers\": " + TiersJson(item.Tiers) + ",")}}
                "type": "recurring",
                "unit_amount": {{(item.TiersMode is null ? item.UnitAmount.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}},
                "unit_amount_decimal": {{(item.TiersMode is null ? $"\"{item.UnitAmount}\"" : "null")}}
              },
              "discounts": [{{string.Join(", ", item.Discounts ?? [])}}],
              "quantity": {{item.Quantity}},
              "subscription": "{{id}}",
              "tax_rates": []
            }
            """));
        var ended = canceledAt?.ToUnixTimeSeconds().ToString() ?? "null";
        return $$"""
        {
          "id": "{{id}}",
          "object": "subscription",
          "billing_cycle_anchor": {{start.ToUnixTimeSeconds()}},
          "cancel_at": null,
          "cancel_at_period_end": false,
          "canceled_at": {{ended}},
          "cancellation_details": { "comment": null, "feedback": null, "reason": {{(cancellationReason is null ? "null" : $"\"{cancellationReason}\"")}} },
          "collection_method": "charge_automatically",
          "created": {{start.ToUnixTimeSeconds()}},
          "currency": "{{currency}}",
          "current_period_end": {{periodEnd}},
          "current_period_start": {{start.ToUnixTimeSeconds()}},
          "customer": {{expandedCustomer ?? $"\"{customer}\""}},
          "days_until_due": null,
          "discounts": [{{string.Join(", ", discounts ?? [])}}],
          "default_payment_method": null,
          "ended_at": {{ended}},
          "items": { "object": "list", "data": [{{data}}], "has_more": false, "total_count": {{items.Count}}, "url": "/v1/subscription_items?subscription={{id}}" },
          "latest_invoice": null,
          "livemode": false,
          "metadata": {},
          "start_date": {{start.ToUnixTimeSeconds()}},
          "status": "{{status}}",
          "trial_end": null,
          "trial_start": null
        }
        """;
    }

    public static string Invoice(string id, string customer, string number, string status, long total, DateTimeOffset finalizedAt, DateTimeOffset? dueDate,
        string? charge = null, long amountPaid = 0, DateTimeOffset? paidAt = null, int attemptCount = 0, string currency = "usd") =>
        $$"""
        {
          "id": "{{id}}",
          "object": "invoice",
          "account_country": "US",
          "account_name": "CsmPayments Demo",
          "amount_due": {{total}},
          "amount_paid": {{amountPaid}},
          "amount_remaining": {{total - amountPaid}},
          "attempt_count": {{attemptCount}},
          "attempted": {{(attemptCount > 0 ? "true" : "false")}},
          "auto_advance": true,
          "billing_reason": "subscription_cycle",
          "charge": {{(charge is null ? "null" : $"\"{charge}\"")}},
          "collection_method": "{{(dueDate is null ? "charge_automatically" : "send_invoice")}}",
          "created": {{finalizedAt.AddHours(-1).ToUnixTimeSeconds()}},
          "currency": "{{currency}}",
          "custom_fields": [{ "name": "PO Number", "value": "PO-7781" }],
          "customer": "{{customer}}",
          "customer_email": "ap@acme.example",
          "due_date": {{dueDate?.ToUnixTimeSeconds().ToString() ?? "null"}},
          "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_{{id}}",
          "lines": { "object": "list", "data": [], "has_more": false, "total_count": 0, "url": "/v1/invoices/{{id}}/lines" },
          "livemode": false,
          "metadata": {},
          "number": "{{number}}",
          "paid": {{(status == "paid" ? "true" : "false")}},
          "paid_out_of_band": false,
          "payment_intent": null,
          "period_end": {{finalizedAt.ToUnixTimeSeconds()}},
          "period_start": {{finalizedAt.AddMonths(-1).ToUnixTimeSeconds()}},
          "status": "{{status}}",
          "status_transitions": {
            "finalized_at": {{finalizedAt.ToUnixTimeSeconds()}},
            "marked_uncollectible_at": null,
            "paid_at": {{paidAt?.ToUnixTimeSeconds().ToString() ?? "null"}},
            "voided_at": null
          },
          "subscription": null,
          "subtotal": {{total}},
          "tax": null,
          "total": {{total}}
        }
        """;

    public static string Charge(string id, string customer, string? invoice, long amount, DateTimeOffset created, string status,
        long amountRefunded = 0, string? failureCode = null, string? declineReason = null, string currency = "usd") =>
        $$"""
        {
          "id": "{{id}}",
          "object": "charge",
          "amount": {{amount}},
          "amount_captured": {{(status == "succeeded" ? amount : 0)}},
          "amount_refunded": {{amountRefunded}},
          "balance_transaction": null,
          "billing_details": { "address": null, "email": null, "name": null, "phone": null },
          "captured": {{(status == "succeeded" ? "true" : "false")}},
          "created": {{created.ToUnixTimeSeconds()}},
          "currency": "{{currency}}",
          "customer": "{{customer}}",
          "description": null,
          "disputed": false,
          "failure_code": {{(failureCode is null ? "null" : $"\"{failureCode}\"")}},
          "failure_message": {{(failureCode is null ? "null" : "\"Your card was declined.\"")}},
          "invoice": {{(invoice is null ? "null" : $"\"{invoice}\"")}},
          "livemode": false,
          "metadata": {},
          "outcome": {
            "network_status": "{{(status == "succeeded" ? "approved_by_network" : "declined_by_network")}}",
            "reason": {{(declineReason is null ? "null" : $"\"{declineReason}\"")}},
            "risk_level": "normal",
            "seller_message": "{{(status == "succeeded" ? "Payment complete." : "The bank did not return any further details with this decline.")}}",
            "type": "{{(status == "succeeded" ? "authorized" : "issuer_declined")}}"
          },
          "paid": {{(status == "succeeded" ? "true" : "false")}},
          "payment_intent": "pi_{{id[3..]}}",
          "payment_method": "pm_{{id[3..]}}",
          "payment_method_details": { "card": { "brand": "visa", "country": "US", "exp_month": 8, "exp_year": 2027, "last4": "4242" }, "type": "card" },
          "refunded": {{(amountRefunded == amount ? "true" : "false")}},
          "status": "{{status}}"
        }
        """;

    public static string PaymentIntentFailed(string id, string customer, string? invoice, string charge, long amount, string declineCode) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "payment_intent",
          "amount": {{amount}},
          "amount_received": 0,
          "capture_method": "automatic",
          "client_secret": "{{id}}_secret_abc",
          "confirmation_method": "automatic",
          "created": 1772000000,
          "currency": "usd",
          "customer": "{{customer}}",
          "invoice": {{(invoice is null ? "null" : $"\"{invoice}\"")}},
          "last_payment_error": {
            "charge": "{{charge}}",
            "code": "card_declined",
            "decline_code": "{{declineCode}}",
            "doc_url": "https://stripe.com/docs/error-codes/card-declined",
            "message": "Your card has insufficient funds.",
            "type": "card_error"
          },
          "latest_charge": "{{charge}}",
          "livemode": false,
          "metadata": {},
          "payment_method_types": ["card"],
          "status": "requires_payment_method"
        }
        """;

    public static string Dispute(string id, string charge, long amount, string status, DateTimeOffset created) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "dispute",
          "amount": {{amount}},
          "balance_transactions": [],
          "charge": "{{charge}}",
          "created": {{created.ToUnixTimeSeconds()}},
          "currency": "usd",
          "evidence_details": { "due_by": {{created.AddDays(7).ToUnixTimeSeconds()}}, "has_evidence": false, "past_due": false, "submission_count": 0 },
          "is_charge_refundable": false,
          "livemode": false,
          "metadata": {},
          "payment_intent": "pi_{{charge[3..]}}",
          "reason": "fraudulent",
          "status": "{{status}}"
        }
        """;

    public static string CreditNote(string id, string customer, string invoice, string number, long total, DateTimeOffset created) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "credit_note",
          "amount": {{total}},
          "amount_shipping": 0,
          "created": {{created.ToUnixTimeSeconds()}},
          "currency": "usd",
          "customer": "{{customer}}",
          "customer_balance_transaction": null,
          "discount_amount": 0,
          "discount_amounts": [],
          "invoice": "{{invoice}}",
          "lines": { "object": "list", "data": [], "has_more": false, "url": "/v1/credit_notes/{{id}}/lines" },
          "livemode": false,
          "memo": "Service outage",
          "metadata": {},
          "number": "{{number}}",
          "out_of_band_amount": null,
          "pdf": "https://pay.stripe.com/credit_notes/acct_1/test_{{id}}/pdf",
          "reason": "order_change",
          "refund": null,
          "status": "issued",
          "subtotal": {{total}},
          "total": {{total}},
          "type": "pre_payment",
          "voided_at": null
        }
        """;

    /// <summary>A payment of an invoice as API version 2025-03-31 lists it: which payment intent (or charge) paid how much.</summary>
    public sealed record InvoicePaymentOf(string Id, string? PaymentIntent, string? Charge, long AmountPaid, DateTimeOffset PaidAt, string Status = "paid");

    /// <summary>
    /// An invoice as API version 2025-03-31 ("basil") shapes it: no <c>charge</c>, <c>payment_intent</c> or <c>paid</c>;
    /// the subscription under <c>parent</c>; the payments in <c>payments</c> as invoice_payment objects.
    /// </summary>
    public static string BasilInvoice(string id, string customer, string number, string status, long total, DateTimeOffset finalizedAt,
        DateTimeOffset? dueDate, IReadOnlyList<InvoicePaymentOf> payments, string currency = "usd", int? attemptCount = null, bool listPayments = true)
    {
        var paid = payments.Where(p => p.Status == "paid").Sum(p => p.AmountPaid);
        var data = string.Join(",\n", payments.Select(p => $$"""
            {
              "id": "{{p.Id}}",
              "object": "invoice_payment",
              "amount_paid": {{(p.Status == "paid" ? p.AmountPaid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}},
              "amount_requested": {{p.AmountPaid}},
              "created": {{p.PaidAt.AddMinutes(-1).ToUnixTimeSeconds()}},
              "currency": "{{currency}}",
              "invoice": "{{id}}",
              "is_default": true,
              "livemode": false,
              "payment": {
                "type": "{{(p.PaymentIntent is null ? "charge" : "payment_intent")}}",
                {{(p.PaymentIntent is null ? $"\"charge\": \"{p.Charge}\"" : $"\"payment_intent\": \"{p.PaymentIntent}\"")}}
              },
              "status": "{{p.Status}}",
              "status_transitions": { "canceled_at": null, "paid_at": {{(p.Status == "paid" ? p.PaidAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}} }
            }
            """));
        var paidAt = payments.Where(p => p.Status == "paid").Select(p => (DateTimeOffset?)p.PaidAt).Max();
        // Webhook endpoints get the payments only where the invoice includes them.
        var paymentsField = listPayments ? $$"""
            "payments": { "object": "list", "data": [{{data}}], "has_more": false, "url": "/v1/invoices/{{id}}/payments" },
            """ : "";
        return $$"""
        {
          "id": "{{id}}",
          "object": "invoice",
          "account_country": "US",
          "account_name": "CsmPayments Demo",
          "amount_due": {{total}},
          "amount_overpaid": 0,
          "amount_paid": {{paid}},
          "amount_remaining": {{total - paid}},
          "attempt_count": {{attemptCount ?? payments.Count}},
          "attempted": {{(payments.Count > 0 ? "true" : "false")}},
          "auto_advance": true,
          "billing_reason": "subscription_cycle",
          "collection_method": "{{(dueDate is null ? "charge_automatically" : "send_invoice")}}",
          "created": {{finalizedAt.AddHours(-1).ToUnixTimeSeconds()}},
          "currency": "{{currency}}",
          "custom_fields": null,
          "customer": "{{customer}}",
          "customer_email": "ap@acme.example",
          "due_date": {{dueDate?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}},
          "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_{{id}}",
          "lines": { "object": "list", "data": [], "has_more": false, "total_count": 0, "url": "/v1/invoices/{{id}}/lines" },
          "livemode": false,
          "metadata": {},
          "number": "{{number}}",
          "parent": { "quote_details": null, "subscription_details": { "metadata": {}, "subscription": "sub_1" }, "type": "subscription_details" },
          {{paymentsField}}
          "period_end": {{finalizedAt.ToUnixTimeSeconds()}},
          "period_start": {{finalizedAt.AddMonths(-1).ToUnixTimeSeconds()}},
          "status": "{{status}}",
          "status_transitions": {
            "finalized_at": {{finalizedAt.ToUnixTimeSeconds()}},
            "marked_uncollectible_at": null,
            "paid_at": {{paidAt?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}},
            "voided_at": null
          },
          "subtotal": {{total}},
          "total": {{total}},
          "total_taxes": []
        }
        """;
    }

    /// <summary>A charge as API version 2025-03-31 shapes it: it names its payment intent, and no invoice.</summary>
    public static string BasilCharge(string id, string paymentIntent, string customer, long amount, DateTimeOffset created, long amountRefunded = 0) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "charge",
          "amount": {{amount}},
          "amount_captured": {{amount}},
          "amount_refunded": {{amountRefunded}},
          "balance_transaction": "txn_{{id[3..]}}",
          "billing_details": { "address": null, "email": null, "name": null, "phone": null },
          "captured": true,
          "created": {{created.ToUnixTimeSeconds()}},
          "currency": "usd",
          "customer": "{{customer}}",
          "description": "Subscription update",
          "disputed": false,
          "failure_code": null,
          "failure_message": null,
          "livemode": false,
          "metadata": {},
          "outcome": { "network_status": "approved_by_network", "reason": null, "risk_level": "normal", "seller_message": "Payment complete.", "type": "authorized" },
          "paid": true,
          "payment_intent": "{{paymentIntent}}",
          "payment_method": "pm_{{id[3..]}}",
          "payment_method_details": { "card": { "brand": "visa", "country": "US", "exp_month": 8, "exp_year": 2027, "last4": "4242" }, "type": "card" },
          "refunded": {{(amountRefunded == amount ? "true" : "false")}},
          "refunds": { "object": "list", "data": [], "has_more": false, "url": "/v1/charges/{{id}}/refunds" },
          "status": "succeeded"
        }
        """;

    /// <summary>A failed charge as API version 2025-03-31 shapes it: its payment intent, the decline, and no invoice.</summary>
    public static string BasilFailedCharge(string id, string paymentIntent, string customer, long amount, DateTimeOffset created, string declineReason) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "charge",
          "amount": {{amount}},
          "amount_captured": 0,
          "amount_refunded": 0,
          "balance_transaction": null,
          "billing_details": { "address": null, "email": null, "name": null, "phone": null },
          "captured": false,
          "created": {{created.ToUnixTimeSeconds()}},
          "currency": "usd",
          "customer": "{{customer}}",
          "description": "Subscription update",
          "disputed": false,
          "failure_code": "card_declined",
          "failure_message": "Your card was declined.",
          "livemode": false,
          "metadata": {},
          "outcome": { "network_status": "declined_by_network", "reason": "{{declineReason}}", "risk_level": "normal", "seller_message": "The bank returned the decline code `{{declineReason}}`.", "type": "issuer_declined" },
          "paid": false,
          "payment_intent": "{{paymentIntent}}",
          "payment_method": "pm_{{id[3..]}}",
          "payment_method_details": { "card": { "brand": "visa", "country": "US", "exp_month": 8, "exp_year": 2027, "last4": "0341" }, "type": "card" },
          "refunded": false,
          "refunds": { "object": "list", "data": [], "has_more": false, "url": "/v1/charges/{{id}}/refunds" },
          "status": "failed"
        }
        """;

    /// <summary>A payment intent whose attempt failed, as API version 2025-03-31 shapes it: no invoice.</summary>
    public static string BasilPaymentIntentFailed(string id, string customer, string charge, long amount, string declineCode) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "payment_intent",
          "amount": {{amount}},
          "amount_received": 0,
          "capture_method": "automatic_async",
          "client_secret": "{{id}}_secret_abc",
          "confirmation_method": "automatic",
          "created": 1772000000,
          "currency": "usd",
          "customer": "{{customer}}",
          "last_payment_error": {
            "charge": "{{charge}}",
            "code": "card_declined",
            "decline_code": "{{declineCode}}",
            "doc_url": "https://stripe.com/docs/error-codes/card-declined",
            "message": "Your card was declined.",
            "type": "card_error"
          },
          "latest_charge": "{{charge}}",
          "livemode": false,
          "metadata": {},
          "payment_method_types": ["card"],
          "status": "requires_payment_method"
        }
        """;

    /// <summary>An <c>invoice_payment</c> (API version 2025-03-31 on), paid: the payment intent that paid an invoice, or part of it.</summary>
    public static string InvoicePayment(string id, string invoice, string paymentIntent, long amountPaid, DateTimeOffset paidAt) =>
        $$"""
        {
          "id": "{{id}}",
          "object": "invoice_payment",
          "amount_paid": {{amountPaid}},
          "amount_requested": {{amountPaid}},
          "created": {{paidAt.AddMinutes(-1).ToUnixTimeSeconds()}},
          "currency": "usd",
          "invoice": "{{invoice}}",
          "is_default": true,
          "livemode": false,
          "payment": { "type": "payment_intent", "payment_intent": "{{paymentIntent}}" },
          "status": "paid",
          "status_transitions": { "canceled_at": null, "paid_at": {{paidAt.ToUnixTimeSeconds()}} }
        }
        """;
}
