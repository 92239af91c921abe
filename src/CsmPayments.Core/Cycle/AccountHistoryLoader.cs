using CsmPayments.Accounts;
using System.Linq.Expressions;
using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Storage;
using CsmPayments.Usage;
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
    /// touchpoint. Read through <see cref="LeanQuery"/> (SQL read by ordinal, no EF materialisation): the same rows as
    /// <see cref="LoadHistoryAsync"/> reads for the day, so the evaluation of either is the same. The day each invoice was
    /// settled is read as stored, and the payments of invoices settled by a trusted day are left out when most are
    /// (<see cref="AccountHistory.TrustedSettledOn"/>); <paramref name="ledgerNotes"/>, when given, receives the ids of the
    /// ledger notes read.
    /// </summary>
    public static async Task<List<AccountHistory>> LoadDayAsync(CsmDbContext db, AccountSelection selection, DateOnly asOf,
        EvaluationSettings settings, CancellationToken ct, CycleSummary? timings = null, UsageRoll? roll = null, List<long>? ledgerNotes = null)
    {
        var timer = new StepTimer(timings is null ? null : timings.Time, "read ");
        var list = new List<AccountHistory>();
        var accounts = new Dictionary<long, AccountHistory>();
        await using (var query = await LeanQuery.CreateAsync(db, selection, "id",
                         "SELECT id, external_id, csm_id, tier, employees, industry, country, plan, currency FROM accounts WHERE {accounts} ORDER BY id", ct))
        await using (var r = await query.ReadAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var h = new AccountHistory(new AccountRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : LeanQuery.Enum<ServiceTier>(r, 3),
                    r.GetInt32(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8)));
                accounts[h.Account.Id] = h;
                list.Add(h);
            }
        if (list.Count == 0) return list;
        timer.Lap("accounts");

        async Task ReadAsync(string what, string sql, Action<System.Data.Common.DbDataReader, AccountHistory> row, params (string Name, object Value)[] parameters)
        {
            await using var query = await LeanQuery.CreateAsync(db, selection, "account_id", sql, ct);
            query.With("asOf", asOf);
            foreach (var (name, value) in parameters) query.With(name, value);
            await using var r = await query.ReadAsync(ct);
            while (await r.ReadAsync(ct))
                if (accounts.TryGetValue(r.GetInt64(0), out var h))
                    row(r, h);
            timer.Lap(what);
        }

        await ReadAsync("subscriptions", "SELECT account_id, mrr, currency, start_date, end_date, renewal_date FROM subscriptions WHERE {accounts} AND start_date <= @asOf",
            (r, h) => h.Subscriptions.Add(new SubscriptionRow(r.GetDecimal(1), r.GetString(2), LeanQuery.Date(r, 3), LeanQuery.NullableDate(r, 4), LeanQuery.NullableDate(r, 5))));
        // The notes of ledger changes first, then the rows: a change committed in between leaves a note this load has not
        // read, which stays for the next day; a note read was committed before the rows below are read, so they hold it.
        await using (var query = await LeanQuery.CreateAsync(db, selection, "account_id", "SELECT id, account_id FROM ledger_changes WHERE {accounts}", ct))
        await using (var r = await query.ReadAsync(ct))
            while (await r.ReadAsync(ct))
            {
                ledgerNotes?.Add(r.GetInt64(0));
                if (accounts.TryGetValue(r.GetInt64(1), out var h)) h.LedgerNoted = true;
            }
        timer.Lap("ledger notes");
        // An account's invoices come one after another (the index is by account), so they are gathered first and each
        // account's lists made once at their size, instead of grown by doubling: the day reads several million.
        await using (var query = await LeanQuery.CreateAsync(db, selection, "account_id",
                         $"SELECT account_id, id, issue_date, due_date, amount, currency, status, {Invoice.SettledOnColumn} FROM invoices WHERE {{accounts}} AND issue_date <= @asOf", ct))
        {
            await using var r = await query.With("asOf", asOf).ReadAsync(ct);
            AccountHistory? owner = null;
            var rows = new List<InvoiceFacts>();
            var settled = new List<DateOnly?>();
            void Hand()
            {
                owner?.Invoices.AddRange(rows);
                owner?.StoredSettledOn.AddRange(settled);
                rows.Clear();
                settled.Clear();
            }
            while (await r.ReadAsync(ct))
            {
                var id = r.GetInt64(0);
                if (owner?.Account.Id != id)
                {
                    Hand();
                    owner = accounts.GetValueOrDefault(id);
                }
                if (owner is null) continue;
                var currency = r.GetString(5);
                rows.Add(new InvoiceFacts(r.GetInt64(1), id, LeanQuery.Date(r, 2), LeanQuery.Date(r, 3), r.GetDecimal(4),
                    owner.Account.Currency == currency ? owner.Account.Currency : currency, LeanQuery.Enum<InvoiceStatus>(r, 6)));
                settled.Add(LeanQuery.NullableDate(r, 7));
            }
            Hand();
        }
        timer.Lap("invoices");
        var disputeCodes = settings.Health.Payment.DisputeCodes;
        const string paymentColumns = "SELECT account_id, invoice_id, amount, paid_on, status, failure_code FROM payments WHERE ";
        void AddPayment(System.Data.Common.DbDataReader r, AccountHistory h) =>
            h.Payments.Add(new PaymentRow(r.IsDBNull(1) ? null : r.GetInt64(1), r.GetDecimal(2), LeanQuery.Date(r, 3),
                LeanQuery.Enum<PaymentStatus>(r, 4) == PaymentStatus.Succeeded,
                !r.IsDBNull(5) && disputeCodes.Contains(r.GetString(5), StringComparer.OrdinalIgnoreCase)));
        // The evaluation reads a payment for two things: a successful one reduces its invoice, and a failed one counts
        // within the last 90 days (or the failed-payment window, if longer). An invoice settled by a trusted stored day
        // needs none of its payments, so when most are, only the failed attempts of those days and the payments of the
        // other invoices are read; otherwise every payment of the range, as the first run of a book does.
        var unsettled = new List<long>();
        var invoiceCount = 0;
        foreach (var h in list)
            for (var k = 0; k < h.Invoices.Count; k++, invoiceCount++)
                if (h.TrustedSettledOn(k, asOf) is null)
                    unsettled.Add(h.Invoices[k].Id);
        if (unsettled.Count * 2 > invoiceCount)
            await ReadAsync("payments", paymentColumns + "{accounts} AND paid_on <= @asOf", AddPayment);
        else
        {
            var failedSince = asOf.AddDays(-Math.Max(90, settings.Health.Payment.FailedPaymentWindowDays));
            await ReadAsync("payments (failed)", paymentColumns + "{accounts} AND status <> 'Succeeded' AND paid_on > @since AND paid_on <= @asOf", AddPayment,
                ("since", failedSince));
            if (unsettled.Count > 0)
                await ReadAsync("payments (of unsettled invoices)",
                    paymentColumns + LeanQuery.AnyOf(db, "invoice_id", "invoices") + " AND status = 'Succeeded' AND paid_on <= @asOf AND {accounts}", AddPayment,
                    ("invoices", LeanQuery.IdList(db, unsettled)));
        }
        await ReadAsync("credit notes", "SELECT account_id, invoice_id, amount, currency, issued_on FROM credit_notes WHERE {accounts} AND issued_on <= @asOf",
            (r, h) =>
            {
                var currency = r.GetString(3);
                h.CreditNotes.Add(new CreditNoteFacts(h.Account.Id, r.GetInt64(1), r.GetDecimal(2), h.Account.Currency == currency ? h.Account.Currency : currency,
                    LeanQuery.Date(r, 4)));
            });
        var words = settings.Health.Payment.DisputeWords;
        await ReadAsync("tickets",
            "SELECT account_id, opened_on, priority, status, solved_on, subject FROM tickets WHERE {accounts} AND opened_on <= @asOf"
            + " AND (opened_on > @since OR (solved_on IS NULL AND status <> 'Solved') OR solved_on > @asOf)",
            (r, h) =>
            {
                var subject = r.GetString(5);
                h.Tickets.Add(new TicketRow(LeanQuery.Date(r, 1), LeanQuery.Enum<TicketPriority>(r, 2), LeanQuery.Enum<TicketStatus>(r, 3), LeanQuery.NullableDate(r, 4),
                    words.Any(w => subject.Contains(w, StringComparison.OrdinalIgnoreCase))));
            }, ("since", asOf.AddDays(-120)));
        await ReadAsync("nps", "SELECT account_id, score, responded_on FROM nps_responses WHERE {accounts} AND responded_on <= @asOf",
            (r, h) => h.Nps.Add(new NpsFact(r.GetInt32(1), LeanQuery.Date(r, 2))));

        await ReadUsageAsync(db, selection, asOf, settings, accounts, list, roll, timer, ct);
        await ReadAsync("last touchpoints", "SELECT account_id, MAX(occurred_on) FROM touchpoints WHERE {accounts} AND occurred_on <= @asOf GROUP BY account_id",
            (r, h) => h.LastTouchpoint = LeanQuery.Date(r, 1));

        return list;
    }

    /// <summary>
    /// Each account's usage summary for the day and the carry its snapshot keeps: rolled forward where
    /// <paramref name="roll"/> allows it, summed over the whole span by the database for the rest.
    /// </summary>
    private static async Task ReadUsageAsync(CsmDbContext db, AccountSelection selection, DateOnly asOf, EvaluationSettings settings,
        Dictionary<long, AccountHistory> accounts, List<AccountHistory> list, UsageRoll? roll, StepTimer timer, CancellationToken ct)
    {
        var windows = UsageWindows.Of(settings.Health.SilentChurn);
        var lengths = windows.Lengths;
        // Changes first, then the rows: a change committed in between is not read, so it stays for the next day, which
        // sums that account again; a change read was committed before the rows below are read, so they hold it.
        HashSet<long>? changed = null;
        List<(long First, long Last)>? changedSpans = null;
        if (roll is not null)
        {
            var closedThrough = roll.Source is { } source ? UsageWindows.ClosedThrough(source) : DateOnly.MinValue;
            var (low, high) = selection.Ids is { } chosen ? (chosen[0], chosen[^1]) : (selection.Low, selection.High);
            // A note lies within one block of ids, so those that reach the selection start at most a block before it.
            var notes = AccountSelection.Range(low > long.MinValue + UsageChange.AccountSpan ? low - UsageChange.AccountSpan + 1 : long.MinValue, high);
            await using (var query = await LeanQuery.CreateAsync(db, notes, "first_account_id",
                             "SELECT id, first_account_id, last_account_id, earliest FROM usage_changes WHERE {accounts} AND last_account_id >= @reach", ct))
            await using (var r = await query.With("reach", low).ReadAsync(ct))
                while (await r.ReadAsync(ct))
                {
                    roll.Changes.Add(r.GetInt64(0));
                    if (LeanQuery.Date(r, 3) > closedThrough) continue;
                    var (first, last) = (r.GetInt64(1), r.GetInt64(2));
                    if (first == last) (changed ??= []).Add(first);
                    else (changedSpans ??= []).Add((first, last));
                }
            timer.Lap("usage changes");
        }
        bool Changed(long id)
        {
            if (changed?.Contains(id) == true) return true;
            if (changedSpans is null) return false;
            foreach (var (first, last) in changedSpans)
                if (first <= id && id <= last)
                    return true;
            return false;
        }

        var rolls = roll is not null && roll.RollsTo(asOf, windows);
        var rolling = new List<AccountHistory>(rolls ? list.Count : 0);
        var summing = new List<AccountHistory>(list.Count);
        foreach (var h in list)
        {
            if (rolls && roll!.Carried.TryGetValue(h.Account.Id, out var carry) && carry.Key == windows.Key && !Changed(h.Account.Id))
                rolling.Add(h);
            else summing.Add(h);
        }
        if (roll is not null)
        {
            roll.Rolled += rolling.Count;
            roll.Summed += summing.Count;
        }

        if (summing.Count > 0)
            await SumSpanAsync(db, summing.Count == list.Count ? selection : AccountSelection.Of(summing.Select(h => h.Account.Id)), asOf, windows, accounts, lengths, timer, ct);
        if (rolling.Count > 0)
            await RollAsync(db, selection, asOf, roll!, windows, rolling, lengths, timer, ct);
        foreach (var h in summing)
            if (h.UsageSummary is null)
                (h.UsageSummary, h.UsageCarry) = UsageSums.FromSpan(windows, [0, 0, 0, 0], 0, null, UsagePart.None, null);
    }

    /// <summary>
    /// Usage summed by the database over every day of the span. The windows the rules compare all end on the as-of day and
    /// nest, so each is a sum over the last N days or the difference of two such sums: a row passes at most three filters,
    /// and the sum over the whole span none. Sums of the int column with FILTER: the database adds machine integers
    /// instead of evaluating a CASE per row.
    /// </summary>
    private static async Task SumSpanAsync(CsmDbContext db, AccountSelection selection, DateOnly asOf, UsageWindows windows,
        Dictionary<long, AccountHistory> accounts, int[] lengths, StepTimer timer, CancellationToken ct)
    {
        var start = UsageSummary.SpanStart(asOf, windows.RecentDays, windows.BaselineDays);
        var spanDays = windows.SpanDays;
        var lastDays = lengths.Distinct().Order().ToArray();
        var sums = lastDays.Select(days => days >= spanDays
            ? "COALESCE(SUM(active_users), 0)"
            : $"COALESCE(SUM(active_users) FILTER (WHERE date > @after{days}), 0)");
        int Column(int days) => 1 + Array.IndexOf(lastDays, days);
        // Each window's column, found once for the query rather than for every row.
        var columns = lengths.Select(Column).ToArray();
        int rowsColumn = lastDays.Length + 1, lastActiveColumn = lastDays.Length + 2, freshSum = lastDays.Length + 3;
        await using var query = await LeanQuery.CreateAsync(db, selection, "account_id",
            $"SELECT account_id, {string.Join(", ", sums)}, COUNT(*), MAX(date) FILTER (WHERE active_users > 0),"
            + " COALESCE(SUM(active_users) FILTER (WHERE date > @fresh), 0), COUNT(*) FILTER (WHERE date > @fresh),"
            + " MAX(date) FILTER (WHERE active_users > 0 AND date <= @fresh)"
            + " FROM usage_days WHERE {accounts} AND date >= @start AND date <= @asOf GROUP BY account_id", ct);
        query.With("asOf", asOf).With("start", start).With("fresh", UsageWindows.ClosedThrough(asOf));
        foreach (var days in lastDays.Where(days => days < spanDays)) query.With($"after{days}", asOf.AddDays(-days));
        await using var r = await query.ReadAsync(ct);
        var cumulative = new long[4];
        while (await r.ReadAsync(ct))
        {
            if (!accounts.TryGetValue(r.GetInt64(0), out var h)) continue;
            for (var w = 0; w < 4; w++) cumulative[w] = r.GetInt64(columns[w]);
            (h.UsageSummary, h.UsageCarry) = UsageSums.FromSpan(windows, cumulative, (int)r.GetInt64(rowsColumn), LeanQuery.NullableDate(r, lastActiveColumn),
                new UsagePart(r.GetInt64(freshSum), (int)r.GetInt64(freshSum + 1), null), LeanQuery.NullableDate(r, freshSum + 2));
        }
        timer.Lap("usage (summed)");
    }

    /// <summary>
    /// Usage rolled forward from the source day's carries: only the days that enter the closed part, leave a window or are
    /// fresh are read, each a short scan of the range in the index by date.
    /// </summary>
    private static async Task RollAsync(CsmDbContext db, AccountSelection selection, DateOnly asOf, UsageRoll roll, UsageWindows windows,
        List<AccountHistory> rolling, int[] lengths, StepTimer timer, CancellationToken ct)
    {
        var source = roll.Source!.Value;
        var gap = asOf.DayNumber - source.DayNumber;
        var fresh = UsageWindows.ClosedThrough(asOf);
        var entering = UsageWindows.ClosedThrough(source);
        var leaving = lengths.Append(windows.SpanDays).Distinct().ToArray();
        var days = new SortedSet<DateOnly>();
        for (var d = entering.AddDays(1); d <= asOf; d = d.AddDays(1)) days.Add(d);
        foreach (var n in leaving)
            for (var g = 1; g <= gap; g++)
                days.Add(source.AddDays(g - n));

        var sql = new System.Text.StringBuilder("SELECT account_id,"
            + " COALESCE(SUM(active_users) FILTER (WHERE date > @fresh), 0), COUNT(*) FILTER (WHERE date > @fresh), MAX(date) FILTER (WHERE date > @fresh AND active_users > 0),"
            + " COALESCE(SUM(active_users) FILTER (WHERE date > @entering AND date <= @fresh), 0), COUNT(*) FILTER (WHERE date > @entering AND date <= @fresh),"
            + " MAX(date) FILTER (WHERE date > @entering AND date <= @fresh AND active_users > 0)");
        // What leaves each window, and the rows leaving the span; every aggregate costs the database a test per row.
        foreach (var n in leaving) sql.Append($", COALESCE(SUM(active_users) FILTER (WHERE date > @leave{n} AND date <= @left{n}), 0)");
        sql.Append($", COUNT(*) FILTER (WHERE date > @leave{windows.SpanDays} AND date <= @left{windows.SpanDays})");
        var postgres = db.Provider == StorageProvider.Postgres;
        sql.Append(" FROM usage_days WHERE {accounts} AND ");
        sql.Append(postgres ? "date = ANY(@days)" : $"date IN ({string.Join(", ", days.Select((_, i) => "@day" + i))})");
        sql.Append(" GROUP BY account_id");
        await using var query = await LeanQuery.CreateAsync(db, selection, "account_id", sql.ToString(), ct);
        query.With("fresh", fresh).With("entering", entering);
        foreach (var n in leaving) query.With($"leave{n}", source.AddDays(-n)).With($"left{n}", asOf.AddDays(-n));
        if (postgres) query.With("days", days.ToArray());
        else
        {
            var i = 0;
            foreach (var d in days) query.With("day" + i++, d);
        }

        var byId = new Dictionary<long, AccountHistory>(rolling.Count);
        foreach (var h in rolling) byId[h.Account.Id] = h;
        var leavingColumn = lengths.Select(n => 7 + Array.IndexOf(leaving, n)).ToArray();
        var spanRowsColumn = 7 + leaving.Length;
        var left = new long[4];
        await using (var r = await query.ReadAsync(ct))
            while (await r.ReadAsync(ct))
            {
                if (!byId.Remove(r.GetInt64(0), out var h)) continue;
                for (var w = 0; w < 4; w++) left[w] = r.GetInt64(leavingColumn[w]);
                (h.UsageSummary, h.UsageCarry) = UsageSums.Roll(windows, roll.Carried[h.Account.Id], asOf,
                    new UsagePart(r.GetInt64(4), (int)r.GetInt64(5), LeanQuery.NullableDate(r, 6)), left, (int)r.GetInt64(spanRowsColumn),
                    new UsagePart(r.GetInt64(1), (int)r.GetInt64(2), LeanQuery.NullableDate(r, 3)));
            }
        // Accounts without a row on any of those days: their sums change only by the days that leave, which hold none.
        foreach (var h in byId.Values)
            (h.UsageSummary, h.UsageCarry) = UsageSums.Roll(windows, roll.Carried[h.Account.Id], asOf, UsagePart.None, [0, 0, 0, 0], 0, UsagePart.None);
        timer.Lap("usage (rolled)");
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
        var timer = new StepTimer(timings is null ? null : timings.Time, "read ");
        var accounts = new SortedDictionary<long, AccountHistory>();
        var accountRows = selection.Apply(db.Accounts.AsNoTracking(), a => a.Id)
            .Select(a => new AccountRow(a.Id, a.ExternalId, a.CsmId, a.Tier, a.Employees, a.Industry, a.Country, a.Plan, a.Currency));
        await foreach (var a in accountRows.AsAsyncEnumerable().WithCancellation(ct))
            accounts[a.Id] = new AccountHistory(a);
        if (accounts.Count == 0) return accounts;

        timer.Lap("accounts");
        var subscriptions = selection.Apply(db.Subscriptions.AsNoTracking(), s => s.AccountId)
            .Where(s => s.StartDate <= asOf)
            .Select(s => new { s.AccountId, s.MrrAmount, s.Currency, s.StartDate, s.EndDate, s.RenewalDate });
        await foreach (var s in subscriptions.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(s.AccountId, out var h))
                h.Subscriptions.Add(new SubscriptionRow(s.MrrAmount, s.Currency, s.StartDate, s.EndDate, s.RenewalDate));

        timer.Lap("subscriptions");
        var invoices = selection.Apply(db.Invoices.AsNoTracking(), i => i.AccountId)
            .Where(i => i.IssueDate <= asOf)
            .Select(i => new { i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, i.Currency, i.Status });
        await foreach (var i in invoices.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(i.AccountId, out var h))
                h.Invoices.Add(new InvoiceFacts(i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, h.Account.Currency == i.Currency ? h.Account.Currency : i.Currency, i.Status));

        timer.Lap("invoices");
        var disputeCodes = settings.Health.Payment.DisputeCodes;
        var payments = selection.Apply(db.Payments.AsNoTracking(), p => p.AccountId)
            .Where(p => p.PaidOn <= asOf)
            .Select(p => new { p.AccountId, p.InvoiceId, p.AmountValue, p.PaidOn, p.Status, p.FailureCode });
        await foreach (var p in payments.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(p.AccountId, out var h))
                h.Payments.Add(new PaymentRow(p.InvoiceId, p.AmountValue, p.PaidOn, p.Status == PaymentStatus.Succeeded,
                    p.FailureCode is { } code && disputeCodes.Contains(code, StringComparer.OrdinalIgnoreCase)));

        timer.Lap("payments");
        var credits = selection.Apply(db.CreditNotes.AsNoTracking(), c => c.AccountId)
            .Where(c => c.IssuedOn <= asOf)
            .Select(c => new { c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn });
        await foreach (var c in credits.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(c.AccountId, out var h))
                h.CreditNotes.Add(new CreditNoteFacts(c.AccountId, c.InvoiceId, c.AmountValue, h.Account.Currency == c.Currency ? h.Account.Currency : c.Currency, c.IssuedOn));

        timer.Lap("credit notes");
        var words = settings.Health.Payment.DisputeWords;
        var ticketQuery = selection.Apply(db.Tickets.AsNoTracking(), t => t.AccountId).Where(t => t.OpenedOn <= asOf);
        if (ticketsSince is { } since)
            ticketQuery = ticketQuery.Where(t => t.OpenedOn > since || (t.SolvedOn == null && t.Status != TicketStatus.Solved) || t.SolvedOn > asOf);
        var tickets = ticketQuery.Select(t => new { t.AccountId, t.OpenedOn, t.Priority, t.Status, t.SolvedOn, t.Subject });
        await foreach (var t in tickets.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(t.AccountId, out var h))
                h.Tickets.Add(new TicketRow(t.OpenedOn, t.Priority, t.Status, t.SolvedOn,
                    words.Any(w => t.Subject.Contains(w, StringComparison.OrdinalIgnoreCase))));

        timer.Lap("tickets");
        var nps = selection.Apply(db.NpsResponses.AsNoTracking(), n => n.AccountId)
            .Where(n => n.RespondedOn <= asOf)
            .Select(n => new { n.AccountId, n.Score, n.RespondedOn });
        await foreach (var n in nps.AsAsyncEnumerable().WithCancellation(ct))
            if (accounts.TryGetValue(n.AccountId, out var h))
                h.Nps.Add(new NpsFact(n.Score, n.RespondedOn));
        timer.Lap("nps");
        return accounts;
    }
}
