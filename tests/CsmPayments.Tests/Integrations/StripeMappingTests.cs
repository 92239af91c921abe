using System.Text.Json;
using CsmPayments.Billing;
using CsmPayments.Integrations.Stripe;
using static CsmPayments.Tests.Integrations.StripePayloads;

namespace CsmPayments.Tests.Integrations;

public sealed class StripeMappingTests
{
    private static readonly DateTimeOffset T = new(2026, 2, 27, 23, 30, 0, TimeSpan.Zero);

    private static StripeEventChanges Map(string payload, string zone = "UTC") =>
        StripeMapping.Map(JsonDocument.Parse(payload).RootElement, TimeZoneInfo.FindSystemTimeZoneById(zone));

    [Theory]
    [InlineData("month", 1, 10_000, "100.00")]
    [InlineData("month", 3, 30_000, "100.00")]
    [InlineData("year", 1, 120_000, "100.00")]
    [InlineData("year", 2, 240_000, "100.00")]
    [InlineData("week", 1, 1_200, "52.00")]
    [InlineData("week", 2, 2_400, "52.00")]
    [InlineData("day", 1, 1_200, "365.00")]
    public void Subscription_MRR_is_price_times_quantity_normalised_to_a_month(string interval, int count, long unitAmount, string mrr)
    {
        var change = (SubscriptionChange)Map(Event("evt_1", "customer.subscription.created", T,
            Subscription("sub_1", "cus_1", "active", T, [new Item("price_a", unitAmount, 2, interval, count)]))).Changes.Single();

        Assert.Equal(new Money(decimal.Parse(mrr, System.Globalization.CultureInfo.InvariantCulture) * 2, "USD"), change.Mrr);
    }

    [Fact]
    public void MRR_sums_the_items_and_a_trial_brings_in_nothing_yet()
    {
        var items = new[] { new Item("price_a", 5_000, 3, "month"), new Item("price_b", 120_000, 1, "year") };
        var active = (SubscriptionChange)Map(Event("evt_1", "customer.subscription.updated", T, Subscription("sub_1", "cus_1", "active", T, items))).Changes.Single();
        var trial = (SubscriptionChange)Map(Event("evt_2", "customer.subscription.updated", T, Subscription("sub_1", "cus_1", "trialing", T, items))).Changes.Single();

        Assert.Equal(new Money(250m, "USD"), active.Mrr);
        Assert.Equal(new Money(0m, "USD"), trial.Mrr);
        Assert.Equal(DateOnly.FromDateTime(T.AddMonths(1).UtcDateTime), active.RenewalDate);
    }

    [Fact]
    public void A_subscription_cancelled_for_failed_payment_ends_delinquent_on_its_end_day()
    {
        var ended = T.AddDays(40);
        var change = (SubscriptionChange)Map(Event("evt_1", "customer.subscription.deleted", ended,
            Subscription("sub_1", "cus_1", "canceled", T, [new Item("price_a", 5_000, 1, "month")], canceledAt: ended, cancellationReason: "payment_failed"))).Changes.Single();

        Assert.Equal((DateOnly.FromDateTime(ended.UtcDateTime), CancellationReason.Delinquent, (DateOnly?)null), (change.EndDate!.Value, change.CancellationReason!.Value, change.RenewalDate));
        var voluntary = (SubscriptionChange)Map(Event("evt_2", "customer.subscription.deleted", ended,
            Subscription("sub_2", "cus_1", "canceled", T, [new Item("price_a", 5_000, 1, "month")], canceledAt: ended, cancellationReason: "cancellation_requested"))).Changes.Single();
        Assert.Equal(CancellationReason.Voluntary, voluntary.CancellationReason);
    }

