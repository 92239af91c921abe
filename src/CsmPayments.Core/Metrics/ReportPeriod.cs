namespace CsmPayments.Metrics;

/// <summary>
/// The period [From, AsOf] a report covers, both ends inclusive: figures "at the start" are as of <see cref="From"/>,
/// figures "at the end" as of <see cref="AsOf"/>, and what happened "in the period" is dated in (From, AsOf].
/// </summary>
public readonly record struct ReportPeriod
{
    public ReportPeriod(DateOnly from, DateOnly asOf)
    {
        if (from > asOf)
            throw new ArgumentException($"the period starts on {from:yyyy-MM-dd}, after it ends on {asOf:yyyy-MM-dd}", nameof(from));
        From = from;
        AsOf = asOf;
    }

    public DateOnly From { get; }
    public DateOnly AsOf { get; }

    public int Days => AsOf.DayNumber - From.DayNumber;
}
