using System.Globalization;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Organisation;
using CsmPayments.Segments;

namespace CsmPayments.Tests.Cycle;

// The evaluation as it was before it was made to allocate less (LINQ, lists, dictionaries and every word written), kept
// word for word as the reference the faster one must match on every account. Change both together or neither.

internal static class ReferenceEvaluator
{
    public static AccountEvaluation Evaluate(AccountHistory history, DateOnly asOf, EvaluationSettings settings, HealthResult? earlier = null)
    {
        var (healthFacts, segmentFacts) = Facts(history, asOf, settings);
        var segments = ReferenceSegmentation.Assign(segmentFacts, settings.Segments);
        var health = ReferenceHealthScore.Evaluate(healthFacts with { Tier = segments.ServiceTier }, asOf, settings.Health, earlier);
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

        var settled = SettledOn(h);
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

    /// <summary>The day each invoice's balance reached zero through payments and credit notes (not counting write-offs).</summary>
    private static Dictionary<long, DateOnly> SettledOn(AccountHistory h)
    {
        // One array of every reduction in date order, walked per invoice: an account has a few invoices and payments, so
        // this costs less than a list per invoice. Amounts are never negative, so the day a running sum reaches the amount
        // does not depend on the order of reductions within one day.
        var count = h.CreditNotes.Count;
        foreach (var p in h.Payments)
            if (p.Succeeded && p.InvoiceId is not null)
                count++;
        var reductions = new (long Invoice, DateOnly On, decimal Amount)[count];
        var n = 0;
        foreach (var p in h.Payments)
            if (p.Succeeded && p.InvoiceId is { } id)
                reductions[n++] = (id, p.PaidOn, p.Amount);
        foreach (var c in h.CreditNotes) reductions[n++] = (c.InvoiceId, c.IssuedOn, c.Amount);
        Array.Sort(reductions, (a, b) => a.On.CompareTo(b.On));
        var settledOn = new Dictionary<long, DateOnly>(h.Invoices.Count);
        foreach (var invoice in h.Invoices)
        {
            if (invoice.Status == InvoiceStatus.Void) continue;
            var sum = 0m;
            foreach (var (id, on, amount) in reductions)
            {
                if (id != invoice.Id) continue;
                sum += amount;
                if (sum < invoice.Amount) continue;
                settledOn[invoice.Id] = on;
                break;
            }
        }
        return settledOn;
    }
}

internal static class ReferenceHealthScore
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <param name="earlier">The stored snapshot seven days earlier, when there is one: the explanation leads with what moved since.</param>
    public static HealthResult Evaluate(HealthFacts facts, DateOnly asOf, HealthOptions options, HealthResult? earlier = null)
    {
        var onboarding = facts.CustomerSince is { } since && asOf.DayNumber - since.DayNumber < options.OnboardingDays;
        var payment = ReferencePaymentHealth.Evaluate(facts.Payment, asOf, options.Payment, facts.Currency);
        var cadence = options.CadenceDays(facts.Tier);
        var signals = onboarding ? HealthSignals.Onboarding : HealthSignals.None;
        var reasons = new Dictionary<HealthComponent, string>();

        // Usage: the last 30 days against the account's own previous 60.
        var usage = facts.Usage;
        double? usageRatio = null;
        if (usage.DaysRecorded > 0)
        {
            if (usage.Previous60 > 0) usageRatio = usage.Last30 / 30.0 / (usage.Previous60 / 60.0);
            else if (usage.Last30 > 0) usageRatio = 1.0;
        }
        // Full marks at the baseline or above, nothing left at 40% of it: a fall of a third already costs half.
        int? usageValue = usageRatio is { } r ? Round(100 * (Math.Min(1.0, r) - 0.4) / 0.6) : usage.DaysRecorded > 0 ? 0 : null;
        var silent = SilentChurn(facts, asOf, options.SilentChurn);
        if (silent) signals |= HealthSignals.SilentChurn;
        if (usageRatio is { } ratio && ratio <= 1 - options.UsageDecline) signals |= HealthSignals.UsageDecline;
        if (usageRatio is { } drop && drop <= 1 - options.EarlyWarning.UsageDrop && facts.Billing && (RenewalSoon(facts, asOf, options) || InvoiceDueSoon(facts, asOf, options)))
            signals |= HealthSignals.EarlyWarning;
        if (silent)
            reasons[HealthComponent.Usage] = usage.Recent > 0
                ? string.Create(C, $"usage {Percent(UsageAgainstBaseline(usage, options.SilentChurn))} against its {options.SilentChurn.BaselineDays}-day baseline while billing continues")
                : usage.LastActiveDay is { } last
                    ? string.Create(C, $"no active users for {asOf.DayNumber - last.DayNumber} days while billing continues")
                    : string.Create(C, $"no active users in {usage.DaysRecorded} days while billing continues");
        else if (usageRatio is { } u && u < 1)
            reasons[HealthComponent.Usage] = string.Create(C, $"usage {Percent(u - 1)} against its baseline");

        // Engagement: days since the last touchpoint against the tier's cadence; nothing left at three cadences.
        var quiet = facts.LastTouchpoint is { } touched ? asOf.DayNumber - touched.DayNumber
            : facts.CustomerSince is { } s ? asOf.DayNumber - s.DayNumber : 3 * cadence;
        var engagement = quiet <= cadence ? 100 : Round(100.0 * Math.Max(0, 3 * cadence - quiet) / (2.0 * cadence));
        if (quiet > cadence)
        {
            signals |= HealthSignals.OverdueFollowUp;
            reasons[HealthComponent.Engagement] = facts.LastTouchpoint is null
                ? string.Create(C, $"no touchpoint on record (cadence {cadence} days)")
                : string.Create(C, $"no touchpoint for {quiet} days (cadence {cadence})");
        }

        // Support: open high and urgent tickets, how long they wait, and spikes.
        var t = facts.Support;
        var so = options.Support;
        var spike = t.OpenedLast30 >= so.SpikeMinTickets && t.OpenedLast30 > so.SpikeFactor * (t.OpenedPrevious90 / 3.0);
        var supportLoss = so.UrgentPenalty * t.OpenUrgent + so.HighPenalty * t.OpenHigh
                          + Math.Min(so.AgePenaltyMax, so.AgePenaltyPerDay * t.OldestSevereDays) + (spike ? so.SpikePenalty : 0);
        var support = Round(Math.Max(0, 100 - supportLoss));
        if (t.OpenUrgent > 0 && t.OldestUrgentDays >= so.UrgentTicketDays) signals |= HealthSignals.UrgentTicket;
        var supportWords = new List<string>();
        if (t.OpenUrgent > 0) supportWords.Add(string.Create(C, $"{ReferencePaymentHealth.Count(t.OpenUrgent, "urgent ticket")} open {t.OldestUrgentDays} days"));
        if (t.OpenHigh > 0) supportWords.Add(ReferencePaymentHealth.Count(t.OpenHigh, "high-priority ticket") + " open");
        if (spike) supportWords.Add(string.Create(C, $"{t.OpenedLast30} tickets in 30 days"));
        if (supportWords.Count > 0) reasons[HealthComponent.Support] = string.Join(", ", supportWords);

        // Sentiment: the latest NPS answer, drawn back to neutral as it ages.
        int? sentiment = null;
        if (facts.LatestNps is { } nps)
        {
            var age = Math.Max(0, asOf.DayNumber - nps.RespondedOn.DayNumber);
            var weight = Math.Pow(0.5, age / (double)options.SentimentHalfLifeDays);
            sentiment = Round(50 + (nps.Score * 10 - 50) * weight);
            if (nps.Score <= 6 && age <= options.SentimentHalfLifeDays) signals |= HealthSignals.Detractor;
            if (nps.Score <= 6) reasons[HealthComponent.Sentiment] = string.Create(C, $"latest NPS {nps.Score} ({age} days ago)");
        }

        var p = facts.Payment;
        if (p.UnresolvedFailedAttempts > 0) signals |= HealthSignals.FailedPayment;
        if (payment.Overdue > 0m) signals |= HealthSignals.OverdueInvoice;
        if (p.OpenDisputes > 0) signals |= HealthSignals.OpenDispute;
        if (p.BrokenPromises > 0) signals |= HealthSignals.BrokenPromise;
        if (payment.Penalties.Count > 0) reasons[HealthComponent.Payment] = string.Join(", ", payment.Penalties.Take(2).Select(x => x.Reason));

        var components = new Dictionary<HealthComponent, int?>
        {
            [HealthComponent.Usage] = usageValue,
            [HealthComponent.Engagement] = engagement,
            [HealthComponent.Support] = support,
            [HealthComponent.Sentiment] = sentiment,
            [HealthComponent.Payment] = payment.Score,
        };
        var weights = options.WeightsFor(facts.Tier, onboarding);
        double total = 0, sum = 0;
        foreach (var (component, value) in components)
        {
            if (value is not { } v) continue;
            var w = weights.Of(component);
            total += w;
            sum += w * v;
        }
        var raw = total > 0 ? sum / total : 0;
        if (silent) raw = Math.Min(raw, options.SilentChurn.ScoreCap);
        var score = Round(raw);
        var band = BandOf(score, options.Bands);

        var explanation = Explain(components, weights, total, reasons, score, earlier, silent);
        return new HealthResult(score, band, payment.Score, components, signals, explanation, onboarding);
    }

