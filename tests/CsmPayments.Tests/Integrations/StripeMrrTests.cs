using System.Text.Json;
using CsmPayments.Integrations.Stripe;
using static CsmPayments.Tests.Integrations.StripePayloads;

namespace CsmPayments.Tests.Integrations;

/// <summary>MRR of Stripe subscriptions with tiered prices and discounts; every figure worked out by hand in the comment beside it.</summary>
public sealed class StripeMrrTests
{
    private static readonly DateTimeOffset T = new(2026, 2, 10, 12, 0, 0, TimeSpan.Zero);

    private static readonly Tier[] SeatTiers = [new(10, 1_000), new(50, 800), new(null, 500)];

    private static Money Mrr(IReadOnlyList<Item> items, IReadOnlyList<string>? discounts = null, string? customer = null, DateTimeOffset? at = null)
    {
        var payload = Event("evt_1", "customer.subscription.updated", at ?? T,
            Subscription("sub_1", "cus_1", "active", T.AddMonths(-3), items, discounts: discounts, expandedCustomer: customer));
        return ((SubscriptionChange)StripeMapping.Map(JsonDocument.Parse(payload).RootElement, TimeZoneInfo.Utc).Changes.Single()).Mrr;
    }

    private static Money Usd(string amount) => new(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), "USD");

    [Fact]
    public void A_graduated_price_charges_each_tier_its_own_units()
    {
        // 60 seats: 10 × 10.00 + 40 × 8.00 + 10 × 5.00 = 100.00 + 320.00 + 50.00 = 470.00 a month.
        Assert.Equal(Usd("470.00"), Mrr([new Item("price_seats", 0, 60, "month", TiersMode: "graduated", Tiers: SeatTiers)]));
        // 8 units of a base fee of 50.00 for the first 5 and 15.00 each beyond: 50.00 + 0 × 5 + 3 × 15.00 = 95.00.
        Assert.Equal(Usd("95.00"), Mrr([new Item("price_base", 0, 8, "month", TiersMode: "graduated", Tiers: [new(5, 0, 5_000), new(null, 1_500)])]));
    }

    [Fact]
    public void A_volume_price_charges_every_unit_at_the_tier_the_quantity_reaches()
    {
        // 60 seats fall in the open tier: 60 × 5.00 = 300.00.
        Assert.Equal(Usd("300.00"), Mrr([new Item("price_seats", 0, 60, "month", TiersMode: "volume", Tiers: SeatTiers)]));
        // 50 seats are still in the tier up to 50: 50 × 8.00 = 400.00.
        Assert.Equal(Usd("400.00"), Mrr([new Item("price_seats", 0, 50, "month", TiersMode: "volume", Tiers: SeatTiers)]));
        // Yearly, 12 seats: 12 × 8.00 = 96.00 a year, 96.00 / 12 = 8.00 a month.
        Assert.Equal(Usd("8.00"), Mrr([new Item("price_seats", 0, 12, "year", TiersMode: "volume", Tiers: SeatTiers)]));
    }

    [Fact]
    public void Tiered_amounts_follow_the_tiers_in_the_pure_function()
    {
        var tiers = new StripeMapping.PriceTier[] { new(10, 1_000m, 0m), new(50, 800m, 0m), new(null, 500m, 0m) };
        // 11 units graduated: 10 × 1,000 + 1 × 800 = 10,800 cents; volume: 11 × 800 = 8,800 cents; none: nothing.
        Assert.Equal((10_800m, 8_800m, 0m), (StripeMapping.TieredAmount("graduated", tiers, 11), StripeMapping.TieredAmount("volume", tiers, 11),
            StripeMapping.TieredAmount("graduated", tiers, 0)));
        Assert.Throws<StripePayloadException>(() => StripeMapping.TieredAmount("stairs", tiers, 3));
    }

    [Fact]
    public void A_percent_off_forever_reduces_the_MRR()
    {
        // 2 × 50.00 = 100.00, 20 % off forever: 80.00.
        Assert.Equal(Usd("80.00"), Mrr([new Item("price_a", 5_000, 2, "month")], [DiscountObject("di_1", "cus_1", "forever", percentOff: 20m)]));
        // Weekly 10.00 × 3 = 30.00 a week = 30.00 × 52 / 12 = 130.00 a month; 15 % off: 130.00 − 19.50 = 110.50.
        Assert.Equal(Usd("110.50"), Mrr([new Item("price_w", 1_000, 3, "week")], [DiscountObject("di_1", "cus_1", "forever", percentOff: 15m)]));
    }

    [Fact]
    public void An_amount_off_counts_per_billing_period_normalised_to_a_month_while_a_repeating_coupon_lasts()
    {
        var yearly = new[] { new Item("price_y", 120_000, 1, "year") };
        var coupon = DiscountObject("di_1", "cus_1", "repeating", amountOff: 1_500, end: T.AddMonths(6), durationInMonths: 12);
        // 1,200.00 a year = 100.00 a month; 15.00 off each yearly invoice = 1.25 a month: 98.75.
        Assert.Equal(Usd("98.75"), Mrr(yearly, [coupon]));
        // After the coupon's end it no longer counts: 100.00.
        Assert.Equal(Usd("100.00"), Mrr(yearly, [coupon], at: T.AddMonths(7)));
    }

    [Fact]
    public void A_once_coupon_is_a_one_off_and_no_part_of_MRR()
    {
        // 100.00 a month; 30.00 off the first invoice only: MRR stays 100.00.
        Assert.Equal(Usd("100.00"), Mrr([new Item("price_a", 10_000, 1, "month")], [DiscountObject("di_1", "cus_1", "once", amountOff: 3_000)]));
    }

    [Fact]
    public void Subscription_then_customer_discounts_apply_in_turn_and_item_discounts_to_their_item()
    {
        var customer = Customer("cus_1", null, T, discount: DiscountObject("di_c", "cus_1", "forever", percentOff: 10m));
        // 100.00 − 10.00 off the subscription = 90.00; the customer's 10 % off that: 81.00.
        Assert.Equal(Usd("81.00"), Mrr([new Item("price_a", 10_000, 1, "month")], [DiscountObject("di_s", "cus_1", "forever", amountOff: 1_000)], customer));
        // Seats 2 × 50.00 = 100.00 at half price = 50.00, plus the platform at 30.00: 80.00.
        Assert.Equal(Usd("80.00"), Mrr(
        [
            new Item("price_seats", 5_000, 2, "month", Discounts: [DiscountObject("di_i", "cus_1", "forever", percentOff: 50m)]),
            new Item("price_platform", 3_000, 1, "month"),
        ]));
    }

    [Fact]
    public void From_api_version_2025_03_31_the_coupon_is_read_from_the_discount_source()
    {
        // 100.00, 25 % off forever: 75.00; a coupon larger than the price leaves nothing, never less.
        Assert.Equal(Usd("75.00"), Mrr([new Item("price_a", 10_000, 1, "month")], [DiscountObject("di_1", "cus_1", "forever", percentOff: 25m, basil: true)]));
        Assert.Equal(Usd("0.00"), Mrr([new Item("price_a", 10_000, 1, "month")], [DiscountObject("di_1", "cus_1", "forever", amountOff: 20_000, basil: true)]));
    }

    [Fact]
    public void A_tiered_price_without_its_tiers_says_to_expand_them()
    {
        var error = Assert.Throws<StripePayloadException>(() => Mrr([new Item("price_seats", 0, 5, "month", TiersMode: "graduated")]));
        Assert.Contains("expand", error.Message);
    }
}
