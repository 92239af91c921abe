using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Engagement;

namespace CsmPayments.Demo;

/// <summary>The story an account lives through in the demo year; churners show warning signs before they leave.</summary>
public enum AccountFate
{
    /// <summary>Steady usage, renews, mostly promoters.</summary>
    Healthy,

    /// <summary>Usage grows; the subscription was replaced by a larger one during the year.</summary>
    Growing,

    /// <summary>Usage sagged; the subscription was replaced by a smaller one during the year.</summary>
    Contracting,

    /// <summary>Became a customer during the year; usage ramps up through onboarding.</summary>
    New,

    /// <summary>Had a rough patch early in the year (late payments, urgent tickets, a detractor) and came back.</summary>
    Recovered,

    /// <summary>Left on its own before the as-of date, after usage decay, detractor scores, urgent tickets, late payments.</summary>
    VoluntaryChurn,

    /// <summary>Ended for non-payment: invoices were overdue 60–120 days before the subscription ended.</summary>
    DelinquentChurn,

    /// <summary>Usage stopped while billing (and paying) continues.</summary>
    SilentChurn,

    /// <summary>Still a customer at the as-of date, but disengaging now: usage falling, detractors, urgent tickets open.</summary>
    AtRisk,

    /// <summary>Still a customer at the as-of date, but stopped paying: overdue invoices in every aging bucket.</summary>
    Delinquent,
}

/// <summary>How an account habitually pays.</summary>
public enum PaymentBehaviour { OnTime, Late, Partial, FailingCard, Disputes }

public enum BillingInterval { Monthly, Annual }

/// <summary>What the generator decided about an account before writing its rows; tests and summaries read it.</summary>
public sealed record DemoProfile(
    AccountFate Fate,
    PaymentBehaviour Payment,
    BillingInterval Interval,
    PaymentMethod Method,
    int PaymentTermDays,
    bool MakesUnappliedPayments,
    bool HasVoidInvoice,
    ServiceTier Tier,
    DateOnly CustomerSince,
    DateOnly? TroubleFrom,
    DateOnly? TroubleUntil,
    DateOnly? EndedOn,
    DateOnly? ChangedOn,
    DateOnly? UsageStoppedOn,
    DateOnly? FirstUnpaidInvoiceOn)
{
    /// <summary>True on days inside the account's rough patch, the span before it left or up to the as-of date.</summary>
    public bool InTrouble(DateOnly date) => TroubleFrom is { } from && date >= from && (TroubleUntil is not { } until || date < until);
}

public sealed record DemoUser(string Email, string Name, UserRole Role, int? Capacity);

public sealed record DemoContact(string Email, string Name, ContactRole Role);

public sealed record DemoSubscription(
    string ExternalId, string Plan, Money Mrr, BillingInterval Interval, DateOnly StartDate, DateOnly? EndDate, DateOnly? RenewalDate,
    CancellationReason? CancellationReason)
{
    public bool IsActiveOn(DateOnly date) => StartDate <= date && (EndDate is null || EndDate > date);
}

public sealed record DemoInvoice(
    string Number, string? SubscriptionId, DateOnly IssueDate, DateOnly DueDate, Money Amount, string? PoNumber, InvoiceStatus Status);

public sealed record DemoPayment(
    string ExternalId, string? InvoiceNumber, Money Amount, DateOnly PaidOn, PaymentMethod Method, PaymentStatus Status, string? FailureCode);

public sealed record DemoCreditNote(string Number, string InvoiceNumber, Money Amount, DateOnly IssuedOn);

public readonly record struct DemoUsageDay(DateOnly Date, int ActiveUsers, long Events);

public sealed record DemoTicket(
    string ExternalId, DateOnly OpenedOn, TicketPriority Priority, TicketStatus Status, DateOnly? SolvedOn, string Subject);

public sealed record DemoNpsResponse(string ContactEmail, DateOnly RespondedOn, int Score, string? Comment);

public sealed record DemoTouchpoint(string UserEmail, DateOnly OccurredOn, TouchpointKind Kind, string Summary);

/// <summary>One generated customer with every row it contributes to the eleven files, in the order they are written.</summary>
public sealed class DemoAccount
{
    internal DemoAccount(int index, string externalId, string name, string industry, int employees, string country, string plan,
        string csmEmail, string currency, string? timeZone, ServiceTier? explicitTier, DemoProfile profile)
    {
        Index = index;
        ExternalId = externalId;
        Name = name;
        Industry = industry;
        Employees = employees;
        Country = country;
        Plan = plan;
        CsmEmail = csmEmail;
        Currency = currency;
        TimeZone = timeZone;
        ExplicitTier = explicitTier;
        Profile = profile;
    }

    public int Index { get; }
    public string ExternalId { get; }
    public string Name { get; }
    public string Industry { get; }
    public int Employees { get; }
    public string Country { get; }
    public string Plan { get; }
    public string CsmEmail { get; }
    public string Currency { get; }
    public string? TimeZone { get; }

    /// <summary>The tier written to the file; empty for accounts whose tier is left to be derived from ARR.</summary>
    public ServiceTier? ExplicitTier { get; }

    public DemoProfile Profile { get; }

    public IReadOnlyList<DemoContact> Contacts { get; internal set; } = [];
    public IReadOnlyList<DemoSubscription> Subscriptions { get; internal set; } = [];
    public IReadOnlyList<DemoInvoice> Invoices { get; internal set; } = [];
    public IReadOnlyList<DemoPayment> Payments { get; internal set; } = [];
    public IReadOnlyList<DemoCreditNote> CreditNotes { get; internal set; } = [];
    public IReadOnlyList<DemoUsageDay> Usage { get; internal set; } = [];
    public IReadOnlyList<DemoTicket> Tickets { get; internal set; } = [];
    public IReadOnlyList<DemoNpsResponse> NpsResponses { get; internal set; } = [];
    public IReadOnlyList<DemoTouchpoint> Touchpoints { get; internal set; } = [];
}
