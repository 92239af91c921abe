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
    /// What AR figures as of any date in [<paramref name="horizon"/>, <paramref name="asOf"/>] need, plus every non-void
    /// invoice issued in (horizon, asOf] for "invoiced in": successful payments applied to an invoice and credit notes
    /// dated on or before asOf, and the invoices issued on or before asOf that can still owe something. An invoice issued
    /// on or before the horizon is left out when it is not open (void and uncollectible invoices owe nothing) or when
    /// what it had received by the horizon already covers it: payments and credit notes only add up over time, so it
    /// owes nothing on any later date either. That keeps the paid-up history of a large ledger out of memory; the sums
    /// that decide it are exact, in C#. Unapplied payments are account credit, which never reduces AR, so they are not
    /// read: these facts are not meant for computing account credit.
    /// </summary>
    public static async Task<MetricsFacts> LoadReceivablesAsync(CsmDbContext db, DateOnly horizon, DateOnly asOf, CancellationToken ct)
    {
        if (horizon > asOf) throw new ArgumentException("the horizon must be on or before the as-of date", nameof(horizon));
        var currencies = new CurrencyCodes();
        var receivedByHorizon = new Dictionary<long, decimal>();

        var payments = new List<PaymentFacts>();
        var paymentRows = db.Payments.AsNoTracking()
            .Where(p => p.Status == PaymentStatus.Succeeded && p.PaidOn <= asOf && p.InvoiceId != null)
            .Select(p => new { p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn });
        await foreach (var p in paymentRows.AsAsyncEnumerable().WithCancellation(ct))
        {
            payments.Add(new PaymentFacts(p.AccountId, p.InvoiceId, p.AmountValue, currencies.Of(p.Currency), p.PaidOn, Succeeded: true));
            if (p.PaidOn <= horizon) Add(receivedByHorizon, p.InvoiceId!.Value, p.AmountValue);
        }

        var creditNotes = new List<CreditNoteFacts>();
        var creditRows = db.CreditNotes.AsNoTracking()
            .Where(c => c.IssuedOn <= asOf)
            .Select(c => new { c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn });
        await foreach (var c in creditRows.AsAsyncEnumerable().WithCancellation(ct))
        {
            creditNotes.Add(new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, currencies.Of(c.Currency), c.IssuedOn));
            if (c.IssuedOn <= horizon) Add(receivedByHorizon, c.InvoiceId, c.AmountValue);
        }

        var invoices = new List<InvoiceFacts>();
        var kept = new HashSet<long>();
        var invoiceRows = db.Invoices.AsNoTracking()
            .Where(i => i.IssueDate <= asOf && (i.Status == InvoiceStatus.Open || i.IssueDate > horizon))
            .Select(i => new { i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, i.Currency, i.Status });
        await foreach (var i in invoiceRows.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (i.IssueDate <= horizon && i.AmountValue <= receivedByHorizon.GetValueOrDefault(i.Id)) continue;
            invoices.Add(new InvoiceFacts(i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, currencies.Of(i.Currency), i.Status));
            kept.Add(i.Id);
        }
        receivedByHorizon.Clear();
        receivedByHorizon.TrimExcess();

        payments.RemoveAll(p => !kept.Contains(p.InvoiceId!.Value));
        creditNotes.RemoveAll(c => !kept.Contains(c.InvoiceId));
        payments.TrimExcess();
        creditNotes.TrimExcess();
        invoices.TrimExcess();
        return new MetricsFacts(invoices, payments, creditNotes, []);
    }

    private static void Add(Dictionary<long, decimal> sums, long key, decimal amount) =>
        sums[key] = sums.GetValueOrDefault(key) + amount;

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
        var horizon = period.From < dsoWindowStart ? period.From : dsoWindowStart;
        var receivables = await LoadReceivablesAsync(db, horizon, period.AsOf, ct);
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