    private static HealthBand BandOf(int score, HealthBandOptions bands) =>
        score < bands.RedBelow ? HealthBand.Red : score < bands.GreenFrom ? HealthBand.Yellow : HealthBand.Green;

    /// <summary>
    /// The largest movements in plain words: first the components that lost the most weighted points since the snapshot
    /// seven days earlier, then those that cost the most today; at most three, each with its facts.
    /// </summary>
    private static string Explain(IReadOnlyDictionary<HealthComponent, int?> components, HealthWeights weights, double total,
        Dictionary<HealthComponent, string> reasons, int score, HealthResult? earlier, bool silent)
    {
        if (total <= 0) return "nothing to judge";
        double Lost(HealthComponent c, IReadOnlyDictionary<HealthComponent, int?> values) =>
            values.GetValueOrDefault(c) is { } v ? weights.Of(c) / total * (100 - v) : 0;

        var ranked = reasons.Keys
            .Select(c => (Component: c, Moved: earlier is null ? 0 : Lost(c, components) - Lost(c, earlier.Components), Lost: Lost(c, components)))
            .Where(x => x.Lost >= 1 || x.Moved >= 1 || (silent && x.Component == HealthComponent.Usage))
            .OrderByDescending(x => x.Moved >= 2 ? 1 : 0)
            .ThenByDescending(x => x.Moved >= 2 ? x.Moved : x.Lost)
            .Take(3)
            .Select(x => reasons[x.Component])
            .ToList();
        var words = ranked.Count > 0 ? string.Join("; ", ranked) : "no warning signs";
        if (earlier is not null && Math.Abs(score - earlier.Score) >= 5)
            words = string.Create(C, $"{(score < earlier.Score ? "down" : "up")} {Math.Abs(score - earlier.Score)} points in 7 days: ") + words;
        return words;
    }

