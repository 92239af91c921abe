using CsmPayments.Billing;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Metrics;

/// <summary>
/// Reads the facts the AR and retention reports need, as small structs without change tracking. Dates are filtered in
/// SQL; amounts are summed in C# (SQLite stores decimals as text, and summing them in SQL would go through floating
/// point). Rows are streamed, and each currency code is kept once instead of once per row.
/// </summary>
public static class MetricsFactsLoader
{
    /// <summary>
    /// What AR figures as of <paramref name="asOf"/> need, plus the invoices issued in (<paramref name="invoicedAfter"/>,
    /// asOf] for "invoiced in": invoices issued on or before asOf that are open (void and uncollectible invoices carry no
    /// balance, so older ones are left out), successful payments applied to an invoice and credit notes dated on or
    /// before asOf. Unapplied payments are account credit, which never reduces AR, so they are not read; the facts
    /// returned are therefore not meant for computing account credit.
    /// </summary>
    public static async Task<MetricsFacts> LoadReceivablesAsync(CsmDbContext db, DateOnly invoicedAfter, DateOnly asOf, CancellationToken ct)
    {
        var currencies = new CurrencyCodes();

        var invoices = new List<InvoiceFacts>();
        var invoiceRows = db.Invoices.AsNoTracking()
            .Where(i => i.IssueDate <= asOf && (i.Status == InvoiceStatus.Open || i.IssueDate > invoicedAfter))
            .Select(i => new { i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, i.Currency, i.Status });
        await foreach (var i in invoiceRows.AsAsyncEnumerable().WithCancellation(ct))
            invoices.Add(new InvoiceFacts(i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, currencies.Of(i.Currency), i.Status));

        var payments = new List<PaymentFacts>();
        var paymentRows = db.Payments.AsNoTracking()
            .Where(p => p.Status == PaymentStatus.Succeeded && p.PaidOn <= asOf && p.InvoiceId != null)
            .Select(p => new { p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn });
        await foreach (var p in paymentRows.AsAsyncEnumerable().WithCancellation(ct))
            payments.Add(new PaymentFacts(p.AccountId, p.InvoiceId, p.AmountValue, currencies.Of(p.Currency), p.PaidOn, Succeeded: true));

        var creditNotes = new List<CreditNoteFacts>();
        var creditRows = db.CreditNotes.AsNoTracking()
            .Where(c => c.IssuedOn <= asOf)
            .Select(c => new { c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn });
        await foreach (var c in creditRows.AsAsyncEnumerable().WithCancellation(ct))
            creditNotes.Add(new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, currencies.Of(c.Currency), c.IssuedOn));

        return new MetricsFacts(invoices, payments, creditNotes, []);
    }

    /// <summary>The subscriptions that matter to MRR anywhere in [From, AsOf]: started by AsOf and not ended by From.</summary>
    public static async Task<IReadOnlyList<SubscriptionFacts>> LoadSubscriptionsAsync(CsmDbContext db, ReportPeriod period, CancellationToken ct)
    {
        var currencies = new CurrencyCodes();
        var subscriptions = new List<SubscriptionFacts>();
        var rows = db.Subscriptions.AsNoTracking()
            .Where(s => s.StartDate <= period.AsOf && (s.EndDate == null || s.EndDate > period.From))
            .Select(s => new { s.AccountId, s.MrrAmount, s.Currency, s.StartDate, s.EndDate, s.CancellationReason });
        await foreach (var s in rows.AsAsyncEnumerable().WithCancellation(ct))
            subscriptions.Add(new SubscriptionFacts(s.AccountId, s.MrrAmount, currencies.Of(s.Currency), s.StartDate, s.EndDate, s.CancellationReason));
        return subscriptions;
    }

    /// <summary>Everything <c>report metrics</c> needs for <paramref name="period"/> with a DSO window of <paramref name="dsoDays"/>.</summary>
    public static async Task<MetricsFacts> LoadAsync(CsmDbContext db, ReportPeriod period, int dsoDays, CancellationToken ct)
    {
        var dsoWindowStart = period.AsOf.AddDays(-dsoDays);
        var invoicedAfter = period.From < dsoWindowStart ? period.From : dsoWindowStart;
        var receivables = await LoadReceivablesAsync(db, invoicedAfter, period.AsOf, ct);
        return receivables with { Subscriptions = await LoadSubscriptionsAsync(db, period, ct) };
    }

    private sealed class CurrencyCodes
    {
        private readonly Dictionary<string, string> _codes = new(StringComparer.Ordinal);

        public string Of(string code)
        {
            if (_codes.TryGetValue(code, out var known)) return known;
            _codes[code] = code;
            return code;
        }
    }
}
