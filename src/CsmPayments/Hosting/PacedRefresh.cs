using System.Diagnostics;

namespace CsmPayments.Hosting;

/// <summary>
/// Keeps the health refresh from taking the cores while usage streams in. After a refresh that took d, the next one waits
/// d more (never more than <see cref="MaxPause"/>), and every account reported meanwhile is refreshed together then: a
/// steady stream costs at most about half the refresh it would otherwise run back to back, and an account is still fresh
/// within twice the time of one refresh. A short refresh (a webhook's account) is followed by no pause at all.
/// </summary>
public static class PacedRefresh
{
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan NoPauseBelow = TimeSpan.FromMilliseconds(50);

    public static AccountChangeHandler Pace(AccountChangeHandler refresh) => async (ids, ct) =>
    {
        var started = Stopwatch.GetTimestamp();
        await refresh(ids, ct);
        // Measured on the machine's clock on purpose: this is the cost of the work, not a time of the business.
        var took = Stopwatch.GetElapsedTime(started);
        if (took >= NoPauseBelow) await Task.Delay(took < MaxPause ? took : MaxPause, ct);
    };
}