    /// <summary>
    /// Silent churn: a subscription still billing while usage has fallen to near nothing — no active users over the recent
    /// days, or those days at least the configured fraction below the account's own baseline just before them [000].
    /// </summary>
    private static bool SilentChurn(HealthFacts facts, DateOnly asOf, SilentChurnOptions options)
    {
        if (!facts.Billing || facts.Usage.DaysRecorded == 0) return false;
        if (facts.Usage.Recent == 0)
            return facts.CustomerSince is not { } since || asOf.DayNumber - since.DayNumber >= options.NoActiveUsersDays;
        return facts.Usage.Baseline > 0 && UsageAgainstBaseline(facts.Usage, options) <= -options.DropFromBaseline;
    }

    /// <summary>The recent days' daily average against the baseline's, as a change: −0.8 is 80% below.</summary>
    private static double UsageAgainstBaseline(UsageSummary usage, SilentChurnOptions options) =>
        usage.Baseline == 0 ? 0 : usage.Recent / (double)options.NoActiveUsersDays / (usage.Baseline / (double)options.BaselineDays) - 1;

    private static bool RenewalSoon(HealthFacts facts, DateOnly asOf, HealthOptions options) =>
        facts.NextRenewal is { } renewal && renewal >= asOf && renewal.DayNumber - asOf.DayNumber <= options.EarlyWarning.RenewalWithinDays;

