namespace CsmPayments.Usage;

/// <summary>
/// One user seen active for an account on a day (from tracked events), so that a day's active users are the distinct
/// users over every request, not the largest count of one request.
/// </summary>
public sealed class UsageDayUser
{
    /// <summary>The longest user key kept (Segment's userId or anonymousId).</summary>
    public const int MaxUserKeyLength = 255;

    private UsageDayUser() { UserKey = ""; }

    public UsageDayUser(long accountId, DateOnly date, string userKey)
    {
        AccountId = accountId;
        Date = date;
        UserKey = Guard.Required(userKey, nameof(userKey));
        if (UserKey.Length > MaxUserKeyLength) throw new ArgumentException($"a user key is at most {MaxUserKeyLength} characters", nameof(userKey));
    }

    public long AccountId { get; private set; }
    public DateOnly Date { get; private set; }
    public string UserKey { get; private set; }
}
