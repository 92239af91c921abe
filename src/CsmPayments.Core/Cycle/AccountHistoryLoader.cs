using System.Linq.Expressions;
using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cycle;

/// <summary>
/// Which accounts one load reads: a range of ids (the cycle walks all accounts range by range) or a list (a refresh of a
/// few accounts after an event). Values reach SQL as parameters, so every range reuses one compiled query.
/// </summary>
public sealed class AccountSelection
{
    private AccountSelection(long low, long high, long[]? ids)
    {
        Low = low;
        High = high;
        Ids = ids;
    }

    public long Low { get; }
    public long High { get; }

    /// <summary>The chosen accounts, in order; null for a range.</summary>
    public long[]? Ids { get; }

    public static AccountSelection Range(long low, long high) => new(low, high, null);

    public static AccountSelection Of(IEnumerable<long> ids) => new(0, 0, ids.Distinct().Order().ToArray());

    internal IQueryable<T> Apply<T>(IQueryable<T> query, Expression<Func<T, long>> accountId)
    {
        var self = Expression.Constant(this);
        Expression body = Ids is not null
            ? Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(long)], Expression.Property(self, nameof(Ids)), accountId.Body)
            : Expression.AndAlso(
                Expression.GreaterThanOrEqual(accountId.Body, Expression.Property(self, nameof(Low))),
                Expression.LessThanOrEqual(accountId.Body, Expression.Property(self, nameof(High))));
        return query.Where(Expression.Lambda<Func<T, bool>>(body, accountId.Parameters));
    }
}

/// <summary>
/// Reads the selected accounts' rows in a few set-based queries, one per table, streamed without change tracking; never
/// one query per account. Amounts stay exact decimals summed in C#.
/// </summary>
public static class AccountHistoryLoader
{
    /// <summary>
    /// What evaluating <paramref name="asOf"/> needs: the ledger up to that day, tickets open then or opened in the 120
    /// days before, NPS answers, daily usage summed by the database over the windows the rules compare, and the last
    /// touchpoint.
    /// </summary>
    public static async Task<List<AccountHistory>> LoadDayAsync(CsmDbContext db, AccountSelection selection, DateOnly asOf,
        EvaluationSettings settings, CancellationToken ct, CycleSummary? timings = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var accounts = await LoadCommonAsync(db, selection, asOf, settings, asOf.AddDays(-120), ct, timings);
        clock.Restart();
        var silent = settings.Health.SilentChurn;
        var start = UsageSummary.SpanStart(asOf, silent.NoActiveUsersDays, silent.BaselineDays);
        var last30 = asOf.AddDays(-30);
        var last90 = asOf.AddDays(-90);
        var recent = asOf.AddDays(-silent.NoActiveUsersDays);
        var baseline = recent.AddDays(-silent.BaselineDays);
        var usage = selection.Apply(db.UsageDays.AsNoTracking(), u => u.AccountId)
            .Where(u => u.Date >= start && u.Date <= asOf)
            .GroupBy(u => u.AccountId)
            .Select(g => new
            {
                g.Key,
                Last30 = g.Sum(u => u.Date > last30 ? (long)u.ActiveUsers : 0L),
                Previous60 = g.Sum(u => u.Date <= last30 && u.Date > last90 ? (long)u.ActiveUsers : 0L),
                Recent = g.Sum(u => u.Date > recent ? (long)u.ActiveUsers : 0L),
                Baseline = g.Sum(u => u.Date <= recent && u.Date > baseline ? (long)u.ActiveUsers : 0L),
                Days = g.Count(),
                LastActive = g.Max(u => u.ActiveUsers > 0 ? (DateOnly?)u.Date : null),
            });
        await foreach (var u in usage.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(u.Key, out var h))
                h.UsageSummary = new UsageSummary(u.Last30, u.Previous60, u.Recent, u.Baseline, u.Days, u.LastActive);
        timings?.Time("read usage (summed)", clock.Elapsed);
        clock.Restart();

        var touchpoints = selection.Apply(db.Touchpoints.AsNoTracking(), t => t.AccountId)
            .Where(t => t.OccurredOn <= asOf)
            .GroupBy(t => t.AccountId)
            .Select(g => new { g.Key, Last = g.Max(t => t.OccurredOn) });
        await foreach (var t in touchpoints.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(t.Key, out var h))
                h.LastTouchpoint = t.Last;
        timings?.Time("read last touchpoints", clock.Elapsed);

        foreach (var h in accounts.Values) h.UsageSummary ??= new UsageSummary(0, 0, 0, 0, 0, null);
        return [.. accounts.Values];
    }

