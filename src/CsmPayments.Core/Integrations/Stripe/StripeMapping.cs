using System.Globalization;
using System.Text.Json;
using CsmPayments.Billing;

namespace CsmPayments.Integrations.Stripe;

/// <summary>One change to the ledger that a Stripe event asks for, on one Stripe object.</summary>
public abstract record StripeChange(string ObjectId, string? CustomerId);

/// <summary>
/// A customer: link it to the account its metadata names, or unlink it when deleted. One whose metadata names no account
/// becomes an account of its own, from its name, email (the billing contact), currency and country.
/// </summary>
public sealed record CustomerChange(string ObjectId, string? AccountExternalId, bool Deleted, string? Name = null, string? Email = null,
    string? Currency = null, string? Country = null) : StripeChange(ObjectId, ObjectId);

public sealed record SubscriptionChange(string ObjectId, string CustomerId, string Plan, Money Mrr, DateOnly StartDate, DateOnly? EndDate,
    DateOnly? RenewalDate, CancellationReason? CancellationReason) : StripeChange(ObjectId, CustomerId);

public sealed record InvoiceChange(string ObjectId, string CustomerId, string Number, DateOnly IssueDate, DateOnly DueDate, Money Amount,
    InvoiceStatus Status, string? PoNumber) : StripeChange(ObjectId, CustomerId);

/// <summary>
/// A payment or failed attempt, keyed by the Stripe payment intent or charge it is. <paramref name="Aliases"/> are the other
/// Stripe ids the same money is known by (the charge of a payment intent, or the reverse): from API version 2025-03-31 an
/// invoice names its payment intents only, while a refund names the charge and its payment intent, so the ledger matches a
/// payment on any of them.
/// <para><paramref name="StandsIn"/>: an invoice told of a payment or failed attempt without naming the charge or payment intent
/// (API version 2025-03-31 on, or a payment out of band), so the record stands in for the payment's own record until that
/// arrives, and is not made when that is already here — one attempt, one record, whichever events arrive in any order.</para>
/// <para>A payment without a customer (an <c>invoice_payment</c>) belongs to the account of its invoice.</para>
/// </summary>
public sealed record PaymentChange(string ObjectId, string? CustomerId, string? InvoiceId, Money Amount, DateOnly PaidOn, PaymentMethod Method,
    PaymentStatus Status, string? FailureCode, IReadOnlyList<string>? Aliases = null, bool FromInvoice = false, bool StandsIn = false)
    : StripeChange(ObjectId, CustomerId)
{
    /// <summary>The key first, then the aliases: every Stripe id this payment may already be recorded under.</summary>
    public IReadOnlyList<string> Keys => [ObjectId, .. (Aliases ?? []).Where(a => a != ObjectId)];
}

public sealed record CreditNoteChange(string ObjectId, string CustomerId, string InvoiceId, string Number, Money Amount, DateOnly IssuedOn)
    : StripeChange(ObjectId, CustomerId);

/// <summary>A dispute on a charge; <paramref name="PaymentIntentId"/> is the charge's payment intent, under which the payment may be recorded.</summary>
public sealed record DisputeChange(string ObjectId, string ChargeId, string? PaymentIntentId, Money Amount, string Reason, string Status, DateOnly OpenedOn,
    DateOnly? ClosedOn) : StripeChange(ObjectId, null)
{
    /// <summary>Lost: the bank took the money back from the payment.</summary>
    public bool Lost => ClosedOn is not null && Status == "lost";
}

/// <summary>A Stripe event read for the ledger: its identity, and the changes it asks for (none for a type not mapped).</summary>
public sealed record StripeEventChanges(string EventId, string Type, long Created, IReadOnlyList<StripeChange> Changes)
{
    public DateTimeOffset CreatedAt => DateTimeOffset.FromUnixTimeSeconds(Created);
}

/// <summary>A signed event whose content cannot be read as the Stripe API reference describes it.</summary>
public sealed class StripePayloadException(string message) : Exception(message);

/// <summary>
/// Reads Stripe events (the JSON of Stripe's API reference) into ledger changes. Pure: no database, no clock; dates are
/// days in <c>zone</c>, the organisation's time zone. Amounts arrive in the currency's minor unit (cents; yen have none).
/// </summary>
public static class StripeMapping
{
    /// <summary>Metadata keys on a Stripe customer that name the account's external id.</summary>
    public static readonly IReadOnlyList<string> AccountMetadataKeys = ["account_external_id", "external_id"];

