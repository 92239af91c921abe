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
        var judged = Judge(facts, asOf, options);
        var penalties = new List<PaymentPenalty>(judged.Count);
        for (var kind = 0; kind < PaymentJudgement.Kinds; kind++)
            if (judged.Has(kind)) penalties.Add(new PaymentPenalty(judged.Reason(kind, facts, options, currency), judged.Points(kind)));
        return new PaymentHealthResult(judged.Score, judged.WeightedDays, judged.Overdue, judged.Share, judged.Trend,
            penalties.OrderByDescending(p => p.Points).ToList());
    }

    /// <summary>
    /// The score and the amounts behind it without the words: the cycle needs the words of at most two penalties, and
    /// only for the accounts whose explanation names payment.
    /// </summary>
    internal static PaymentJudgement Judge(PaymentHealthFacts facts, DateOnly asOf, PaymentHealthOptions options)
    {
        var judged = new PaymentJudgement();
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
        judged.Overdue = overdue;
        judged.WeightedDays = weightedDays;
        if (weightedDays > 0)
            judged.Add(PaymentJudgement.DaysPastDue, Math.Min(options.DaysPastDuePenalty, options.DaysPastDuePenalty * weightedDays / options.DaysPastDueFullPenaltyDays));

        var share = overdue <= 0m ? 0.0 : facts.Arr <= 0m ? 1.0 : (double)(overdue / facts.Arr);
        judged.Share = share;
        if (share > 0)
            judged.Add(PaymentJudgement.OverdueShare, Math.Min(options.OverdueSharePenalty, options.OverdueSharePenalty * share / options.OverdueShareFullPenalty));

        if (facts.FailedAttempts > 0)
            judged.Add(PaymentJudgement.FailedPayments, Math.Min(options.FailedPaymentMax, options.FailedPaymentPenalty * facts.FailedAttempts));
        if (facts.OpenDisputes > 0)
            judged.Add(PaymentJudgement.Disputes, Math.Min(options.DisputeMax, options.DisputePenalty * facts.OpenDisputes));
        if (facts.BrokenPromises > 0)
            judged.Add(PaymentJudgement.BrokenPromises, Math.Min(options.BrokenPromiseMax, options.BrokenPromisePenalty * facts.BrokenPromises));

        var trend = DaysToPayTrend(facts.DaysToPay);
        judged.Trend = trend;
        if (trend > 0)
            judged.Add(PaymentJudgement.SlowerPaying, Math.Min(options.DaysToPayTrendPenalty, options.DaysToPayTrendPenalty * trend / options.DaysToPayTrendFullPenaltyDays));

        // Summed in the order the penalties arise, as a list of them would be.
        var lost = 0.0;
        for (var kind = 0; kind < PaymentJudgement.Kinds; kind++)
            if (judged.Has(kind)) lost += judged.Points(kind);
        judged.Score = (int)Math.Round(Math.Clamp(100 - lost, 0, 100), MidpointRounding.AwayFromZero);
        return judged;
    }

    /// <summary>
    /// Average days from due date to payment of the last three paid invoices less that of the three before them;
    /// positive when the account pays slower. Needs four invoices; zero otherwise.
    /// </summary>
    public static double DaysToPayTrend(IReadOnlyList<int> daysToPay)
    {
        var count = daysToPay.Count;
        if (count < 4) return 0;
        // As Enumerable.Average of ints: a long sum divided as double.
        long recent = 0, before = 0;
        for (var i = count - 3; i < count; i++) recent += daysToPay[i];
        var from = Math.Max(0, count - 6);
        for (var i = from; i < count - 3; i++) before += daysToPay[i];
        return (double)recent / 3 - (double)before / (count - 3 - from);
    }

    internal static string Count(int n, string what) => n == 1 ? $"1 {what}" : string.Create(CultureInfo.InvariantCulture, $"{n} {what}s");

    internal static string Amount(decimal amount, string currency) =>
        currency + " " + Math.Round(amount, 0, MidpointRounding.AwayFromZero).ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>
/// The penalties payment health found, by kind in the order they are judged, with what their words need. A struct of
/// fields so that judging an account allocates nothing.
/// </summary>
internal struct PaymentJudgement
{
    public const int DaysPastDue = 0, OverdueShare = 1, FailedPayments = 2, Disputes = 3, BrokenPromises = 4, SlowerPaying = 5, Kinds = 6;

    private PointsByKind _points;
    private int _found;

    public int Score { get; set; }
    public decimal Overdue { get; set; }
    public double WeightedDays { get; set; }
    public double Share { get; set; }
    public double Trend { get; set; }

    public readonly int Count => System.Numerics.BitOperations.PopCount((uint)_found);

    public readonly bool Has(int kind) => (_found & (1 << kind)) != 0;

    public void Add(int kind, double points)
    {
        _found |= 1 << kind;
        _points[kind] = points;
    }

    public readonly double Points(int kind) => _points[kind];

    public readonly string Reason(int kind, PaymentHealthFacts facts, PaymentHealthOptions options, string currency)
    {
        var c = CultureInfo.InvariantCulture;
        return kind switch
        {
            DaysPastDue => string.Create(c, $"{PaymentHealth.Amount(Overdue, currency)} overdue, {WeightedDays:0} days past due weighted by amount"),
            OverdueShare => string.Create(c, $"overdue is {Share * 100:0}% of ARR"),
            FailedPayments => string.Create(c, $"{PaymentHealth.Count(facts.FailedAttempts, "failed payment")} in {options.FailedPaymentWindowDays} days"),
            Disputes => PaymentHealth.Count(facts.OpenDisputes, "open dispute"),
            BrokenPromises => PaymentHealth.Count(facts.BrokenPromises, "broken promise") + " to pay",
            _ => string.Create(c, $"paying {Trend:0} days slower than before"),
        };
    }

    /// <summary>
    /// The words of the two penalties that cost the most, joined as the explanation shows them: the order of a stable
    /// sort by points, highest first, so that of two equal penalties the one judged first leads.
    /// </summary>
    public readonly string TopReasons(PaymentHealthFacts facts, PaymentHealthOptions options, string currency)
    {
        int first = -1, second = -1;
        for (var kind = 0; kind < Kinds; kind++)
        {
            if (!Has(kind)) continue;
            if (first < 0 || Points(kind).CompareTo(Points(first)) > 0)
            {
                // The one it displaces came before it and ranked above every other so far.
                second = first;
                first = kind;
            }
            else if (second < 0 || Points(kind).CompareTo(Points(second)) > 0) second = kind;
        }
        var top = Reason(first, facts, options, currency);
        return second < 0 ? top : top + ", " + Reason(second, facts, options, currency);
    }
}

/// <summary>Points lost per kind of penalty, in <see cref="PaymentJudgement"/> without an array on the heap.</summary>
[System.Runtime.CompilerServices.InlineArray(PaymentJudgement.Kinds)]
internal struct PointsByKind
{
    private double _first;
}