    private static bool InvoiceDueSoon(HealthFacts facts, DateOnly asOf, HealthOptions options) =>
        facts.Payment.Open.Any(o => o.Balance > 0m && o.DueDate >= asOf && o.DueDate.DayNumber - asOf.DayNumber <= options.EarlyWarning.InvoiceDueWithinDays);

    private static int Round(double value) => (int)Math.Round(Math.Clamp(value, 0, 100), MidpointRounding.AwayFromZero);

    private static string Percent(double change) => (change < 0 ? "−" : "+") + Math.Abs(Math.Round(change * 100)).ToString("0", C) + "%";
}

internal static class ReferencePaymentHealth
{
    public static PaymentHealthResult Evaluate(PaymentHealthFacts facts, DateOnly asOf, PaymentHealthOptions options, string currency)
    {
        var penalties = new List<PaymentPenalty>();
        var c = CultureInfo.InvariantCulture;

        decimal owed = 0m, overdue = 0m, weighted = 0m;
        foreach (var open in facts.Open)
        {
            if (open.Balance <= 0m) continue;
            owed += open.Balance;
            var days = asOf.DayNumber - open.DueDate.DayNumber;
            if (days <= 0) continue;
            overdue += open.Balance;
            weighted += open.Balance * days;
        }
        // Days past due weighted by amount over everything owed, so a small late invoice beside a large current one weighs little.
        var weightedDays = owed > 0m ? (double)(weighted / owed) : 0.0;
        if (weightedDays > 0)
            penalties.Add(new PaymentPenalty(
                string.Create(c, $"{Amount(overdue, currency)} overdue, {weightedDays:0} days past due weighted by amount"),
                Math.Min(options.DaysPastDuePenalty, options.DaysPastDuePenalty * weightedDays / options.DaysPastDueFullPenaltyDays)));

        var share = overdue <= 0m ? 0.0 : facts.Arr <= 0m ? 1.0 : (double)(overdue / facts.Arr);
        if (share > 0)
            penalties.Add(new PaymentPenalty(string.Create(c, $"overdue is {share * 100:0}% of ARR"),
                Math.Min(options.OverdueSharePenalty, options.OverdueSharePenalty * share / options.OverdueShareFullPenalty)));

        if (facts.FailedAttempts > 0)
            penalties.Add(new PaymentPenalty(
                string.Create(c, $"{Count(facts.FailedAttempts, "failed payment")} in {options.FailedPaymentWindowDays} days"),
                Math.Min(options.FailedPaymentMax, options.FailedPaymentPenalty * facts.FailedAttempts)));
        if (facts.OpenDisputes > 0)
            penalties.Add(new PaymentPenalty(Count(facts.OpenDisputes, "open dispute"),
                Math.Min(options.DisputeMax, options.DisputePenalty * facts.OpenDisputes)));
        if (facts.BrokenPromises > 0)
            penalties.Add(new PaymentPenalty(Count(facts.BrokenPromises, "broken promise") + " to pay",
                Math.Min(options.BrokenPromiseMax, options.BrokenPromisePenalty * facts.BrokenPromises)));

        var trend = DaysToPayTrend(facts.DaysToPay);
        if (trend > 0)
            penalties.Add(new PaymentPenalty(string.Create(c, $"paying {trend:0} days slower than before"),
                Math.Min(options.DaysToPayTrendPenalty, options.DaysToPayTrendPenalty * trend / options.DaysToPayTrendFullPenaltyDays)));

        var score = (int)Math.Round(Math.Clamp(100 - penalties.Sum(p => p.Points), 0, 100), MidpointRounding.AwayFromZero);
        return new PaymentHealthResult(score, weightedDays, overdue, share, trend, penalties.OrderByDescending(p => p.Points).ToList());
    }

