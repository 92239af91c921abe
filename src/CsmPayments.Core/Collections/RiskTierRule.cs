using CsmPayments.Billing;
using CsmPayments.Segments;

namespace CsmPayments.Collections;

/// <summary>
/// The risk tier the collection cycle uses when no segment assignment is stored: from the account's open-invoice value
/// and its payment history over the last year [004].
/// <list type="bullet">
/// <item>High: open balance of at least <see cref="HighValue"/> (base currency) and at least two invoices paid late or
/// still unpaid past due.</item>
/// <item>Medium: open balance of at least <see cref="MediumValue"/>, or at least one invoice late.</item>
/// <item>Low: everything else — small balances from accounts that pay on time.</item>
/// </list>
/// An invoice counts as late when it was settled in the end, but after its due date: payment behaviour is the history
/// before the invoices now being chased, so a first overdue invoice does not move its own account up a tier.
/// </summary>
public static class RiskTierRule
{
    public const decimal HighValue = 25_000m;
    public const decimal MediumValue = 5_000m;

    public static RiskTier Derive(decimal openBalanceInBase, int lateInvoices) =>
        openBalanceInBase >= HighValue && lateInvoices >= 2 ? RiskTier.High
        : openBalanceInBase >= MediumValue || lateInvoices >= 1 ? RiskTier.Medium
        : RiskTier.Low;

    /// <summary>Invoices issued in the last 365 days and settled by <paramref name="asOf"/>, but not by their due date.</summary>
    public static int LateInvoices(DateOnly asOf, IEnumerable<InvoiceFacts> invoices, IEnumerable<PaymentFacts> payments, IEnumerable<CreditNoteFacts> creditNotes)
    {
        var byInvoice = new Dictionary<long, List<(DateOnly On, decimal Amount)>>();
        foreach (var p in payments)
            if (p.Succeeded && p.InvoiceId is { } id) Add(byInvoice, id, p.PaidOn, p.Amount);
        foreach (var c in creditNotes) Add(byInvoice, c.InvoiceId, c.IssuedOn, c.Amount);
        var from = asOf.AddDays(-365);
        var late = 0;
        foreach (var invoice in invoices)
        {
            if (invoice.Status != InvoiceStatus.Open || invoice.DueDate >= asOf || invoice.IssueDate < from) continue;
            var received = byInvoice.GetValueOrDefault(invoice.Id) ?? [];
            var byDue = received.Where(r => r.On <= invoice.DueDate).Sum(r => r.Amount);
            var byNow = received.Where(r => r.On <= asOf).Sum(r => r.Amount);
            if (byDue < invoice.Amount && byNow >= invoice.Amount) late++;
        }
        return late;
    }

    private static void Add(Dictionary<long, List<(DateOnly, decimal)>> map, long id, DateOnly on, decimal amount)
    {
        if (!map.TryGetValue(id, out var list)) map[id] = list = [];
        list.Add((on, amount));
    }
}
