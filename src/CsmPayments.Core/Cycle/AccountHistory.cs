using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Health;

namespace CsmPayments.Cycle;

public sealed record AccountRow(long Id, string ExternalId, long CsmId, ServiceTier? Tier, int Employees, string Industry, string Country, string Plan, string Currency);

public readonly record struct SubscriptionRow(decimal Mrr, string Currency, DateOnly Start, DateOnly? End, DateOnly? Renewal)
{
    public bool IsActiveOn(DateOnly date) => Start <= date && (End is null || End > date);
}

public readonly record struct PaymentRow(long? InvoiceId, decimal Amount, DateOnly PaidOn, bool Succeeded, bool DisputeCode);

/// <summary>A ticket as health reads it; <see cref="Dispute"/> when its subject names a billing dispute.</summary>
public readonly record struct TicketRow(DateOnly OpenedOn, TicketPriority Priority, TicketStatus Status, DateOnly? SolvedOn, bool Dispute)
{
    /// <summary>The same rule as <see cref="Ticket.IsOpenOn"/>.</summary>
    public bool IsOpenOn(DateOnly date) => OpenedOn <= date && (SolvedOn is null ? Status != TicketStatus.Solved : SolvedOn > date);
}

/// <summary>
/// One account's rows as loaded for evaluation. The cycle loads one day's worth (usage summed and the last touchpoint
/// found in SQL); the backtest loads every row so that any past day can be replayed from the same account.
/// </summary>
public sealed class AccountHistory(AccountRow account)
{
    public AccountRow Account { get; } = account;
    public List<SubscriptionRow> Subscriptions { get; } = [];
    public List<InvoiceFacts> Invoices { get; } = [];

    /// <summary>
    /// Per invoice, in the order of <see cref="Invoices"/>, the day it was settled as the cycle last stored it (see
    /// <see cref="Invoice.SettledOnColumn"/>); empty when the load did not read it (the backtest's full history).
    /// </summary>
    public List<DateOnly?> StoredSettledOn { get; } = [];

    /// <summary>Whether the account has a <see cref="LedgerChange"/> note, read before its rows: no stored day of it is trusted.</summary>
    public bool LedgerNoted { get; set; }

    /// <summary>
    /// The day invoice <paramref name="k"/> was settled, from the store, when it can be trusted for <paramref name="asOf"/>:
    /// stored, on or before the day, and no note of a change since. Such an invoice owes nothing on the day, and its
    /// payments need not be read.
    /// </summary>
    public DateOnly? TrustedSettledOn(int k, DateOnly asOf) =>
        !LedgerNoted && k < StoredSettledOn.Count && StoredSettledOn[k] is { } on && on <= asOf ? on : null;
    public List<PaymentRow> Payments { get; } = [];
    public List<CreditNoteFacts> CreditNotes { get; } = [];
    public List<TicketRow> Tickets { get; } = [];
    public List<NpsFact> Nps { get; } = [];

    /// <summary>Daily usage rows; empty when <see cref="UsageSummary"/> was summed by the database instead.</summary>
    public List<(DateOnly Date, int ActiveUsers)> UsageDays { get; } = [];

    public UsageSummary? UsageSummary { get; set; }

    /// <summary>What the day's snapshot keeps of the usage for the next day to roll forward; set by the day load.</summary>
    public UsageCarry? UsageCarry { get; set; }

    /// <summary>Touchpoint dates in ascending order; empty when <see cref="LastTouchpoint"/> was found by the database.</summary>
    public List<DateOnly> Touchpoints { get; } = [];

    public DateOnly? LastTouchpoint { get; set; }

    public DateOnly? LastTouchpointOn(DateOnly asOf)
    {
        if (Touchpoints.Count == 0) return LastTouchpoint is { } last && last <= asOf ? last : null;
        var index = Touchpoints.BinarySearch(asOf);
        if (index >= 0)
        {
            while (index + 1 < Touchpoints.Count && Touchpoints[index + 1] == asOf) index++;
            return Touchpoints[index];
        }
        index = ~index - 1;
        return index >= 0 ? Touchpoints[index] : null;
    }
}
