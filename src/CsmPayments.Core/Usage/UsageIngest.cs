using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Usage;

/// <summary>
/// One usage observation for an account on a day: a reported count of active users and events, or one tracked event
/// by one user (a Segment <c>track</c>), which counts as one event by that user.
/// </summary>
public readonly record struct UsageSample(string AccountExternalId, DateOnly Date, int ActiveUsers, long Events, string? UserId);

/// <summary>What a batch of samples adds to one account's day.</summary>
public readonly record struct UsageTotal(string AccountExternalId, DateOnly Date, int ActiveUsers, long Events);

/// <summary>
/// Usage in bulk. How a day's figures add up:
/// <list type="bullet">
/// <item>events: every sample's events are added to the day's count (a tracked event is one);</item>
/// <item>active users: the day keeps the highest figure it has been given, where a reported count is one figure and
/// the distinct users of the tracked events in one batch are another. A count is a number of people, so two reports of
/// the same day are not added: the larger one stands.</item>
/// </list>
/// </summary>
public static class UsageIngest
{
    /// <summary>Aggregates samples per account and day (pure).</summary>
    public static IReadOnlyList<UsageTotal> Aggregate(IEnumerable<UsageSample> samples)
    {
        var days = new Dictionary<(string, DateOnly), (int Reported, long Events, HashSet<string>? Users)>();
        foreach (var s in samples)
        {
            var key = (s.AccountExternalId, s.Date);
            days.TryGetValue(key, out var day);
            day.Reported = Math.Max(day.Reported, s.ActiveUsers);
            day.Events += s.Events;
            if (s.UserId is not null) (day.Users ??= new HashSet<string>(StringComparer.Ordinal)).Add(s.UserId);
            days[key] = day;
        }
        return days.Select(d => new UsageTotal(d.Key.Item1, d.Key.Item2, Math.Max(d.Value.Reported, d.Value.Users?.Count ?? 0), d.Value.Events))
            .OrderBy(t => t.AccountExternalId, StringComparer.Ordinal).ThenBy(t => t.Date).ToList();
    }

    /// <summary>Account ids by external id, for those of <paramref name="externalIds"/> that exist.</summary>
    public static async Task<Dictionary<string, long>> AccountIdsAsync(CsmDbContext db, IEnumerable<string> externalIds, CancellationToken ct)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in externalIds.Distinct(StringComparer.Ordinal).Chunk(1_000))
            foreach (var a in await db.Accounts.AsNoTracking().Where(a => chunk.Contains(a.ExternalId)).Select(a => new { a.ExternalId, a.Id }).ToListAsync(ct))
                found[a.ExternalId] = a.Id;
        return found;
    }

    /// <summary>Adds the totals to the stored days in one statement per batch; every account must exist.</summary>
    public static Task<long> WriteAsync(CsmDbContext db, IReadOnlyList<UsageTotal> totals, IReadOnlyDictionary<string, long> accountIds,
        CancellationToken ct) =>
        new BulkUpsert<UsageDay>(db, nameof(UsageDay.AccountId), nameof(UsageDay.Date))
            .Combining(nameof(UsageDay.Events), Combine.Sum)
            .Combining(nameof(UsageDay.ActiveUsers), Combine.Max)
            .WriteAsync(totals.Select(t => new UsageDay(accountIds[t.AccountExternalId], t.Date, t.ActiveUsers, t.Events)), ct);
}
