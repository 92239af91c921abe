using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Organisation;
using CsmPayments.Segments;

namespace CsmPayments.Cycle;

/// <summary>The rules the cycle applies, from configuration.</summary>
public sealed record EvaluationSettings(HealthOptions Health, SegmentOptions Segments, ExchangeRates Rates)
{
    /// <summary>Broken promises to pay of an account on a day, once collections records promises; until then none.</summary>
    public Func<long, DateOnly, int>? BrokenPromises { get; init; }

    /// <summary>Open disputes collections knows of, added to those the ledger shows (dispute failure codes, dispute tickets).</summary>
    public Func<long, DateOnly, int>? OpenDisputes { get; init; }
}

/// <summary>One account evaluated for one day: its segments and its health.</summary>
public sealed record AccountEvaluation(long AccountId, long CsmId, SegmentResult Segments, HealthResult Health, bool Billing)
{
    /// <summary>The invoices with a balance on the day, when the evaluation was asked to note them (for collections).</summary>
    public IReadOnlyList<long> Owed { get; init; } = [];

    /// <summary>
    /// The invoices whose stored settlement day the evaluation found out of date, with the day it found (none when the
    /// invoice is not settled on the day), when the evaluation was asked to note them (<see cref="Invoice.SettledOnColumn"/>).
    /// </summary>
    public IReadOnlyList<(long InvoiceId, DateOnly? SettledOn)> Settled { get; init; } = [];

    /// <summary>The usage the day's snapshot keeps for the next day (from the day load), if any.</summary>
    public UsageCarry? UsageCarry { get; init; }
}

/// <summary>Turns an account's rows into the facts of one day and applies the segment and health rules: pure, no I/O.</summary>
public static class AccountEvaluator
{
    /// <summary>
    /// Evaluates the account for the day. With <paramref name="noteOwed"/> the result also names the invoices with a
    /// balance, found by the same reckoning that scores them (<see cref="AccountEvaluation.Owed"/>); with
    /// <paramref name="noteSettled"/> the invoices whose stored settlement day is out of date (<see cref="AccountEvaluation.Settled"/>).
    /// </summary>
    public static AccountEvaluation Evaluate(AccountHistory history, DateOnly asOf, EvaluationSettings settings, HealthResult? earlier = null,
        bool noteOwed = false, bool noteSettled = false)
    {
        List<long>? owed = noteOwed ? [] : null;
        List<(long, DateOnly?)>? settled = noteSettled && history.StoredSettledOn.Count > 0 ? [] : null;
        var (healthFacts, segmentFacts) = Facts(history, asOf, settings, owed, settled);
        var segments = Segmentation.Assign(segmentFacts, settings.Segments);
        // Facts already carry the tier segmentation assigns; a copy only if a rule ever tells them apart.
        var facts = healthFacts.Tier == segments.ServiceTier ? healthFacts : healthFacts with { Tier = segments.ServiceTier };
        var health = HealthScore.Evaluate(facts, asOf, settings.Health, earlier);
        return new AccountEvaluation(history.Account.Id, history.Account.CsmId, segments, health, healthFacts.Billing) { Owed = owed ?? [], Settled = settled ?? [], UsageCarry = history.UsageCarry };
    }

