using System.Globalization;

namespace CsmPayments.Health;

/// <summary>One account's health on one day: what is stored in its snapshot.</summary>
public sealed record HealthResult(
    int Score,
    HealthBand Band,
    int PaymentHealth,
    IReadOnlyDictionary<HealthComponent, int?> Components,
    HealthSignals Signals,
    string Explanation,
    bool Onboarding);

/// <summary>
/// Customer health 0–100: a weighted average of usage trend, engagement, support, sentiment and payment health, with
/// weights for onboarding or established accounts per service tier. A component that cannot be judged (no usage
/// data, no NPS answer) is left out and the others carry its weight. Silent churn caps the score.
/// </summary>
public static class HealthScore
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <param name="earlier">The stored snapshot seven days earlier, when there is one: the explanation leads with what moved since.</param>
    public static HealthResult Evaluate(HealthFacts facts, DateOnly asOf, HealthOptions options, HealthResult? earlier = null)
    {
        var onboarding = facts.CustomerSince is { } since && asOf.DayNumber - since.DayNumber < options.OnboardingDays;
        var payment = PaymentHealth.Judge(facts.Payment, asOf, options.Payment);
        var cadence = options.CadenceDays(facts.Tier);
        var signals = onboarding ? HealthSignals.Onboarding : HealthSignals.None;
        // Which components have words to explain them; the words themselves are written only for those the explanation names.
        var reasons = Reasons.None;

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
        if (silent || usageRatio is < 1.0) reasons |= Reasons.Usage;

        // Engagement: days since the last touchpoint against the tier's cadence; nothing left at three cadences.
        var quiet = facts.LastTouchpoint is { } touched ? asOf.DayNumber - touched.DayNumber
            : facts.CustomerSince is { } s ? asOf.DayNumber - s.DayNumber : 3 * cadence;
        var engagement = quiet <= cadence ? 100 : Round(100.0 * Math.Max(0, 3 * cadence - quiet) / (2.0 * cadence));
        if (quiet > cadence)
        {
            signals |= HealthSignals.OverdueFollowUp;
            reasons |= Reasons.Engagement;
        }

        // Support: open high and urgent tickets, how long they wait, and spikes.
        var t = facts.Support;
        var so = options.Support;
        var spike = t.OpenedLast30 >= so.SpikeMinTickets && t.OpenedLast30 > so.SpikeFactor * (t.OpenedPrevious90 / 3.0);
        var supportLoss = so.UrgentPenalty * t.OpenUrgent + so.HighPenalty * t.OpenHigh
                          + Math.Min(so.AgePenaltyMax, so.AgePenaltyPerDay * t.OldestSevereDays) + (spike ? so.SpikePenalty : 0);
        var support = Round(Math.Max(0, 100 - supportLoss));
        if (t.OpenUrgent > 0 && t.OldestUrgentDays >= so.UrgentTicketDays) signals |= HealthSignals.UrgentTicket;
        if (t.OpenUrgent > 0 || t.OpenHigh > 0 || spike) reasons |= Reasons.Support;

        // Sentiment: the latest NPS answer, drawn back to neutral as it ages.
        int? sentiment = null;
        if (facts.LatestNps is { } nps)
        {
            var age = Math.Max(0, asOf.DayNumber - nps.RespondedOn.DayNumber);
            var weight = Math.Pow(0.5, age / (double)options.SentimentHalfLifeDays);
            sentiment = Round(50 + (nps.Score * 10 - 50) * weight);
            if (nps.Score <= 6 && age <= options.SentimentHalfLifeDays) signals |= HealthSignals.Detractor;
            if (nps.Score <= 6) reasons |= Reasons.Sentiment;
        }

        var p = facts.Payment;
        if (p.UnresolvedFailedAttempts > 0) signals |= HealthSignals.FailedPayment;
        if (payment.Overdue > 0m) signals |= HealthSignals.OverdueInvoice;
        if (p.OpenDisputes > 0) signals |= HealthSignals.OpenDispute;
        if (p.BrokenPromises > 0) signals |= HealthSignals.BrokenPromise;
        if (payment.Count > 0) reasons |= Reasons.Payment;

        var components = new HealthComponents(usageValue, engagement, support, sentiment, payment.Score);
        var weights = options.WeightsFor(facts.Tier, onboarding);
        // Summed in the components' order, as before.
        double total = 0, sum = 0;
        Weigh(HealthComponent.Usage, usageValue);
        Weigh(HealthComponent.Engagement, engagement);
        Weigh(HealthComponent.Support, support);
        Weigh(HealthComponent.Sentiment, sentiment);
        Weigh(HealthComponent.Payment, payment.Score);
        var raw = total > 0 ? sum / total : 0;
        if (silent) raw = Math.Min(raw, options.SilentChurn.ScoreCap);
        var score = Round(raw);
        var band = BandOf(score, options.Bands);

        var explanation = total <= 0 ? "nothing to judge" : Explain();
        return new HealthResult(score, band, payment.Score, components, signals, explanation, onboarding);

        void Weigh(HealthComponent component, int? value)
        {
            if (value is not { } v) return;
            var w = weights.Of(component);
            total += w;
            sum += w * v;
        }

        string Reason(HealthComponent component)
        {
            switch (component)
            {
                case HealthComponent.Usage:
                    if (silent)
                        return usage.Recent > 0
                            ? string.Create(C, $"usage {Percent(UsageAgainstBaseline(usage, options.SilentChurn))} against its {options.SilentChurn.BaselineDays}-day baseline while billing continues")
                            : usage.LastActiveDay is { } last
                                ? string.Create(C, $"no active users for {asOf.DayNumber - last.DayNumber} days while billing continues")
                                : string.Create(C, $"no active users in {usage.DaysRecorded} days while billing continues");
                    return string.Create(C, $"usage {Percent(usageRatio!.Value - 1)} against its baseline");
                case HealthComponent.Engagement:
                    return facts.LastTouchpoint is null
                        ? string.Create(C, $"no touchpoint on record (cadence {cadence} days)")
                        : string.Create(C, $"no touchpoint for {quiet} days (cadence {cadence})");
                case HealthComponent.Support:
                    var words = t.OpenUrgent > 0 ? string.Create(C, $"{PaymentHealth.Count(t.OpenUrgent, "urgent ticket")} open {t.OldestUrgentDays} days") : null;
                    if (t.OpenHigh > 0) words = Then(words, PaymentHealth.Count(t.OpenHigh, "high-priority ticket") + " open");
                    if (spike) words = Then(words, string.Create(C, $"{t.OpenedLast30} tickets in 30 days"));
                    return words!;
                case HealthComponent.Sentiment:
                    var answer = facts.LatestNps!.Value;
                    return string.Create(C, $"latest NPS {answer.Score} ({Math.Max(0, asOf.DayNumber - answer.RespondedOn.DayNumber)} days ago)");
                default:
                    return payment.TopReasons(p, options.Payment, facts.Currency);
            }
        }

        string Explain()
        {
            Span<HealthComponent> ranked = stackalloc HealthComponent[3];
            var words = Rank(components, weights, total, reasons, earlier, silent, ranked) switch
            {
                0 => "no warning signs",
                1 => Reason(ranked[0]),
                2 => Reason(ranked[0]) + "; " + Reason(ranked[1]),
                _ => string.Concat(Reason(ranked[0]), "; ", Reason(ranked[1]), "; ", Reason(ranked[2])),
            };
            if (earlier is not null && Math.Abs(score - earlier.Score) >= 5)
                words = string.Create(C, $"{(score < earlier.Score ? "down" : "up")} {Math.Abs(score - earlier.Score)} points in 7 days: ") + words;
            return words;
        }

        static string Then(string? words, string more) => words is null ? more : words + ", " + more;
    }

    public static HealthBand BandOf(int score, HealthBandOptions bands) =>
        score < bands.RedBelow ? HealthBand.Red : score < bands.GreenFrom ? HealthBand.Yellow : HealthBand.Green;

    /// <summary>The components that have words to explain them, as bits in the components' order.</summary>
    [Flags]
    private enum Reasons
    {
        None = 0,
        Usage = 1 << HealthComponent.Usage,
        Engagement = 1 << HealthComponent.Engagement,
        Support = 1 << HealthComponent.Support,
        Sentiment = 1 << HealthComponent.Sentiment,
        Payment = 1 << HealthComponent.Payment,
    }

    /// <summary>
    /// The largest movements, for the explanation: first the components that lost the most weighted points since the
    /// snapshot seven days earlier, then those that cost the most today; at most three, written to <paramref name="top"/>
    /// best first, their count returned. A stable sort of at most five components, done by insertion so that ranking
    /// allocates nothing.
    /// </summary>
    private static int Rank(HealthComponents components, HealthWeights weights, double total, Reasons reasons,
        HealthResult? earlier, bool silent, Span<HealthComponent> top)
    {
        double Lost(HealthComponent c, IReadOnlyDictionary<HealthComponent, int?> values) =>
            values.GetValueOrDefault(c) is { } v ? weights.Of(c) / total * (100 - v) : 0;

        Span<HealthComponent> ranked = stackalloc HealthComponent[5];
        Span<double> keys = stackalloc double[5];
        Span<bool> moved = stackalloc bool[5];
        var count = 0;
        for (var c = HealthComponent.Usage; c <= HealthComponent.Payment; c++)
        {
            if ((reasons & (Reasons)(1 << (int)c)) == 0) continue;
            var lost = Lost(c, components);
            var movedBy = earlier is null ? 0 : lost - Lost(c, earlier.Components);
            if (!(lost >= 1 || movedBy >= 1 || (silent && c == HealthComponent.Usage))) continue;
            var first = movedBy >= 2;
            var key = first ? movedBy : lost;
            // Descending by (moved at least 2, then the larger of moved or lost), ties in the components' order.
            var at = count;
            while (at > 0 && Before(first, key, moved[at - 1], keys[at - 1]))
            {
                ranked[at] = ranked[at - 1];
                keys[at] = keys[at - 1];
                moved[at] = moved[at - 1];
                at--;
            }
            ranked[at] = c;
            keys[at] = key;
            moved[at] = first;
            count++;
        }
        count = Math.Min(count, top.Length);
        ranked[..count].CopyTo(top);
        return count;

        static bool Before(bool moved, double key, bool otherMoved, double otherKey) =>
            moved != otherMoved ? moved : key.CompareTo(otherKey) > 0;
    }

    /// <summary>
    /// Silent churn: a subscription still billing while usage has fallen to near nothing — no active users over the recent
    /// days, or those days at least the configured fraction below the account's own baseline just before them [000].
    /// </summary>
    public static bool SilentChurn(HealthFacts facts, DateOnly asOf, SilentChurnOptions options)
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

    private static bool InvoiceDueSoon(HealthFacts facts, DateOnly asOf, HealthOptions options)
    {
        foreach (var o in facts.Payment.Open)
            if (o.Balance > 0m && o.DueDate >= asOf && o.DueDate.DayNumber - asOf.DayNumber <= options.EarlyWarning.InvoiceDueWithinDays)
                return true;
        return false;
    }

    private static int Round(double value) => (int)Math.Round(Math.Clamp(value, 0, 100), MidpointRounding.AwayFromZero);

    private static string Percent(double change) => (change < 0 ? "−" : "+") + Math.Abs(Math.Round(change * 100)).ToString("0", C) + "%";
}
