namespace CsmPayments.Accounts;

/// <summary>Service tier: how much human attention an account gets [002].</summary>
public enum ServiceTier { High, Medium, Low }

/// <summary>A customer company: the unit that is billed, scored and worked.</summary>
public sealed class Account
{
    private Account() { ExternalId = Name = Industry = Country = Plan = Currency = ""; }

    public Account(string externalId, string name, string industry, int employees, string country, string plan,
        long csmId, string currency, string? timeZone, ServiceTier? tier)
    {
        ExternalId = Guard.Required(externalId, nameof(externalId));
        Name = Guard.Required(name, nameof(name));
        Industry = Guard.Required(industry, nameof(industry));
        Employees = employees >= 0 ? employees : throw new ArgumentOutOfRangeException(nameof(employees), "employees cannot be negative");
        Country = Guard.Required(country, nameof(country)).ToUpperInvariant();
        Plan = Guard.Required(plan, nameof(plan));
        CsmId = csmId;
        Currency = Currencies.Normalise(currency);
        TimeZone = string.IsNullOrWhiteSpace(timeZone) ? null : timeZone;
        Tier = tier;
    }

    public long Id { get; private set; }
    public string ExternalId { get; private set; }
    public string Name { get; private set; }
    public string Industry { get; private set; }
    public int Employees { get; private set; }

    /// <summary>ISO 3166 alpha-2 country code.</summary>
    public string Country { get; private set; }

    public string Plan { get; private set; }
    public long CsmId { get; private set; }

    /// <summary>The account's billing currency; its invoices, payments and subscriptions use it.</summary>
    public string Currency { get; private set; }

    /// <summary>IANA time zone of the customer, when known.</summary>
    public string? TimeZone { get; private set; }

    /// <summary>The explicitly assigned service tier; when empty the tier follows from ARR.</summary>
    public ServiceTier? Tier { get; private set; }

    /// <summary>The Stripe customer this account is linked to, when billing runs through Stripe.</summary>
    public string? StripeCustomerId { get; private set; }

    /// <summary>Links the account to a Stripe customer; an account bills through one customer at a time.</summary>
    public void LinkStripeCustomer(string customerId)
    {
        var id = Guard.Required(customerId, nameof(customerId));
        if (StripeCustomerId is not null && StripeCustomerId != id)
            throw new InvalidOperationException($"account {ExternalId} is already linked to Stripe customer {StripeCustomerId}");
        StripeCustomerId = id;
    }

    /// <summary>Ends the link when the Stripe customer is deleted; the account and its history stay.</summary>
    public void UnlinkStripeCustomer() => StripeCustomerId = null;
}
