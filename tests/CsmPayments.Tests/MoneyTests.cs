namespace CsmPayments.Tests;

public sealed class MoneyTests
{
    [Fact]
    public void Money_is_rounded_to_the_currency_minor_unit()
    {
        Assert.Equal(10.12m, new Money(10.125m, "USD").Amount); // half to even, as accounting systems round
    }

    [Theory]
    [InlineData("USD", 12.345, 12.34)]
    [InlineData("USD", 12.355, 12.36)]
    [InlineData("JPY", 1234.5, 1234)]
    [InlineData("JPY", 1235.5, 1236)]
    [InlineData("KWD", 1.23456, 1.235)]
    public void Rounding_uses_the_currency_minor_digits_and_half_to_even(string currency, double input, double expected)
    {
        Assert.Equal((decimal)expected, new Money((decimal)input, currency).Amount);
    }

    [Fact]
    public void Adding_two_currencies_is_refused()
    {
        var error = Assert.Throws<CurrencyMismatchException>(() => new Money(1m, "USD") + new Money(1m, "EUR"));
        Assert.Contains("USD and EUR", error.Message);
        Assert.Throws<CurrencyMismatchException>(() => new Money(1m, "USD") > new Money(1m, "EUR"));
    }

    [Fact]
    public void Arithmetic_in_one_currency_is_exact()
    {
        var total = Money.Zero("USD");
        for (var i = 0; i < 10; i++) total += new Money(0.10m, "USD");
        Assert.Equal(new Money(1.00m, "USD"), total);
        Assert.Equal(new Money(0.3m, "usd"), new Money(0.1m, "USD") + new Money(0.2m, "USD"));
    }

    [Fact]
    public void An_unknown_currency_code_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Money(1m, "XYZ"));
        Assert.Throws<ArgumentException>(() => new Money(1m, "dollars"));
    }

    [Fact]
    public void Money_prints_with_its_currency()
    {
        Assert.Equal("1,234.50 USD", new Money(1234.5m, "USD").ToString());
        Assert.Equal("1,234 JPY", new Money(1234.5m, "JPY").ToString());
    }
}
