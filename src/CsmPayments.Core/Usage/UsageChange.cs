namespace CsmPayments.Usage;

/// <summary>
/// A note that the stored usage of some accounts among <see cref="FirstAccountId"/>…<see cref="LastAccountId"/> changed
/// from <see cref="Earliest"/> on. Written by the database itself (a trigger on <c>usage_days</c>, whatever wrote the
/// rows: the API, an import, a correction by hand) and read by the daily cycle, which rolls each account's usage sums
/// forward from the day before unless a note covering it says that days the sums already hold have changed since; a
/// whole run deletes the notes it has read when it stores the day. PostgreSQL notes each statement's changes per block
/// of <see cref="AccountSpan"/> account ids (a day's import of a million rows writes a few hundred notes, not a million);
/// SQLite, whose triggers see one row at a time, notes single accounts. No foreign key: an account's deletion removes
/// its usage rows, which notes the change of an account that is gone.
/// </summary>
public sealed class UsageChange
{
    /// <summary>Ids one note covers at most: a note lies within one block of this many ids.</summary>
    public const long AccountSpan = 4096;

    private UsageChange() { }

    public long Id { get; private set; }
    public long FirstAccountId { get; private set; }
    public long LastAccountId { get; private set; }
    public DateOnly Earliest { get; private set; }
}
