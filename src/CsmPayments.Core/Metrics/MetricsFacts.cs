using CsmPayments.Billing;

namespace CsmPayments.Metrics;

/// <summary>
/// The ledger facts the AR and retention reports are computed from. Each fact carries its own currency (the account's
/// billing currency); amounts are converted to the base currency only when figures across accounts are summed.
/// </summary>
public sealed record MetricsFacts(
    IReadOnlyList<InvoiceFacts> Invoices,
    IReadOnlyList<PaymentFacts> Payments,
    IReadOnlyList<CreditNoteFacts> CreditNotes,
    IReadOnlyList<SubscriptionFacts> Subscriptions)
{
    public static MetricsFacts Empty { get; } = new([], [], [], []);

    /// <summary>Every currency the facts use, so missing exchange rates can be reported before computing anything.</summary>
    public IReadOnlySet<string> Currencies()
    {
        var currencies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in Invoices) currencies.Add(i.Currency);
        foreach (var p in Payments) currencies.Add(p.Currency);
        foreach (var c in CreditNotes) currencies.Add(c.Currency);
        foreach (var s in Subscriptions) currencies.Add(s.Currency);
        return currencies;
    }
}
