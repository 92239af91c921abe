using System.Globalization;

namespace CsmPayments.Health;

/// <summary>One reason payment health lost points, with the words that explain it.</summary>
public readonly record struct PaymentPenalty(string Reason, double Points);

/// <summary>Payment health 0–100 and the amounts behind it.</summary>
public sealed record PaymentHealthResult(
    int Score, double WeightedDaysPastDue, decimal Overdue, double OverdueShareOfArr, double DaysToPayTrend, IReadOnlyList<PaymentPenalty> Penalties);

/// <summary>
/// Payment health: 100 less the points lost to amount-weighted days past due, the overdue share of ARR, recent failed
/// payment attempts, open disputes, broken promises to pay and paying slower than before. Each kind loses at most its
/// configured points; the score never goes below 0.
/// </summary>
public static class PaymentHealth
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
