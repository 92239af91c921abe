namespace CsmPayments.Usage;

/// <summary>
/// A note that an account's stored usage changed from <see cref="Earliest"/> on. Written by the database itself (a
/// trigger on <c>usage_days</c>, whatever wrote the rows: the API, an import, a correction by hand) and read by the daily
/// cycle, which rolls each account's usage sums forward from the day before unless such a note says that days the sums
/// already hold have changed since; the cycle deletes the notes it has read when it stores the day. No foreign key: an
/// account's deletion removes its usage rows, which notes the change of an account that is gone.
/// </summary>
public sealed class UsageChange
{
    private UsageChange() { }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public DateOnly Earliest { get; private set; }
}