    public static readonly IReadOnlyList<string> MappedTypes =
    [
        "customer.created", "customer.updated", "customer.deleted",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
        "invoice.finalized", "invoice.paid", "invoice.payment_failed", "invoice.voided", "invoice.marked_uncollectible",
        "charge.failed", "charge.refunded", "payment_intent.payment_failed",
        "charge.dispute.created", "charge.dispute.closed", "credit_note.created", "invoice_payment.paid",
    ];

    public static StripeEventChanges Map(JsonElement evt, TimeZoneInfo zone)
    {
        var id = Text(evt, "id") ?? throw new StripePayloadException("the event has no id");
        var type = Text(evt, "type") ?? throw new StripePayloadException($"event {id} has no type");
        var created = Long(evt, "created") ?? throw new StripePayloadException($"event {id} has no created time");
        if (!MappedTypes.Contains(type)) return new StripeEventChanges(id, type, created, []);
        if (!evt.TryGetProperty("data", out var data) || !data.TryGetProperty("object", out var o) || o.ValueKind != JsonValueKind.Object)
            throw new StripePayloadException($"event {id} has no data.object");
        var day = (long seconds) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(seconds), zone).DateTime);
        var eventDay = day(created);
        IReadOnlyList<StripeChange> changes = type switch
        {
            "customer.created" or "customer.updated" => [Customer(o, deleted: false)],
            "customer.deleted" => [Customer(o, deleted: true)],
            "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted" => [Subscription(o, day, created)],
            "invoice.finalized" or "invoice.voided" or "invoice.marked_uncollectible" => [Invoice(o, day)],
            "invoice.paid" => [Invoice(o, day), .. InvoicePaid(o, day, eventDay)],
            "invoice.payment_failed" => [Invoice(o, day), InvoiceFailed(o, eventDay)],
            "charge.failed" => [Charge(o, day, PaymentStatus.Failed)],
            "charge.refunded" => [Charge(o, day, PaymentStatus.Succeeded)],
            "payment_intent.payment_failed" => [PaymentIntentFailed(o, eventDay)],
            "charge.dispute.created" => [Dispute(o, day, closedOn: null)],
            "charge.dispute.closed" => [Dispute(o, day, closedOn: eventDay)],
            "credit_note.created" => [CreditNote(o, day)],
            "invoice_payment.paid" => [InvoicePaymentPaid(o, day, eventDay)],
            _ => [],
        };
        return new StripeEventChanges(id, type, created, changes);
    }

    /// <summary>
    /// A recurring price as MRR: amount × quantity × months per interval. A day is 12/365 of a month, a week 12/52;
    /// a price every N intervals counts 1/N of that.
    /// </summary>
    public static decimal MonthlyFactor(string interval, long intervalCount)
    {
        if (intervalCount < 1) throw new StripePayloadException($"interval_count {intervalCount} is not a positive number");
        var perMonth = interval switch
        {
            "day" => 365m / 12m,
            "week" => 52m / 12m,
            "month" => 1m,
            "year" => 1m / 12m,
            _ => throw new StripePayloadException($"'{interval}' is not a Stripe billing interval (day, week, month, year)"),
        };
        return perMonth / intervalCount;
    }

    /// <summary>An amount in the currency's minor unit as <see cref="Money"/>.</summary>
    public static Money FromMinorUnits(decimal minor, string currency)
    {
        if (!Currencies.IsKnown(currency.ToUpperInvariant())) throw new StripePayloadException($"'{currency}' is not a currency this product knows");
        var code = currency.ToUpperInvariant();
        var divisor = Currencies.MinorDigits(code) switch { 0 => 1m, 3 => 1000m, _ => 100m };
        return new Money(minor / divisor, code);
    }

    private static CustomerChange Customer(JsonElement o, bool deleted)
    {
        var id = Required(o, "id");
        string? externalId = null;
        if (o.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            externalId = AccountMetadataKeys.Select(k => Text(metadata, k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
        var address = o.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.Object ? a
            : o.TryGetProperty("shipping", out var sh) && sh.ValueKind == JsonValueKind.Object && sh.TryGetProperty("address", out var sa) ? sa : default;
        return new CustomerChange(id, externalId, deleted || o.TryGetProperty("deleted", out var d) && d.ValueKind == JsonValueKind.True,
            Text(o, "name") ?? Text(o, "description"), Text(o, "email"), Text(o, "currency")?.ToUpperInvariant(), Text(address, "country")?.ToUpperInvariant());
    }

    /// <summary>One tier of a tiered price, in minor units: units up to <paramref name="UpTo"/> (null: no limit).</summary>
    public sealed record PriceTier(long? UpTo, decimal UnitAmount, decimal FlatAmount);

    /// <summary>
    /// What a tiered price charges for <paramref name="quantity"/> units in one billing period, in minor units.
    /// <c>volume</c>: every unit at the price of the tier the whole quantity falls in, plus that tier's flat amount.
    /// <c>graduated</c>: each tier's units at that tier's price, plus the flat amount of every tier reached. No units, no charge.
    /// </summary>
    public static decimal TieredAmount(string tiersMode, IReadOnlyList<PriceTier> tiers, long quantity)
    {
        if (tiers.Count == 0) throw new StripePayloadException("a tiered price without tiers (expand the price's tiers)");
        if (quantity <= 0) return 0m;
        var ordered = tiers.OrderBy(t => t.UpTo ?? long.MaxValue).ToList();
        switch (tiersMode)
        {
            case "volume":
                var tier = ordered.FirstOrDefault(t => quantity <= (t.UpTo ?? long.MaxValue))
                           ?? throw new StripePayloadException($"no tier holds a quantity of {quantity}");
                return quantity * tier.UnitAmount + tier.FlatAmount;
            case "graduated":
                var (total, below) = (0m, 0L);
                foreach (var t in ordered)
                {
                    if (quantity <= below) break;
                    var units = Math.Min(quantity, t.UpTo ?? long.MaxValue) - below;
                    total += units * t.UnitAmount + t.FlatAmount;
                    below = t.UpTo ?? long.MaxValue;
                }
                if (quantity > below) throw new StripePayloadException($"no tier holds a quantity of {quantity}");
                return total;
            default:
                throw new StripePayloadException($"'{tiersMode}' is not a Stripe tiers_mode (graduated, volume)");
        }
    }

    /// <summary>
    /// A coupon as it weighs on MRR. <paramref name="AmountOff"/> is in minor units per billing period; <paramref name="End"/>
    /// is when a <c>repeating</c> discount stops (Unix seconds).
    /// </summary>
    public sealed record Discount(string Id, decimal? PercentOff, decimal? AmountOff, string? Currency, string Duration, long? End);

    /// <summary>
    /// A monthly amount (minor units) after discounts, applied in turn: a percentage of what is left, or an amount off each
    /// billing period normalised to a month with <paramref name="monthlyFactor"/>. A <c>once</c> coupon is a one-off and no
    /// part of recurring revenue; a <c>repeating</c> one counts until its end; <c>forever</c> always. Never below zero.
    /// </summary>
    public static decimal Discounted(decimal monthly, IEnumerable<Discount> discounts, decimal monthlyFactor, string currency, long at)
    {
        foreach (var d in discounts)
        {
            var applies = d.Duration switch
            {
                "forever" => true,
                "repeating" => d.End is null || d.End > at,
                _ => false,
            };
            if (!applies) continue;
            if (d.PercentOff is { } percent) monthly -= monthly * percent / 100m;
            else if (d.AmountOff is { } off && string.Equals(d.Currency, currency, StringComparison.OrdinalIgnoreCase)) monthly -= off * monthlyFactor;
            if (monthly < 0m) monthly = 0m;
        }
        return monthly;
    }

    /// <summary>
    /// The discounts on an object: <c>discount</c> (one, before API version 2025-03-31) and the expanded objects of
    /// <c>discounts</c>; the coupon is <c>coupon</c>, or <c>source.coupon</c> from 2025-03-31. A discount listed by id only,
    /// not expanded, cannot be read and is left out.
    /// </summary>
    private static IReadOnlyList<Discount> Discounts(JsonElement o)
    {
        var found = new List<Discount>();
        void Add(JsonElement d)
        {
            if (d.ValueKind != JsonValueKind.Object) return;
            var coupon = d.TryGetProperty("coupon", out var c) && c.ValueKind == JsonValueKind.Object ? c
                : d.TryGetProperty("source", out var src) && src.ValueKind == JsonValueKind.Object && src.TryGetProperty("coupon", out var sc) && sc.ValueKind == JsonValueKind.Object ? sc
                : default;
            if (coupon.ValueKind != JsonValueKind.Object) return;
            var id = Text(d, "id") ?? Text(coupon, "id") ?? "";
            if (found.Any(x => x.Id == id && id.Length > 0)) return;
            found.Add(new Discount(id, Decimal(coupon, "percent_off"), Decimal(coupon, "amount_off"), Text(coupon, "currency"),
                Text(coupon, "duration") ?? "once", Long(d, "end")));
        }
        if (o.ValueKind != JsonValueKind.Object) return found;
        if (o.TryGetProperty("discount", out var one)) Add(one);
        if (o.TryGetProperty("discounts", out var many) && many.ValueKind == JsonValueKind.Array)
            foreach (var d in many.EnumerateArray()) Add(d);
        return found;
    }

    /// <summary>One billing period of an item's price for its quantity, in minor units: per unit (with <c>transform_quantity</c>) or tiered.</summary>
    private static decimal PeriodAmount(JsonElement price, long quantity, string subscriptionId)
    {
        if (Text(price, "billing_scheme") == "tiered")
        {
            var tiers = price.TryGetProperty("tiers", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(t => new PriceTier(Long(t, "up_to"),
                    Decimal(t, "unit_amount_decimal") ?? Decimal(t, "unit_amount") ?? 0m, Decimal(t, "flat_amount_decimal") ?? Decimal(t, "flat_amount") ?? 0m)).ToList()
                : throw new StripePayloadException($"subscription {subscriptionId} has a tiered price {Text(price, "id")} without its tiers (expand items.data.price.tiers)");
            return TieredAmount(Text(price, "tiers_mode") ?? throw new StripePayloadException($"the tiered price {Text(price, "id")} has no tiers_mode"), tiers, quantity);
        }
        var unit = Decimal(price, "unit_amount_decimal") ?? Decimal(price, "unit_amount") ?? Decimal(price, "amount")
                   ?? throw new StripePayloadException($"subscription {subscriptionId} has a price without unit_amount");
        if (price.TryGetProperty("transform_quantity", out var transform) && transform.ValueKind == JsonValueKind.Object
            && Long(transform, "divide_by") is { } divideBy and > 0)
        {
            var packages = (decimal)quantity / divideBy;
            quantity = (long)(Text(transform, "round") == "down" ? Math.Floor(packages) : Math.Ceiling(packages));
        }
        return unit * quantity;
    }

    private static SubscriptionChange Subscription(JsonElement o, Func<long, DateOnly> day, long at)
    {
        var id = Required(o, "id");
        var currency = Required(o, "currency");
        var status = Text(o, "status") ?? "active";
        var items = o.TryGetProperty("items", out var list) && list.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().ToArray()
            : [];
        decimal minor = 0m;
        decimal? monthlyFactor = null;
        string? plan = null;
        long? periodEnd = Long(o, "current_period_end");
        foreach (var item in items)
        {
            var price = item.TryGetProperty("price", out var p) && p.ValueKind == JsonValueKind.Object ? p
                : item.TryGetProperty("plan", out var legacy) && legacy.ValueKind == JsonValueKind.Object ? legacy
                : throw new StripePayloadException($"subscription {id} has an item without a price");
            var quantity = Long(item, "quantity") ?? 1;
            var recurring = price.TryGetProperty("recurring", out var r) && r.ValueKind == JsonValueKind.Object ? r : price;
            var interval = Text(recurring, "interval") ?? throw new StripePayloadException($"subscription {id} has a price that does not recur");
            var factor = MonthlyFactor(interval, Long(recurring, "interval_count") ?? 1);
            monthlyFactor ??= factor;
            minor += Discounted(PeriodAmount(price, quantity, id) * factor, Discounts(item), factor, currency, at);
            plan ??= Text(price, "nickname") ?? Text(price, "lookup_key") ?? ProductName(price) ?? Text(price, "id");
            periodEnd ??= Long(item, "current_period_end");
        }
        // The subscription's discounts, then the customer's when the customer comes expanded with the subscription.
        var customer = o.TryGetProperty("customer", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        minor = Discounted(minor, [.. Discounts(o), .. Discounts(customer)], monthlyFactor ?? 1m, currency, at);
        // Trials, unfinished sign-ups and paused subscriptions bring in no revenue yet.
        if (status is "trialing" or "incomplete" or "incomplete_expired" or "paused") minor = 0m;
        var startedAt = Long(o, "start_date") ?? Long(o, "created") ?? throw new StripePayloadException($"subscription {id} has no start_date");
        var start = day(startedAt);
        DateOnly? end = status is "canceled" or "incomplete_expired"
            ? day(Long(o, "ended_at") ?? Long(o, "canceled_at") ?? Long(o, "cancel_at") ?? startedAt)
            : Long(o, "cancel_at") is { } cancelAt ? day(cancelAt) : null;
        if (end < start) end = start;
        CancellationReason? reason = end is null
            ? null
            : (o.TryGetProperty("cancellation_details", out var details) ? Text(details, "reason") : null) switch
            {
                "payment_failed" or "payment_disputed" => CancellationReason.Delinquent,
                _ => CancellationReason.Voluntary,
            };
        DateOnly? renewal = end is null && periodEnd is { } pe && day(pe) >= start ? day(pe) : null;
        return new SubscriptionChange(id, Customer(o), plan ?? "stripe", FromMinorUnits(minor, currency), start, end, renewal, reason);
    }

    private static string? ProductName(JsonElement price) =>
        price.TryGetProperty("product", out var product) && product.ValueKind == JsonValueKind.Object ? Text(product, "name") : null;

    private static InvoiceChange Invoice(JsonElement o, Func<long, DateOnly> day)
    {
        var id = Required(o, "id");
        var issued = day((o.TryGetProperty("status_transitions", out var st) ? Long(st, "finalized_at") : null)
                         ?? Long(o, "effective_at") ?? Long(o, "created") ?? throw new StripePayloadException($"invoice {id} has no created time"));
        var due = Long(o, "due_date") is { } d ? day(d) : issued;
        if (due < issued) due = issued;
        var total = Decimal(o, "total") ?? Decimal(o, "amount_due") ?? throw new StripePayloadException($"invoice {id} has no total");
        if (total < 0m) throw new StripePayloadException($"invoice {id} has a negative total ({total}); it is a credit, not an invoice");
        var status = Text(o, "status") switch
        {
            "void" => InvoiceStatus.Void,
            "uncollectible" => InvoiceStatus.Uncollectible,
            _ => InvoiceStatus.Open,
        };
        string? po = null;
        if (o.TryGetProperty("custom_fields", out var fields) && fields.ValueKind == JsonValueKind.Array)
            po = fields.EnumerateArray()
                .Where(f => Text(f, "name") is { } n && (n.Contains("PO", StringComparison.Ordinal) || n.Contains("purchase order", StringComparison.OrdinalIgnoreCase)))
                .Select(f => Text(f, "value")).FirstOrDefault();
        return new InvoiceChange(id, Customer(o), Text(o, "number") ?? id, issued, due, FromMinorUnits(total, Required(o, "currency")), status, po);
    }

    /// <summary>
    /// The payments of a paid invoice. Before API version 2025-03-31 the invoice names its <c>charge</c> and
    /// <c>payment_intent</c>; from that version it has neither, and lists its payments in <c>payments</c> as
    /// <c>invoice_payment</c> objects whose <c>payment</c> names the payment intent (or the charge, when it has none).
    /// </summary>
    private static IReadOnlyList<PaymentChange> InvoicePaid(JsonElement o, Func<long, DateOnly> day, DateOnly eventDay)
    {
        var id = Required(o, "id");
        var currency = Required(o, "currency");
        var customer = Customer(o);
        var paidAt = o.TryGetProperty("status_transitions", out var st) ? Long(st, "paid_at") : null;
        var outOfBand = o.TryGetProperty("paid_out_of_band", out var oob) && oob.ValueKind == JsonValueKind.True;
        var method = outOfBand ? PaymentMethod.Wire : PaymentMethod.Card;
        if (o.TryGetProperty("payments", out var list) && list.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            && data.GetArrayLength() > 0)
        {
            var payments = new List<PaymentChange>();
            foreach (var invoicePayment in data.EnumerateArray())
            {
                if (Text(invoicePayment, "status") is { } status && status != "paid") continue;
                var inpay = Required(invoicePayment, "id");
                var payment = invoicePayment.TryGetProperty("payment", out var pay) && pay.ValueKind == JsonValueKind.Object ? pay : default;
                var intent = Text(payment, "payment_intent");
                var charge = Text(payment, "charge");
                var key = intent ?? charge ?? Text(payment, "payment_record") ?? inpay;
                var at = invoicePayment.TryGetProperty("status_transitions", out var ist) ? Long(ist, "paid_at") : null;
                payments.Add(new PaymentChange(key, customer, id,
                    FromMinorUnits(Decimal(invoicePayment, "amount_paid") ?? 0m, Text(invoicePayment, "currency") ?? currency),
                    (at ?? paidAt) is { } when ? day(when) : eventDay, Text(payment, "type") == "payment_record" ? PaymentMethod.Wire : method,
                    PaymentStatus.Succeeded, null, [.. new[] { charge, inpay }.OfType<string>()], FromInvoice: true));
            }
            return payments;
        }
        var legacyCharge = Text(o, "charge");
        var legacyIntent = Text(o, "payment_intent");
        return
        [
            new PaymentChange(legacyCharge ?? legacyIntent ?? id + ":paid", customer, id, FromMinorUnits(Decimal(o, "amount_paid") ?? 0m, currency),
                paidAt is { } p ? day(p) : eventDay, method, PaymentStatus.Succeeded, null, [.. new[] { legacyIntent }.OfType<string>()], FromInvoice: true,
                StandsIn: legacyCharge is null && legacyIntent is null),
        ];
    }

    private static PaymentChange InvoiceFailed(JsonElement o, DateOnly eventDay)
    {
        var id = Required(o, "id");
        var attempt = Long(o, "attempt_count") ?? 1;
        var code = o.TryGetProperty("last_finalization_error", out var error) && error.ValueKind == JsonValueKind.Object ? Text(error, "code") : null;
        var charge = Text(o, "charge");
        return new PaymentChange(charge ?? $"{id}:attempt:{attempt}", Customer(o), id,
            FromMinorUnits(Decimal(o, "amount_due") ?? Decimal(o, "total") ?? 0m, Required(o, "currency")), eventDay, PaymentMethod.Card,
            PaymentStatus.Failed, code ?? "payment_failed", StandsIn: charge is null);
    }

    /// <summary>
    /// An <c>invoice_payment</c> paid (API version 2025-03-31 on): the payment intent (or charge) that paid part or all of
    /// an invoice. It names no customer: it belongs to the account of its invoice.
    /// </summary>
    private static PaymentChange InvoicePaymentPaid(JsonElement o, Func<long, DateOnly> day, DateOnly eventDay)
    {
        var inpay = Required(o, "id");
        var invoice = Required(o, "invoice");
        var payment = o.TryGetProperty("payment", out var pay) && pay.ValueKind == JsonValueKind.Object ? pay : default;
        var intent = Text(payment, "payment_intent");
        var charge = Text(payment, "charge");
        var key = intent ?? charge ?? Text(payment, "payment_record") ?? inpay;
        var at = o.TryGetProperty("status_transitions", out var st) ? Long(st, "paid_at") : null;
        var amount = Decimal(o, "amount_paid") ?? throw new StripePayloadException($"invoice_payment {inpay} has no amount_paid");
        return new PaymentChange(key, Text(o, "customer"), invoice, FromMinorUnits(amount, Required(o, "currency")), at is { } when ? day(when) : eventDay,
            Text(payment, "type") == "payment_record" ? PaymentMethod.Wire : PaymentMethod.Card, PaymentStatus.Succeeded, null,
            [.. new[] { charge, inpay }.OfType<string>()], FromInvoice: true);
    }

    private static PaymentChange Charge(JsonElement o, Func<long, DateOnly> day, PaymentStatus status)
    {
        var id = Required(o, "id");
        var currency = Required(o, "currency");
        var amount = Decimal(o, "amount") ?? throw new StripePayloadException($"charge {id} has no amount");
        string? code = null;
        if (status == PaymentStatus.Succeeded)
            amount = Math.Max(0m, (Decimal(o, "amount_captured") ?? amount) - (Decimal(o, "amount_refunded") ?? 0m));
        else
            code = (o.TryGetProperty("outcome", out var outcome) && outcome.ValueKind == JsonValueKind.Object ? Text(outcome, "reason") : null)
                   ?? Text(o, "failure_code") ?? "card_declined";
        // Money received is keyed by its payment intent (the id an invoice names from 2025-03-31 on), a failed attempt by its
        // own charge, so that the retries of one payment intent stay separate attempts and never overwrite the payment.
        var intent = Text(o, "payment_intent");
        var (key, aliases) = status == PaymentStatus.Succeeded && intent is not null ? (intent, new[] { id }) : (id, Array.Empty<string>());
        return new PaymentChange(key, Customer(o), Text(o, "invoice"), FromMinorUnits(amount, currency),
            day(Long(o, "created") ?? throw new StripePayloadException($"charge {id} has no created time")), Method(o), status, code, aliases);
    }

    private static PaymentChange PaymentIntentFailed(JsonElement o, DateOnly eventDay)
    {
        var id = Required(o, "id");
        var error = o.TryGetProperty("last_payment_error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var charge = error.ValueKind == JsonValueKind.Object ? Text(error, "charge") : null;
        var code = error.ValueKind == JsonValueKind.Object ? Text(error, "decline_code") ?? Text(error, "code") : null;
        return new PaymentChange(charge ?? Text(o, "latest_charge") ?? id, Customer(o), Text(o, "invoice"),
            FromMinorUnits(Decimal(o, "amount") ?? 0m, Required(o, "currency")), eventDay, PaymentMethod.Card, PaymentStatus.Failed,
            code ?? "payment_failed");
    }

    private static DisputeChange Dispute(JsonElement o, Func<long, DateOnly> day, DateOnly? closedOn)
    {
        var id = Required(o, "id");
        var opened = day(Long(o, "created") ?? throw new StripePayloadException($"dispute {id} has no created time"));
        if (closedOn < opened) closedOn = opened;
        return new DisputeChange(id, Required(o, "charge"), Text(o, "payment_intent"), FromMinorUnits(Decimal(o, "amount") ?? 0m, Required(o, "currency")),
            Text(o, "reason") ?? "", Text(o, "status") ?? (closedOn is null ? "needs_response" : "closed"), opened, closedOn);
    }

    private static CreditNoteChange CreditNote(JsonElement o, Func<long, DateOnly> day)
    {
        var id = Required(o, "id");
        var issued = day(Long(o, "effective_at") ?? Long(o, "created") ?? throw new StripePayloadException($"credit note {id} has no created time"));
        var total = Decimal(o, "total") ?? Decimal(o, "amount") ?? throw new StripePayloadException($"credit note {id} has no total");
        return new CreditNoteChange(id, Customer(o), Required(o, "invoice"), Text(o, "number") ?? id,
            FromMinorUnits(Math.Abs(total), Required(o, "currency")), issued);
    }

    private static PaymentMethod Method(JsonElement charge)
    {
        var type = charge.TryGetProperty("payment_method_details", out var details) && details.ValueKind == JsonValueKind.Object
            ? Text(details, "type")
            : null;
        return type switch
        {
            "us_bank_account" or "ach_debit" or "sepa_debit" or "bacs_debit" or "acss_debit" or "au_becs_debit" => PaymentMethod.Ach,
            "ach_credit_transfer" or "customer_balance" or "bank_transfer" => PaymentMethod.Wire,
            _ => PaymentMethod.Card,
        };
    }

    private static string Customer(JsonElement o) =>
        Text(o, "customer") ?? throw new StripePayloadException($"{Text(o, "object") ?? "object"} {Text(o, "id")} names no customer");

    private static string Required(JsonElement o, string name) =>
        Text(o, name) ?? throw new StripePayloadException($"{Text(o, "object") ?? "object"} {Text(o, "id")} has no {name}");

    /// <summary>A string property, or the id of an expanded object in its place.</summary>
    private static string? Text(JsonElement o, string name)
    {
        if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Object => value.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
            _ => null,
        };
    }

    private static long? Long(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : null;

    private static decimal? Decimal(JsonElement o, string name)
    {
        if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDecimal(out var d) => d,
            JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }
}