    /// <summary>Every row up to <paramref name="asOf"/>, daily usage and touchpoints included, so that any earlier day can be replayed.</summary>
    public static async Task<List<AccountHistory>> LoadHistoryAsync(CsmDbContext db, AccountSelection selection, DateOnly asOf,
        EvaluationSettings settings, CancellationToken ct)
    {
        var accounts = await LoadCommonAsync(db, selection, asOf, settings, null, ct, null);
        var usage = selection.Apply(db.UsageDays.AsNoTracking(), u => u.AccountId)
            .Where(u => u.Date <= asOf)
            .OrderBy(u => u.AccountId).ThenBy(u => u.Date)
            .Select(u => new { u.AccountId, u.Date, u.ActiveUsers });
        await foreach (var u in usage.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(u.AccountId, out var h))
                h.UsageDays.Add((u.Date, u.ActiveUsers));

        var touchpoints = selection.Apply(db.Touchpoints.AsNoTracking(), t => t.AccountId)
            .Where(t => t.OccurredOn <= asOf)
            .Select(t => new { t.AccountId, t.OccurredOn });
        await foreach (var t in touchpoints.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(t.AccountId, out var h))
                h.Touchpoints.Add(t.OccurredOn);
        foreach (var h in accounts.Values) h.Touchpoints.Sort();
        return [.. accounts.Values];
    }

    private static async Task<SortedDictionary<long, AccountHistory>> LoadCommonAsync(CsmDbContext db, AccountSelection selection, DateOnly asOf,
        EvaluationSettings settings, DateOnly? ticketsSince, CancellationToken ct, CycleSummary? timings)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Lap(string what)
        {
            timings?.Time("read " + what, clock.Elapsed);
            clock.Restart();
        }
        var accounts = new SortedDictionary<long, AccountHistory>();
        var accountRows = selection.Apply(db.Accounts.AsNoTracking(), a => a.Id)
            .Select(a => new AccountRow(a.Id, a.ExternalId, a.CsmId, a.Tier, a.Employees, a.Industry, a.Country, a.Plan, a.Currency));
        await foreach (var a in accountRows.AsAsyncEnumerable().WithCancellation(ct))
            accounts[a.Id] = new AccountHistory(a);
        if (accounts.Count == 0) return accounts;

        Lap("accounts");
        var subscriptions = selection.Apply(db.Subscriptions.AsNoTracking(), s => s.AccountId)
            .Where(s => s.StartDate <= asOf)
            .Select(s => new { s.AccountId, s.MrrAmount, s.Currency, s.StartDate, s.EndDate, s.RenewalDate });
        await foreach (var s in subscriptions.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(s.AccountId, out var h))
                h.Subscriptions.Add(new SubscriptionRow(s.MrrAmount, s.Currency, s.StartDate, s.EndDate, s.RenewalDate));

        Lap("subscriptions");
        var invoices = selection.Apply(db.Invoices.AsNoTracking(), i => i.AccountId)
            .Where(i => i.IssueDate <= asOf)
            .Select(i => new { i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, i.Currency, i.Status });
        await foreach (var i in invoices.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(i.AccountId, out var h))
                h.Invoices.Add(new InvoiceFacts(i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, h.Account.Currency == i.Currency ? h.Account.Currency : i.Currency, i.Status));

        Lap("invoices");
        var disputeCodes = settings.Health.Payment.DisputeCodes;
        var payments = selection.Apply(db.Payments.AsNoTracking(), p => p.AccountId)
            .Where(p => p.PaidOn <= asOf)
            .Select(p => new { p.AccountId, p.InvoiceId, p.AmountValue, p.PaidOn, p.Status, p.FailureCode });
        await foreach (var p in payments.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(p.AccountId, out var h))
                h.Payments.Add(new PaymentRow(p.InvoiceId, p.AmountValue, p.PaidOn, p.Status == PaymentStatus.Succeeded,
                    p.FailureCode is { } code && disputeCodes.Contains(code, StringComparer.OrdinalIgnoreCase)));

        Lap("payments");
        var credits = selection.Apply(db.CreditNotes.AsNoTracking(), c => c.AccountId)
            .Where(c => c.IssuedOn <= asOf)
            .Select(c => new { c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn });
        await foreach (var c in credits.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(c.AccountId, out var h))
                h.CreditNotes.Add(new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, h.Account.Currency == c.Currency ? h.Account.Currency : c.Currency, c.IssuedOn));

        Lap("credit notes");
        var words = settings.Health.Payment.DisputeWords;
        var ticketQuery = selection.Apply(db.Tickets.AsNoTracking(), t => t.AccountId).Where(t => t.OpenedOn <= asOf);
        if (ticketsSince is { } since)
            ticketQuery = ticketQuery.Where(t => t.OpenedOn > since || (t.SolvedOn == null && t.Status != TicketStatus.Solved) || t.SolvedOn > asOf);
        var tickets = ticketQuery.Select(t => new { t.AccountId, t.OpenedOn, t.Priority, t.Status, t.SolvedOn, t.Subject });
        await foreach (var t in tickets.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(t.AccountId, out var h))
                h.Tickets.Add(new TicketRow(t.OpenedOn, t.Priority, t.Status, t.SolvedOn,
                    words.Any(w => t.Subject.Contains(w, StringComparison.OrdinalIgnoreCase))));

        Lap("tickets");
        var nps = selection.Apply(db.NpsResponses.AsNoTracking(), n => n.AccountId)
            .Where(n => n.RespondedOn <= asOf)
            .Select(n => new { n.AccountId, n.Score, n.RespondedOn });
        await foreach (var n in nps.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(n.AccountId, out var h))
                h.Nps.Add(new NpsFact(n.Score, n.RespondedOn));
        Lap("nps");
        return accounts;
    }
}
