namespace CsmPayments.Organisation;

/// <summary>Who we are: bound from the <c>Organisation</c> configuration section.</summary>
public sealed class OrganisationOptions
{
    public const string Section = "Organisation";

    public string Name { get; set; } = "CsmPayments";

    /// <summary>IANA time zone that decides what "today" is.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Currency that reports across accounts are given in.</summary>
    public string BaseCurrency { get; set; } = "USD";

    /// <summary>Units of base currency for one unit of each other currency, e.g. <c>EUR: 1.08</c>.</summary>
    public Dictionary<string, decimal> ExchangeRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ExchangeRates Rates() => new(BaseCurrency, ExchangeRates);

    /// <summary>Today's date in the organisation's time zone.</summary>
    public DateOnly Today(TimeProvider clock)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
    }
}