    /// <summary>
    /// Average days from due date to payment of the last three paid invoices less that of the three before them;
    /// positive when the account pays slower. Needs four invoices; zero otherwise.
    /// </summary>
    public static double DaysToPayTrend(IReadOnlyList<int> daysToPay)
    {
        if (daysToPay.Count < 4) return 0;
        var recent = daysToPay.Skip(daysToPay.Count - 3).Average();
        var before = daysToPay.Skip(Math.Max(0, daysToPay.Count - 6)).Take(daysToPay.Count - 3 - Math.Max(0, daysToPay.Count - 6)).Average();
        return recent - before;
    }

    internal static string Count(int n, string what) => n == 1 ? $"1 {what}" : string.Create(CultureInfo.InvariantCulture, $"{n} {what}s");

    internal static string Amount(decimal amount, string currency) =>
        currency + " " + Math.Round(amount, 0, MidpointRounding.AwayFromZero).ToString("N0", CultureInfo.InvariantCulture);
}

internal static class ReferenceSegmentation
{
    public static SegmentResult Assign(SegmentFacts facts, SegmentOptions options)
    {
        var behaviour = BehaviourOf(facts, options);
        var credit = CreditRiskOf(facts);
        var judged = facts with { Behaviour = behaviour, CreditRisk = credit };
        var cohort = options.CohortRules.FirstOrDefault(r => r.Matches(judged))?.Name.Trim() ?? options.DefaultCohort;
        return new SegmentResult(cohort, ServiceTierOf(facts.ExplicitTier, facts.Arr, options), RiskTierOf(judged, options), behaviour, credit);
    }

    /// <summary>The explicit tier when the account has one, else from ARR [002].</summary>
    public static ServiceTier ServiceTierOf(ServiceTier? explicitTier, decimal arr, SegmentOptions options) =>
        explicitTier ?? (arr >= options.HighTouchArrFrom ? ServiceTier.High : arr >= options.MediumTouchArrFrom ? ServiceTier.Medium : ServiceTier.Low);

    public static PaymentBehaviour BehaviourOf(SegmentFacts facts, SegmentOptions options)
    {
        if (facts.InvoicesJudged == 0) return PaymentBehaviour.OnTime;
        var share = facts.InvoicesLate / (double)facts.InvoicesJudged;
        return share >= options.ChronicallyLateShare ? PaymentBehaviour.ChronicallyLate
            : share >= options.LateShare ? PaymentBehaviour.Late
            : PaymentBehaviour.OnTime;
    }

    /// <summary>
    /// High after a write-off, three or more failed attempts in 90 days or an invoice over 90 days past due; medium after
    /// any failed attempt in 90 days or an invoice over 30 days past due; low otherwise.
    /// </summary>
    public static CreditRisk CreditRiskOf(SegmentFacts facts) =>
        facts.UncollectibleInvoices > 0 || facts.FailedAttempts90Days >= 3 || facts.MaxDaysPastDue > 90 ? CreditRisk.High
        : facts.FailedAttempts90Days > 0 || facts.MaxDaysPastDue > 30 ? CreditRisk.Medium
        : CreditRisk.Low;

    /// <summary>
    /// Points for payment behaviour (late 1, chronically late 2) and credit risk (medium 1, high 2), one more for a high-value
    /// invoice: 0 is low risk, 1 medium, 2 or more high. A large invoice from an account that pays on time is medium: it
    /// gets personal reminders, not the gentle default [004].
    /// </summary>
    public static RiskTier RiskTierOf(SegmentFacts facts, SegmentOptions options)
    {
        var points = (int)facts.Behaviour + (int)facts.CreditRisk + (facts.LargestInvoice >= options.HighValueInvoiceFrom ? 1 : 0);
        return points >= 2 ? RiskTier.High : points == 1 ? RiskTier.Medium : RiskTier.Low;
    }
}
