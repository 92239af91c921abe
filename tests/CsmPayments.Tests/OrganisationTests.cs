using CsmPayments.Organisation;
using Microsoft.Extensions.Time.Testing;

namespace CsmPayments.Tests;

public sealed class OrganisationTests
{
    [Fact]
    public void Conversion_to_the_base_currency_uses_the_configured_rate_and_rounds_once()
    {
        var rates = new ExchangeRates("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m, ["JPY"] = 0.0067m });
        Assert.Equal(new Money(108.00m, "USD"), rates.ToBase(new Money(100m, "EUR")));
        Assert.Equal(new Money(0.67m, "USD"), rates.ToBase(new Money(100m, "JPY")));
        Assert.Equal(new Money(5m, "USD"), rates.ToBase(new Money(5m, "USD")));
    }

    [Fact]
    public void A_currency_without_a_rate_is_an_error_that_names_the_setting()
    {
        var rates = new ExchangeRates("USD", new Dictionary<string, decimal>());
        var error = Assert.Throws<InvalidOperationException>(() => rates.ToBase(new Money(1m, "GBP")));
        Assert.Contains("Organisation:ExchangeRates:GBP", error.Message);
    }

    [Fact]
    public void Today_is_the_date_in_the_organisation_time_zone()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 3, 30, 0, TimeSpan.Zero)); // 03:30 UTC
        Assert.Equal(new DateOnly(2026, 3, 1), new OrganisationOptions { TimeZone = "UTC" }.Today(clock));
        Assert.Equal(new DateOnly(2026, 2, 28), new OrganisationOptions { TimeZone = "America/New_York" }.Today(clock));
        Assert.Equal(new DateOnly(2026, 3, 1), new OrganisationOptions { TimeZone = "Pacific/Auckland" }.Today(clock));
    }
}
