namespace CsmPayments.Usage;

/// <summary>One account's product usage on one day.</summary>
public sealed class UsageDay
{
    private UsageDay() { }

    public UsageDay(long accountId, DateOnly date, int activeUsers, long events)
    {
        AccountId = accountId;
        Date = date;
        ActiveUsers = activeUsers >= 0 ? activeUsers : throw new ArgumentOutOfRangeException(nameof(activeUsers), "cannot be negative");
        Events = events >= 0 ? events : throw new ArgumentOutOfRangeException(nameof(events), "cannot be negative");
    }

    public long AccountId { get; private set; }
    public DateOnly Date { get; private set; }
    public int ActiveUsers { get; private set; }
    public long Events { get; private set; }
}
