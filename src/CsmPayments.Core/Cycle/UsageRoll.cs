using CsmPayments.Health;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cycle;

/// <summary>
/// How one load of the day reads usage (<see cref="AccountHistoryLoader.LoadDayAsync"/>): rolled forward from the
/// carries the snapshots of <see cref="Source"/> keep, for every account whose carry is there, under the same windows,
/// and whose stored usage has not changed since on a day the carry holds (<see cref="Usage.UsageChange"/>); summed
/// again over the whole span for the others. The load notes the changes it read in <see cref="Changes"/>, for the
/// writer to delete with the day's snapshots: from then on the day's carries hold what those changes wrote.
/// </summary>
public sealed class UsageRoll(DateOnly? source, IReadOnlyDictionary<long, UsageCarry>? carried)
{
    /// <summary>The day whose carries are rolled forward; none to sum every account again (the changes are still read).</summary>
    public DateOnly? Source { get; } = source;

    public IReadOnlyDictionary<long, UsageCarry> Carried { get; } = carried ?? new Dictionary<long, UsageCarry>();

    /// <summary>Ids of the usage changes the load read.</summary>
    public List<long> Changes { get; } = [];

    public int Rolled { get; internal set; }
    public int Summed { get; internal set; }

    /// <summary>Whether <paramref name="day"/> can be rolled from <see cref="Source"/> under <paramref name="windows"/> at all.</summary>
    internal bool RollsTo(DateOnly day, UsageWindows windows) =>
        Source is { } s && windows.CanRoll && day.DayNumber - s.DayNumber is >= 0 and <= UsageWindows.MaxGap;

    /// <summary>Deletes the changes a load read, in the writer's transaction.</summary>
    public static async Task DeleteChangesAsync(CsmDbContext db, IReadOnlyList<long> ids, CancellationToken ct)
    {
        if (ids.Count > 0) await db.UsageChanges.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(ct);
    }
}

/// <summary>What the rows of one account say over the days one read covers, for <see cref="UsageSums"/>.</summary>
public readonly record struct UsagePart(long Sum, int Rows, DateOnly? LastActiveDay)
{
    public static UsagePart None { get; } = new(0, 0, null);
}

/// <summary>The arithmetic of rolling usage sums forward (pure): see <see cref="UsageWindows"/>.</summary>
public static class UsageSums
{
    /// <summary>
    /// The summary of the day and its carry from sums over the whole span: <paramref name="cumulative"/> per window of
    /// <see cref="UsageWindows.Lengths"/>, the span's rows and last active day, and <paramref name="fresh"/> (the fresh
    /// days); <paramref name="closedLastActive"/> is the last active day up to the closed part's end.
    /// </summary>
    public static (UsageSummary Summary, UsageCarry? Carry) FromSpan(UsageWindows windows, ReadOnlySpan<long> cumulative, int rows, DateOnly? lastActive,
        UsagePart fresh, DateOnly? closedLastActive)
    {
        var summary = Summary(cumulative, rows, lastActive);
        if (!windows.CanRoll) return (summary, null);
        var carry = new UsageCarry(windows.Key, cumulative[0] - fresh.Sum, cumulative[1] - fresh.Sum, cumulative[2] - fresh.Sum, cumulative[3] - fresh.Sum,
            rows - fresh.Rows, closedLastActive);
        return (summary, carry);
    }

    /// <summary>
    /// Rolls <paramref name="carry"/> of the source day forward to <paramref name="day"/>: the days entering the closed
    /// part (<paramref name="entering"/>: after the source's closed part, up to the day's) are added, the days leaving each
    /// window (<paramref name="leaving"/>, per window, and <paramref name="leavingRows"/> for the span) taken away; then the
    /// fresh days complete the day's sums.
    /// </summary>
    public static (UsageSummary Summary, UsageCarry Carry) Roll(UsageWindows windows, UsageCarry carry, DateOnly day, UsagePart entering,
        ReadOnlySpan<long> leaving, int leavingRows, UsagePart fresh)
    {
        var spanStart = day.AddDays(1 - windows.SpanDays);
        var lastActive = carry.LastActiveDay is { } kept && kept >= spanStart ? kept : (DateOnly?)null;
        lastActive = Later(lastActive, entering.LastActiveDay);
        var rolled = new UsageCarry(carry.Key, carry.Last30 + entering.Sum - leaving[0], carry.Last90 + entering.Sum - leaving[1],
            carry.Recent + entering.Sum - leaving[2], carry.RecentAndBaseline + entering.Sum - leaving[3], carry.DaysRecorded + entering.Rows - leavingRows, lastActive);
        Span<long> cumulative = [rolled.Last30 + fresh.Sum, rolled.Last90 + fresh.Sum, rolled.Recent + fresh.Sum, rolled.RecentAndBaseline + fresh.Sum];
        return (Summary(cumulative, rolled.DaysRecorded + fresh.Rows, Later(rolled.LastActiveDay, fresh.LastActiveDay)), rolled);
    }

    private static UsageSummary Summary(ReadOnlySpan<long> cumulative, int rows, DateOnly? lastActive) =>
        new(cumulative[0], cumulative[1] - cumulative[0], cumulative[2], cumulative[3] - cumulative[2], rows, lastActive);

    private static DateOnly? Later(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