    [Theory]
    [InlineData("usd", 12_345, "123.45")]
    [InlineData("jpy", 12_345, "12345")]
    [InlineData("kwd", 12_345, "12.345")]
    public void Amounts_in_minor_units_follow_the_currency(string currency, long minor, string expected)
    {
        Assert.Equal(new Money(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), currency.ToUpperInvariant()),
            StripeMapping.FromMinorUnits(minor, currency));
    }

    [Fact]
    public void Dates_are_days_in_the_organisation_time_zone()
    {
        // 23:30 UTC on 27 February is already 28 February in Berlin.
        var change = (InvoiceChange)Map(Event("evt_1", "invoice.finalized", T, Invoice("in_1", "cus_1", "N-1", "open", 100, T, null)), "Europe/Berlin").Changes.Single();

        Assert.Equal(new DateOnly(2026, 2, 28), change.IssueDate);
        Assert.Equal(new DateOnly(2026, 2, 28), change.DueDate);
    }

    [Fact]
    public void Invoice_paid_becomes_the_invoice_and_a_payment_on_the_charge()
    {
        var changes = Map(Event("evt_1", "invoice.paid", T,
            Invoice("in_1", "cus_1", "N-1", "paid", 10_000, T, null, charge: "ch_9", amountPaid: 10_000, paidAt: T.AddHours(1)))).Changes;

        var invoice = Assert.IsType<InvoiceChange>(changes[0]);
        var payment = Assert.IsType<PaymentChange>(changes[1]);
        Assert.Equal(InvoiceStatus.Open, invoice.Status);
        Assert.Equal(("ch_9", "in_1", new Money(100m, "USD"), PaymentStatus.Succeeded, new DateOnly(2026, 2, 28)),
            (payment.ObjectId, payment.InvoiceId, payment.Amount, payment.Status, payment.PaidOn));
    }

    [Fact]
    public void The_decline_code_of_a_failed_payment_intent_is_kept()
    {
        var payment = (PaymentChange)Map(Event("evt_1", "payment_intent.payment_failed", T,
            PaymentIntentFailed("pi_1", "cus_1", "in_1", "ch_1", 5_000, "expired_card"))).Changes.Single();

        Assert.Equal(("ch_1", PaymentStatus.Failed, "expired_card"), (payment.ObjectId, payment.Status, payment.FailureCode));
    }

    [Fact]
    public void Unmapped_types_carry_no_changes_and_unreadable_events_say_why()
    {
        Assert.Empty(Map(Event("evt_1", "price.created", T, """{ "id": "price_1", "object": "price" }""")).Changes);
        var error = Assert.Throws<StripePayloadException>(() => Map(Event("evt_2", "invoice.finalized", T, """{ "id": "in_1", "object": "invoice" }""")));
        Assert.Contains("in_1", error.Message);
    }

    [Fact]
    public void From_api_version_2025_03_31_a_paid_invoice_gives_one_payment_per_invoice_payment_keyed_by_its_payment_intent()
    {
        var changes = Map(Event("evt_1", "invoice.paid", T, BasilInvoice("in_1", "cus_1", "N-1", "paid", 10_000, T, null,
        [
            new InvoicePaymentOf("inpay_1", "pi_1", null, 3_000, T),
            new InvoicePaymentOf("inpay_2", null, "ch_2", 7_000, T.AddHours(1)),
            new InvoicePaymentOf("inpay_3", "pi_3", null, 7_000, T, Status: "canceled"),
        ]), apiVersion: Basil)).Changes;

        Assert.IsType<InvoiceChange>(changes[0]);
        var payments = changes.Skip(1).Cast<PaymentChange>().ToList();
        Assert.Equal([("pi_1", "in_1", new Money(30m, "USD"), new DateOnly(2026, 2, 27)), ("ch_2", "in_1", new Money(70m, "USD"), new DateOnly(2026, 2, 28))],
            payments.Select(p => (p.ObjectId, p.InvoiceId!, p.Amount, p.PaidOn)));
    }

    [Fact]
    public void A_refunded_charge_is_keyed_by_its_payment_intent_and_a_failed_one_by_itself()
    {
        var refunded = (PaymentChange)Map(Event("evt_1", "charge.refunded", T, BasilCharge("ch_1", "pi_1", "cus_1", 10_000, T, 2_500), apiVersion: Basil)).Changes.Single();
        var failed = (PaymentChange)Map(Event("evt_2", "charge.failed", T, Charge("ch_2", "cus_1", null, 10_000, T, "failed"))).Changes.Single();

        Assert.Equal(["pi_1", "ch_1"], refunded.Keys);
        Assert.Equal((new Money(75m, "USD"), (string?)null), (refunded.Amount, refunded.InvoiceId));
        Assert.Equal(["ch_2"], failed.Keys);
    }
}
