using CsmPayments.Billing;
using CsmPayments.Metrics;
using CsmPayments.Organisation;
using static CsmPayments.Tests.Metrics.LedgerBuilder;

namespace CsmPayments.Tests.Metrics;

public sealed class ArAgingTests
{
    private static readonly DateOnly AsOf = D("2026-03-31");

    private static decimal[] Buckets(AgingReport aging) => [.. aging.Buckets.Select(b => b.Amount)];

    [Fact]
    public void Invoices_land_in_the_bucket_of_their_days_past_due_at_every_edge()
    {
        var ledger = new LedgerBuilder();
        // Each amount is a distinct power of two so every bucket's sum names exactly the invoices in it.
        var daysPastDue = new (int Days, decimal Amount)[] { (-5, 256m), (0, 1m), (1, 2m), (30, 4m), (31, 8m), (60, 16m), (61, 32m), (90, 64m), (91, 128m) };
        foreach (var (days, amount) in daysPastDue)
        {
            var due = AsOf.AddDays(-days);
            ledger.Invoice(1, due.AddDays(-30).ToString("yyyy-MM-dd"), due.ToString("yyyy-MM-dd"), amount);
        }

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);

        // current: -5 and 0 days (256 + 1); 1-30: 1 and 30 (2 + 4); 31-60: 31 and 60 (8 + 16); 61-90: 61 and 90 (32 + 64); 90+: 91 (128).
        Assert.Equal([257m, 6m, 24m, 96m, 128m], Buckets(aging));
        Assert.Equal(511m, aging.Total.Amount);
        Assert.Equal("USD", aging.Total.Currency);
    }

    [Theory]
    [InlineData(-1, AgingBucket.Current)]
    [InlineData(0, AgingBucket.Current)]
    [InlineData(1, AgingBucket.Days1To30)]
    [InlineData(30, AgingBucket.Days1To30)]
    [InlineData(31, AgingBucket.Days31To60)]
    [InlineData(60, AgingBucket.Days31To60)]
    [InlineData(61, AgingBucket.Days61To90)]
    [InlineData(90, AgingBucket.Days61To90)]
    [InlineData(91, AgingBucket.Over90)]
    public void Bucket_of_days_past_due(int days, AgingBucket expected) => Assert.Equal(expected, AgingBuckets.For(days));

    [Fact]
    public void Partial_payment_leaves_the_rest_owed_and_a_failed_attempt_changes_nothing()
    {
        var ledger = new LedgerBuilder();
        var invoice = ledger.Invoice(1, "2026-02-01", "2026-03-01", 1000.00m); // 30 days past due on 2026-03-31
        ledger.Payment(invoice, 350.25m, "2026-03-05")
            .Payment(invoice, 649.75m, "2026-03-20", succeeded: false);

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);

        Assert.Equal([0m, 649.75m, 0m, 0m, 0m], Buckets(aging)); // 1000.00 − 350.25
        Assert.Equal(649.75m, aging.Total.Amount);
    }

    [Fact]
    public void Credit_note_reduces_the_balance_from_the_day_it_is_issued()
    {
        var ledger = new LedgerBuilder();
        var invoice = ledger.Invoice(1, "2026-01-01", "2026-01-31", 500.00m); // 59 days past due
        ledger.CreditNote(invoice, 120.00m, "2026-03-31")   // on the as-of date: counts
            .CreditNote(invoice, 80.00m, "2026-04-01");      // the day after: not yet
        ledger.Payment(invoice, 100.00m, "2026-02-15");

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);
        var dayBefore = ArAging.Compute(AsOf.AddDays(-1), ledger.Facts, Rates);

        Assert.Equal([0m, 0m, 280.00m, 0m, 0m], Buckets(aging));     // 500 − 100 − 120
        Assert.Equal([0m, 0m, 400.00m, 0m, 0m], Buckets(dayBefore)); // 500 − 100, 58 days past due
    }

    [Fact]
    public void Void_and_uncollectible_invoices_carry_no_balance()
    {
        var ledger = new LedgerBuilder();
        ledger.Invoice(1, "2026-01-01", "2026-01-31", 700.00m, status: InvoiceStatus.Void);
        ledger.Invoice(1, "2026-01-01", "2026-01-31", 300.00m, status: InvoiceStatus.Uncollectible);
        ledger.Invoice(1, "2026-01-01", "2026-01-31", 45.00m);

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);

        Assert.Equal([0m, 0m, 45.00m, 0m, 0m], Buckets(aging));
        Assert.Equal(45.00m, aging.Total.Amount);
    }

    [Fact]
    public void Overpayment_becomes_credit_and_never_offsets_what_is_owed()
    {
        var ledger = new LedgerBuilder();
        var overpaid = ledger.Invoice(1, "2026-03-01", "2026-03-31", 100.00m);
        ledger.Invoice(1, "2026-02-01", "2026-03-03", 200.00m); // 28 days past due
        ledger.Payment(overpaid, 150.00m, "2026-03-10")
            .UnappliedPayment(1, 75.00m, "2026-03-11");

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);

        // The overpaid invoice owes nothing (not −50); the other still owes 200; credit of 50 + 75 offsets nothing.
        Assert.Equal([0m, 200.00m, 0m, 0m, 0m], Buckets(aging));
        Assert.Equal(200.00m, aging.Total.Amount);
        var line = Assert.Single(aging.Accounts);
        Assert.Equal(200.00m, line.Total.Amount);
    }

    [Fact]
    public void Payments_dated_after_the_as_of_date_and_invoices_issued_after_it_are_ignored()
    {
        var ledger = new LedgerBuilder();
        var invoice = ledger.Invoice(1, "2026-03-01", "2026-03-15", 400.00m); // 16 days past due
        ledger.Payment(invoice, 400.00m, "2026-04-01");
        ledger.Invoice(1, "2026-04-01", "2026-04-30", 999.00m);
        ledger.Invoice(1, "2026-03-31", "2026-04-30", 10.00m); // issued on the as-of date: counts

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);
        var later = ArAging.Compute(D("2026-04-01"), ledger.Facts, Rates);

        Assert.Equal([10.00m, 400.00m, 0m, 0m, 0m], Buckets(aging));
        Assert.Equal([1009.00m, 0m, 0m, 0m, 0m], Buckets(later)); // paid on 04-01; the 999 invoice now exists
    }

    [Fact]
    public void Two_currencies_are_summed_exactly_per_currency_then_converted_and_rounded_once()
    {
        var ledger = new LedgerBuilder();
        // Three EUR invoices of 0.05: per invoice 0.05 × 1.08 = 0.054 would round to 0.05 each (0.15);
        // summed first, 0.15 EUR × 1.08 = 0.162 rounds once to 0.16 USD.
        ledger.Invoice(1, "2026-03-01", "2026-04-30", 0.05m, "EUR");
        ledger.Invoice(2, "2026-03-01", "2026-04-30", 0.05m, "EUR");
        ledger.Invoice(3, "2026-03-01", "2026-04-30", 0.05m, "EUR");
        ledger.Invoice(4, "2026-01-01", "2026-01-31", 1000.00m, "EUR"); // 59 days: 1080.00 USD
        ledger.Invoice(5, "2026-01-01", "2026-01-31", 250.50m);          // 59 days: USD as is
        ledger.Invoice(6, "2025-12-01", "2025-12-01", 1000m, "JPY");     // 120 days: 6.70 USD

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);

        Assert.Equal([0.16m, 0m, 1330.50m, 0m, 6.70m], Buckets(aging));
        Assert.Equal(1337.36m, aging.Total.Amount); // 0.162 + 1080 + 250.50 + 6.70 = 1337.362
        Assert.Equal(1337.362m, aging.ExactTotal);
        Assert.Equal(6.70m / 1337.362m, aging.ShareOf(AgingBucket.Over90));
    }

    [Fact]
    public void Per_account_detail_keeps_each_account_s_amounts_in_its_own_currency()
    {
        var ledger = new LedgerBuilder();
        ledger.Invoice(7, "2026-03-01", "2026-04-30", 300.00m, "EUR");
        ledger.Invoice(7, "2026-01-01", "2026-01-10", 50.00m, "EUR"); // 80 days
        var paid = ledger.Invoice(3, "2026-01-01", "2026-01-10", 90.00m);
        ledger.Payment(paid, 90.00m, "2026-02-01");
        ledger.Invoice(5, "2026-02-20", "2026-03-02", 20.00m); // 29 days

        var aging = ArAging.Compute(AsOf, ledger.Facts, Rates);

        // Account 3 paid in full and owes nothing, so it is not listed.
        Assert.Collection(aging.Accounts,
            a =>
            {
                Assert.Equal((5L, "USD"), (a.AccountId, a.Currency));
                Assert.Equal([0m, 20.00m, 0m, 0m, 0m], a.Buckets.Select(b => b.Amount));
            },
            a =>
            {
                Assert.Equal((7L, "EUR"), (a.AccountId, a.Currency));
                Assert.Equal([300.00m, 0m, 0m, 50.00m, 0m], a.Buckets.Select(b => b.Amount));
                Assert.Equal(new Money(350.00m, "EUR"), a.Total);
            });
        Assert.Equal([324.00m, 20.00m, 0m, 54.00m, 0m], Buckets(aging));
    }

    [Fact]
    public void An_empty_ledger_owes_nothing_and_has_no_shares()
    {
        var aging = ArAging.Compute(AsOf, MetricsFacts.Empty, Rates);

        Assert.Equal([0m, 0m, 0m, 0m, 0m], Buckets(aging));
        Assert.True(aging.Total.IsZero);
        Assert.Null(aging.ShareOf(AgingBucket.Current));
        Assert.Empty(aging.Accounts);
    }

    [Fact]
    public void Totals_are_given_in_the_base_currency_with_its_minor_unit()
    {
        var ledger = new LedgerBuilder();
        ledger.Invoice(1, "2026-03-01", "2026-04-30", 10.01m);
        var yen = new ExchangeRates("JPY", new Dictionary<string, decimal> { ["USD"] = 150m });

        var aging = ArAging.Compute(AsOf, ledger.Facts, yen);

        Assert.Equal(new Money(1502m, "JPY"), aging.Total); // 10.01 × 150 = 1501.5, to even → 1502
    }
}