    /// <summary>
    /// The day's facts of the account; <paramref name="owedInto"/>, when given, receives the invoices with a balance, and
    /// <paramref name="settledInto"/> those whose stored settlement day differs from the one found.
    /// </summary>
    public static (HealthFacts Health, SegmentFacts Segments) Facts(AccountHistory h, DateOnly asOf, EvaluationSettings settings, List<long>? owedInto = null,
        List<(long InvoiceId, DateOnly? SettledOn)>? settledInto = null)
    {
        var rates = settings.Rates;
        var a = h.Account;
        var options = settings.Health;
        decimal Base(decimal amount, string currency) => rates.ToBase(amount, currency);

        decimal mrr = 0m;
        DateOnly? since = null, renewal = null;
        foreach (var s in h.Subscriptions)
        {
            if (s.Start > asOf) continue;
            if (since is null || s.Start < since) since = s.Start;
            if (!s.IsActiveOn(asOf)) continue;
            mrr += Base(s.Mrr, s.Currency);
            if (s.Renewal is { } r && r >= asOf && (renewal is null || r < renewal)) renewal = r;
        }
        var arr = mrr * 12m;

        // Balances as Ledger.Position computes them, without its dictionaries: the cycle evaluates a million accounts of a
        // few dozen rows each, so the rows are grouped by invoice in spans on the stack. Invoice ids are unique (they are the
        // invoices' keys), so grouping by position in the list is grouping by id.
        var invoices = h.Invoices;
        var reductionCount = h.CreditNotes.Count;
        foreach (var p in h.Payments)
            if (p.Succeeded && p.InvoiceId is not null)
                reductionCount++;
        Span<int> first = invoices.Count < StackLimit ? stackalloc int[invoices.Count + 1] : new int[invoices.Count + 1];
        Span<int> of = reductionCount <= StackLimit ? stackalloc int[reductionCount] : new int[reductionCount];
        Span<Reduction> reductions = reductionCount <= StackLimit ? stackalloc Reduction[reductionCount] : new Reduction[reductionCount];
        GroupByInvoice(h, first, of, reductions);

        Span<OpenBalance> openBalances = invoices.Count <= StackLimit ? stackalloc OpenBalance[invoices.Count] : new OpenBalance[invoices.Count];
        Span<long> owing = invoices.Count <= StackLimit ? stackalloc long[invoices.Count] : new long[invoices.Count];
        Span<DateOnly?> settledOn = invoices.Count <= StackLimit ? stackalloc DateOnly?[invoices.Count] : new DateOnly?[invoices.Count];
        var openCount = 0;
        var maxDaysPastDue = 0;
        for (var k = 0; k < invoices.Count; k++)
        {
            var invoice = invoices[k];
            var mine = reductions[first[k]..first[k + 1]];
            // A trusted stored day stands for the reckoning (its payments may not have been read); it is on or before the
            // day, so the invoice owes nothing.
            if (h.TrustedSettledOn(k, asOf) is { } trusted)
            {
                settledOn[k] = trusted;
                continue;
            }
            var found = settledOn[k] = SettledOn(invoice, mine);
            // What was found is a fact of the ledger whatever the day: the reductions it adds up are all on or before
            // the day found. Not settled by the day is no fact (it may be later), so a stored day is cleared only when
            // a change was noted.
            if (settledInto is not null && k < h.StoredSettledOn.Count && h.StoredSettledOn[k] is var stored
                && (found is not null ? found != stored : h.LedgerNoted && stored is not null))
                settledInto.Add((invoice.Id, found));
            if (invoice.IssueDate > asOf || invoice.Status != InvoiceStatus.Open) continue;
            // Credit notes, then payments, in the order Ledger.Position adds them.
            var reduced = 0m;
            foreach (var r in mine)
                if (r.On <= asOf)
                    reduced += r.Amount;
            var owed = invoice.Amount - reduced;
            if (owed <= 0m) continue;
            // Money rounds to the currency's minor unit, as the ledger's balances are.
            var balance = new Money(owed, invoice.Currency);
            if (!balance.IsPositive) continue;
            openBalances[openCount] = new OpenBalance(Base(balance.Amount, balance.Currency), invoice.DueDate);
            owing[openCount++] = invoice.Id;
            maxDaysPastDue = Math.Max(maxDaysPastDue, asOf.DayNumber - invoice.DueDate.DayNumber);
        }
        owing = owing[..openCount];
        owedInto?.AddRange((ReadOnlySpan<long>)owing);

        Span<(DateOnly Due, int Days)> paid = invoices.Count <= StackLimit ? stackalloc (DateOnly, int)[invoices.Count] : new (DateOnly, int)[invoices.Count];
        var paidCount = 0;
        var seg = settings.Segments;
        decimal largest = 0m;
        int judged = 0, late = 0, uncollectible = 0;
        for (var k = 0; k < invoices.Count; k++)
        {
            var i = invoices[k];
            if (i.IssueDate > asOf || i.Status == InvoiceStatus.Void) continue;
            if (i.Status == InvoiceStatus.Uncollectible) uncollectible++;
            if (i.IssueDate.DayNumber > asOf.DayNumber - seg.HistoryDays) largest = Math.Max(largest, Base(i.Amount, i.Currency));
            var settledOnDay = settledOn[k] is { } on && on <= asOf ? on : (DateOnly?)null;
            if (settledOnDay is { } paidOn && i.Status == InvoiceStatus.Open) paid[paidCount++] = (i.DueDate, paidOn.DayNumber - i.DueDate.DayNumber);
            var lateFrom = i.DueDate.AddDays(seg.GraceDays);
            if (i.DueDate.DayNumber <= asOf.DayNumber - seg.HistoryDays || lateFrom >= asOf) continue;
            judged++;
            if (settledOnDay is { } s2 ? s2 > lateFrom : i.Status != InvoiceStatus.Void) late++;
        }
        // The same sort as List.Sort with this comparison, so that invoices due on the same day keep the order they had.
        paid = paid[..paidCount];
        paid.Sort(static (x, y) => x.Due.CompareTo(y.Due));
        int[] daysToPay = paidCount == 0 ? [] : new int[paidCount];
        for (var k = 0; k < paidCount; k++) daysToPay[k] = paid[k].Days;

        var windowStart = asOf.DayNumber - options.Payment.FailedPaymentWindowDays;
        int failed = 0, unresolved = 0, failed90 = 0, disputes = 0;
        foreach (var p in h.Payments)
        {
            if (p.Succeeded || p.PaidOn > asOf) continue;
            if (p.PaidOn.DayNumber > asOf.DayNumber - 90) failed90++;
            if (p.PaidOn.DayNumber <= windowStart) continue;
            failed++;
            var stillOwed = p.InvoiceId is not { } id || owing.Contains(id);
            if (stillOwed) unresolved++;
            if (p.DisputeCode && stillOwed) disputes++;
        }

        int urgent = 0, high = 0, oldestUrgent = 0, oldestSevere = 0, last30 = 0, previous90 = 0;
        foreach (var t in h.Tickets)
        {
            if (t.OpenedOn > asOf) continue;
            var ago = asOf.DayNumber - t.OpenedOn.DayNumber;
            if (ago < 30) last30++;
            else if (ago < 120) previous90++;
            if (!t.IsOpenOn(asOf)) continue;
            if (t.Dispute) disputes++;
            if (t.Priority == TicketPriority.Urgent)
            {
                urgent++;
                oldestUrgent = Math.Max(oldestUrgent, ago);
            }
            else if (t.Priority == TicketPriority.High) high++;
            if (t.Priority is TicketPriority.Urgent or TicketPriority.High) oldestSevere = Math.Max(oldestSevere, ago);
        }

        NpsFact? nps = null;
        foreach (var n in h.Nps)
            if (n.RespondedOn <= asOf && (nps is not { } best || n.RespondedOn > best.RespondedOn || n.RespondedOn == best.RespondedOn && n.Score < best.Score))
                nps = n;

        var usage = h.UsageSummary ?? UsageSummary.From(h.UsageDays, asOf, options.SilentChurn.NoActiveUsersDays, options.SilentChurn.BaselineDays);
        var brokenPromises = settings.BrokenPromises?.Invoke(a.Id, asOf) ?? 0;
        disputes += settings.OpenDisputes?.Invoke(a.Id, asOf) ?? 0;
        var payment = new PaymentHealthFacts(arr, openCount == 0 ? [] : openBalances[..openCount].ToArray(), daysToPay, failed, unresolved, disputes, brokenPromises);

        var tier = Segmentation.ServiceTierOf(a.Tier, arr, seg);
        var health = new HealthFacts(tier, since, mrr > 0m, renewal, payment, usage, h.LastTouchpointOn(asOf),
            new SupportFacts(urgent, high, oldestUrgent, oldestSevere, last30, previous90), nps, rates.BaseCurrency);
        var segments = new SegmentFacts(a.Tier, arr, largest, judged, late, uncollectible, failed90, maxDaysPastDue, a.Plan, a.Employees, a.Industry, a.Country);
        return (health, segments);
    }

