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
public sealed record AccountEvaluation(long AccountId, long CsmId, SegmentResult Segments, HealthResult Health, bool Billing);

/// <summary>Turns an account's rows into the facts of one day and applies the segment and health rules: pure, no I/O.</summary>
public static class AccountEvaluator
{
    public static AccountEvaluation Evaluate(AccountHistory history, DateOnly asOf, EvaluationSettings settings, HealthResult? earlier = null)
    {
        var (healthFacts, segmentFacts) = Facts(history, asOf, settings);
        var segments = Segmentation.Assign(segmentFacts, settings.Segments);
        var health = HealthScore.Evaluate(healthFacts with { Tier = segments.ServiceTier }, asOf, settings.Health, earlier);
        return new AccountEvaluation(history.Account.Id, history.Account.CsmId, segments, health, healthFacts.Billing);
    }

    public static (HealthFacts Health, SegmentFacts Segments) Facts(AccountHistory h, DateOnly asOf, EvaluationSettings settings)
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

        var position = Ledger.Position(asOf, h.Invoices,
            h.Payments.Where(p => p.Succeeded).Select(p => new PaymentFacts(a.Id, p.InvoiceId, p.Amount, a.Currency, p.PaidOn, true)),
            h.CreditNotes);
        var open = new List<OpenBalance>();
        var owing = new HashSet<long>();
        var maxDaysPastDue = 0;
        foreach (var b in position.Invoices)
        {
            if (!b.Balance.IsPositive) continue;
            open.Add(new OpenBalance(Base(b.Balance.Amount, b.Balance.Currency), b.Invoice.DueDate));
            owing.Add(b.Invoice.Id);
            maxDaysPastDue = Math.Max(maxDaysPastDue, b.DaysPastDue(asOf));
        }

        var settled = h.SettledOn();
        var paid = new List<(DateOnly Due, int Days)>();
        var seg = settings.Segments;
        decimal largest = 0m;
        int judged = 0, late = 0, uncollectible = 0;
        foreach (var i in h.Invoices)
        {
            if (i.IssueDate > asOf || i.Status == InvoiceStatus.Void) continue;
            if (i.Status == InvoiceStatus.Uncollectible) uncollectible++;
            if (i.IssueDate.DayNumber > asOf.DayNumber - seg.HistoryDays) largest = Math.Max(largest, Base(i.Amount, i.Currency));
            var settledOn = settled.TryGetValue(i.Id, out var on) && on <= asOf ? on : (DateOnly?)null;
            if (settledOn is { } paidOn && i.Status == InvoiceStatus.Open) paid.Add((i.DueDate, paidOn.DayNumber - i.DueDate.DayNumber));
            var lateFrom = i.DueDate.AddDays(seg.GraceDays);
            if (i.DueDate.DayNumber <= asOf.DayNumber - seg.HistoryDays || lateFrom >= asOf) continue;
            judged++;
            if (settledOn is { } s2 ? s2 > lateFrom : i.Status != InvoiceStatus.Void) late++;
        }
        paid.Sort((x, y) => x.Due.CompareTo(y.Due));

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
        var payment = new PaymentHealthFacts(arr, open, paid.Select(x => x.Days).ToList(), failed, unresolved, disputes, brokenPromises);

        var tier = Segmentation.ServiceTierOf(a.Tier, arr, seg);
        var health = new HealthFacts(tier, since, mrr > 0m, renewal, payment, usage, h.LastTouchpointOn(asOf),
            new SupportFacts(urgent, high, oldestUrgent, oldestSevere, last30, previous90), nps, rates.BaseCurrency);
        var segments = new SegmentFacts(a.Tier, arr, largest, judged, late, uncollectible, failed90, maxDaysPastDue, a.Plan, a.Employees, a.Industry, a.Country);
        return (health, segments);
    }
}
