using CsmPayments.Billing;

namespace CsmPayments.Tests.Billing;

public sealed class LedgerTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    private static InvoiceFacts Invoice(long id, decimal amount, DateOnly issued, InvoiceStatus status = InvoiceStatus.Open, long account = 1) =>
        new(id, account, issued, issued.AddDays(30), amount, "USD", status);

    private static PaymentFacts Paid(long? invoice, decimal amount, DateOnly on, bool succeeded = true, long account = 1) =>
        new(account, invoice, amount, "USD", on, succeeded);

    private static Money Usd(decimal amount) => new(amount, "USD");

    [Fact]
    public void Balance_is_amount_less_successful_payments_and_credit_notes_up_to_the_as_of_date()
    {
        var issued = new DateOnly(2026, 5, 1);
        var position = Ledger.Position(AsOf,
            [Invoice(1, 1000m, issued)],
            [Paid(1, 300m, new DateOnly(2026, 5, 20)), Paid(1, 200m, new DateOnly(2026, 5, 21), succeeded: false), Paid(1, 100m, new DateOnly(2026, 7, 1))],
            [new CreditNoteFacts(1, 1, 50m, "USD", new DateOnly(2026, 6, 1)), new CreditNoteFacts(1, 1, 25m, "USD", new DateOnly(2026, 7, 2))]);

        var balance = Assert.Single(position.Invoices);
        Assert.Equal(Usd(650m), balance.Balance); // 1000 − 300 − 50; the failed attempt and everything dated after D change nothing
        Assert.Empty(position.CreditByAccount);
    }

    [Theory]
    [InlineData(InvoiceStatus.Void)]
    [InlineData(InvoiceStatus.Uncollectible)]
    public void Void_and_uncollectible_invoices_carry_no_balance(InvoiceStatus status)
    {
        var position = Ledger.Position(AsOf, [Invoice(1, 500m, new DateOnly(2026, 1, 1), status)], [], []);
        Assert.Equal(Usd(0m), Assert.Single(position.Invoices).Balance);
    }

    [Fact]
    public void Money_paid_beyond_what_is_owed_is_account_credit_never_a_negative_receivable()
    {
        var position = Ledger.Position(AsOf,
            [Invoice(1, 100m, new DateOnly(2026, 5, 1)), Invoice(2, 80m, new DateOnly(2026, 5, 1), InvoiceStatus.Void)],
            [Paid(1, 130m, new DateOnly(2026, 5, 5)), Paid(null, 20m, new DateOnly(2026, 5, 6)), Paid(2, 10m, new DateOnly(2026, 5, 7))],
            []);

        Assert.All(position.Invoices, b => Assert.Equal(Usd(0m), b.Balance));
        Assert.Equal(Usd(60m), position.CreditByAccount[1]); // 30 overpaid + 20 unapplied + 10 paid on a void invoice
    }

    [Fact]
    public void Invoices_issued_after_the_as_of_date_are_not_yet_receivables_and_prepayments_on_them_are_credit()
    {
        var position = Ledger.Position(AsOf,
            [Invoice(1, 100m, new DateOnly(2026, 7, 1))],
            [Paid(1, 40m, new DateOnly(2026, 6, 15))],
            []);

        Assert.Empty(position.Invoices);
        Assert.Equal(Usd(40m), position.CreditByAccount[1]);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(-5, -5)]
    public void Days_past_due_is_the_as_of_date_less_the_due_date(int offset, int expected)
    {
        var invoice = Invoice(1, 1m, AsOf.AddDays(-30 - offset));
        var balance = Assert.Single(Ledger.Position(AsOf, [invoice], [], []).Invoices);
        Assert.Equal(expected, balance.DaysPastDue(AsOf));
    }
}