    /// <summary>Rows per kind that fit in spans on the stack; an account with more takes arrays.</summary>
    private const int StackLimit = 128;

    private readonly record struct Reduction(DateOnly On, decimal Amount);

    /// <summary>
    /// The successful payments and credit notes of each invoice: those of invoice k are
    /// <c>reductions[first[k]..first[k + 1]]</c>, credit notes first, then payments, each in the order of their lists.
    /// Payments of no listed invoice are left out, as they reduce no invoice.
    /// </summary>
    private static void GroupByInvoice(AccountHistory h, Span<int> first, Span<int> of, Span<Reduction> reductions)
    {
        var invoices = h.Invoices;
        first.Clear();
        var n = 0;
        foreach (var c in h.CreditNotes) of[n++] = IndexOf(invoices, c.InvoiceId);
        foreach (var p in h.Payments)
            if (p.Succeeded && p.InvoiceId is { } id)
                of[n++] = IndexOf(invoices, id);
        // Counting sort by invoice: counts, then where each invoice's rows start, then the rows in their order.
        foreach (var k in of)
            if (k >= 0)
                first[k + 1]++;
        for (var k = 0; k < invoices.Count; k++) first[k + 1] += first[k];
        Span<int> next = invoices.Count <= StackLimit ? stackalloc int[invoices.Count] : new int[invoices.Count];
        first[..invoices.Count].CopyTo(next);
        n = 0;
        foreach (var c in h.CreditNotes)
        {
            var k = of[n++];
            if (k >= 0) reductions[next[k]++] = new Reduction(c.IssuedOn, c.Amount);
        }
        foreach (var p in h.Payments)
        {
            if (!p.Succeeded || p.InvoiceId is null) continue;
            var k = of[n++];
            if (k >= 0) reductions[next[k]++] = new Reduction(p.PaidOn, p.Amount);
        }
    }

    private static int IndexOf(List<InvoiceFacts> invoices, long id)
    {
        for (var k = 0; k < invoices.Count; k++)
            if (invoices[k].Id == id)
                return k;
        return -1;
    }

    /// <summary>
    /// The day the invoice's payments and credit notes (of any day) first add up to its amount, as
    /// <see cref="AccountHistory.SettledOn"/> finds it; none when they never do or the invoice is void. Amounts are never
    /// negative, so that is the earliest of their days on which all of them up to then reach the amount.
    /// </summary>
    private static DateOnly? SettledOn(InvoiceFacts invoice, ReadOnlySpan<Reduction> reductions)
    {
        if (invoice.Status == InvoiceStatus.Void) return null;
        DateOnly? settled = null;
        foreach (var candidate in reductions)
        {
            if (settled is { } known && candidate.On >= known) continue;
            var sum = 0m;
            foreach (var r in reductions)
                if (r.On <= candidate.On)
                    sum += r.Amount;
            if (sum >= invoice.Amount) settled = candidate.On;
        }
        return settled;
    }
}
