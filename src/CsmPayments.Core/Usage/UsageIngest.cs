using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CsmPayments.Usage;

/// <summary>
/// One usage observation for an account on a day: a reported count of active users and events, or one tracked event
/// by one user (a Segment <c>track</c>), which counts as one event by that user.
/// </summary>
public readonly record struct UsageSample(string AccountExternalId, DateOnly Date, int ActiveUsers, long Events, string? UserId);

/// <summary>What a batch of samples adds to one account's day.</summary>
public readonly record struct UsageTotal(string AccountExternalId, DateOnly Date, int ActiveUsers, long Events);

/// <summary>One user active for an account on a day.</summary>
public readonly record struct UsageUser(string AccountExternalId, DateOnly Date, string UserKey);

/// <summary>A batch aggregated: the totals per account-day and the distinct users behind the tracked events.</summary>
public sealed record UsageBatch(IReadOnlyList<UsageTotal> Totals, IReadOnlyList<UsageUser> Users);

/// <summary>
/// Usage in bulk. How a day's figures add up:
/// <list type="bullet">
/// <item>events: every sample's events are added to the day's count (a tracked event is one);</item>
/// <item>active users: the day keeps the highest figure it has been given, where a reported count is one figure and
/// the distinct users of the tracked events — over every request, remembered in <see cref="UsageDayUser"/> — are
/// another. A count is a number of people, so two reports of the same day are not added: the larger one stands.</item>
/// </list>
/// </summary>
public static class UsageIngest
{
    /// <summary>Aggregates samples per account and day (pure).</summary>
    public static IReadOnlyList<UsageTotal> Aggregate(IEnumerable<UsageSample> samples) =>
        [.. AggregateBatch(samples).Totals.OrderBy(t => t.AccountExternalId, StringComparer.Ordinal).ThenBy(t => t.Date)];

    /// <summary>Aggregates samples per account and day, keeping the distinct users of each day (pure).</summary>
    public static UsageBatch AggregateBatch(IEnumerable<UsageSample> samples)
    {
        var days = new Dictionary<(string, DateOnly), (int Reported, long Events, HashSet<string>? Users)>();
        foreach (var s in samples)
        {
            ref var day = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(days, (s.AccountExternalId, s.Date), out _);
            day.Reported = Math.Max(day.Reported, s.ActiveUsers);
            day.Events += s.Events;
            if (s.UserId is not null) (day.Users ??= new HashSet<string>(StringComparer.Ordinal)).Add(s.UserId);
        }
        // In no order: the rows to write are put in key order once their accounts are known (UsageRows).
        var totals = new List<UsageTotal>(days.Count);
        var users = new List<UsageUser>();
        foreach (var (key, day) in days)
        {
            totals.Add(new UsageTotal(key.Item1, key.Item2, Math.Max(day.Reported, day.Users?.Count ?? 0), day.Events));
            if (day.Users is not null)
                foreach (var u in day.Users) users.Add(new UsageUser(key.Item1, key.Item2, u));
        }
        return new UsageBatch(totals, users);
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

    /// <summary>Adds the days to the stored days in one statement; every account must exist.</summary>
    private static Task<long> WriteDaysAsync(CsmDbContext db, IReadOnlyList<DayRow> days, CancellationToken ct) =>
        db.Provider == StorageProvider.Postgres && days.Count is > 0 and <= PostgresStatementRows
            ? WritePostgresAsync(db, days, ct)
            : new BulkUpsert<UsageDay>(db, nameof(UsageDay.AccountId), nameof(UsageDay.Date))
            .Combining(nameof(UsageDay.Events), Combine.Sum)
            .Combining(nameof(UsageDay.ActiveUsers), Combine.Max)
            .WriteAsync(days.Select(d => new UsageDay(d.AccountId, d.Date, d.ActiveUsers, d.Events)), ct);

    private const int PostgresStatementRows = 200_000;

    /// <summary>
    /// The days as typed arrays in one <c>INSERT … SELECT FROM unnest … ON CONFLICT</c>, in key order (as
    /// <see cref="UsageRows"/> keeps them) so that concurrent writers lock the same days in the same order. Every row
    /// changes what it meets (events add up), so there is no "unchanged" test to pay for.
    /// </summary>
    private static async Task<long> WritePostgresAsync(CsmDbContext db, IReadOnlyList<DayRow> days, CancellationToken ct)
    {
        var (accounts, dates, users, events) = (new long[days.Count], new DateOnly[days.Count], new int[days.Count], new long[days.Count]);
        for (var i = 0; i < days.Count; i++) (accounts[i], dates[i], users[i], events[i]) = days[i];
        await db.Database.OpenConnectionAsync(ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = """
            INSERT INTO usage_days (account_id, date, active_users, events)
            SELECT * FROM unnest(@accounts::bigint[], @dates::date[], @users::integer[], @events::bigint[])
            ON CONFLICT (account_id, date) DO UPDATE
            SET active_users = GREATEST(usage_days.active_users, excluded.active_users), events = usage_days.events + excluded.events
            """;
        command.Parameters.Add(new Npgsql.NpgsqlParameter("accounts", accounts));
        command.Parameters.Add(new Npgsql.NpgsqlParameter("dates", dates));
        command.Parameters.Add(new Npgsql.NpgsqlParameter("users", users));
        command.Parameters.Add(new Npgsql.NpgsqlParameter("events", events));
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Writes a batch whose accounts are resolved in <paramref name="accountIds"/>, as <see cref="WriteAsync(CsmDbContext, UsageRows, CancellationToken)"/>.</summary>
    public static Task WriteAsync(CsmDbContext db, UsageBatch batch, IReadOnlyDictionary<string, long> accountIds, CancellationToken ct) =>
        WriteAsync(db, UsageRows.Resolve(batch, accountIds), ct);

    /// <summary>
    /// Writes rows in one transaction: the users first (a user already seen that day is skipped), then the days added to
    /// the stored days, then each day that gained a user keeps at least its number of distinct users. Whatever fails,
    /// nothing of the rows is stored.
    /// </summary>
    /// <remarks>
    /// Two writers of the same day at once (two nodes, or the API beside an import) still end with every user counted:
    /// the day's upsert locks its row, so the second writer's upsert waits until the first has committed, and its recount,
    /// a later statement, then sees the first writer's users beside its own (PostgreSQL's read committed; SQLite lets one
    /// writer in at a time). Users go first and days second in every writer, in key order, so they cannot deadlock.
    /// </remarks>
    public static async Task WriteAsync(CsmDbContext db, UsageRows rows, CancellationToken ct)
    {
        if (rows.Users.Count == 0)
        {
            // One statement, atomic by itself: no transaction's round trips.
            await WriteDaysAsync(db, rows.Days, ct);
            return;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var grown = await AddUsersAsync(db, rows.Users, ct);
        await WriteDaysAsync(db, rows.Days, ct);
        // Only days that gained a user can have more distinct users than before.
        if (grown.Count > 0) await RecountAsync(db, grown, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Raises each day's active users to its number of distinct users where that is higher.</summary>
    private static async Task RecountAsync(CsmDbContext db, List<(long Account, DateOnly Date)> days, CancellationToken ct)
    {
        if (db.Provider == StorageProvider.Postgres)
        {
            var accounts = days.Select(d => d.Account).ToArray();
            var dates = days.Select(d => d.Date).ToArray();
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE usage_days AS d SET active_users = c.users
                FROM (SELECT u.account_id, u.date, count(*)::integer AS users
                      FROM usage_day_users AS u JOIN unnest({accounts}::bigint[], {dates}::date[]) AS t (account_id, date)
                        ON u.account_id = t.account_id AND u.date = t.date
                      GROUP BY u.account_id, u.date) AS c
                WHERE d.account_id = c.account_id AND d.date = c.date AND d.active_users < c.users
                """, ct);
            return;
        }
        foreach (var (account, date) in days)
        {
            var day = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE usage_days SET active_users = max(active_users,
                    (SELECT count(*) FROM usage_day_users AS u WHERE u.account_id = {account} AND u.date = {day}))
                WHERE account_id = {account} AND date = {day}
                """, ct);
        }
    }

    /// <summary>Inserts the users not yet seen on their day; returns the days that gained at least one.</summary>
    private static async Task<List<(long Account, DateOnly Date)>> AddUsersAsync(CsmDbContext db, IReadOnlyList<UserRow> users, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var grown = new HashSet<(long, DateOnly)>();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        if (db.Provider == StorageProvider.Postgres)
        {
            command.CommandText = """
                INSERT INTO usage_day_users (account_id, date, user_key)
                SELECT * FROM unnest(@accounts::bigint[], @dates::date[], @users::text[])
                ON CONFLICT DO NOTHING RETURNING account_id, date
                """;
            var (accounts, dates, keys) = (new long[users.Count], new DateOnly[users.Count], new string[users.Count]);
            for (var i = 0; i < users.Count; i++) (accounts[i], dates[i], keys[i]) = users[i];
            command.Parameters.Add(new Npgsql.NpgsqlParameter("accounts", accounts));
            command.Parameters.Add(new Npgsql.NpgsqlParameter("dates", dates));
            command.Parameters.Add(new Npgsql.NpgsqlParameter("users", keys));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) grown.Add((reader.GetInt64(0), reader.GetFieldValue<DateOnly>(1)));
            return [.. grown];
        }
        command.CommandText = "INSERT INTO usage_day_users (account_id, date, user_key) VALUES (@a, @d, @u) ON CONFLICT DO NOTHING";
        var (a, d, u) = (command.CreateParameter(), command.CreateParameter(), command.CreateParameter());
        (a.ParameterName, d.ParameterName, u.ParameterName) = ("@a", "@d", "@u");
        command.Parameters.Add(a);
        command.Parameters.Add(d);
        command.Parameters.Add(u);
        foreach (var user in users)
        {
            (a.Value, d.Value, u.Value) = (user.AccountId, user.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), user.UserKey);
            if (await command.ExecuteNonQueryAsync(ct) > 0) grown.Add((user.AccountId, user.Date));
        }
        return [.. grown];
    }
}

/// <summary>What one account's day gains: the highest active-user figure given and the events to add.</summary>
public readonly record struct DayRow(long AccountId, DateOnly Date, int ActiveUsers, long Events);

/// <summary>One user active for an account on a day.</summary>
public readonly record struct UserRow(long AccountId, DateOnly Date, string UserKey);

/// <summary>
/// Usage ready to be written, accounts resolved to ids: days in key order, each once, and distinct users in key order
/// (so concurrent writers lock rows in the same order).
/// </summary>
public sealed record UsageRows(IReadOnlyList<DayRow> Days, IReadOnlyList<UserRow> Users)
{
    /// <summary>A batch with its accounts resolved; every account must be in <paramref name="accountIds"/> (pure).</summary>
    public static UsageRows Resolve(UsageBatch batch, IReadOnlyDictionary<string, long> accountIds)
    {
        var days = new DayRow[batch.Totals.Count];
        for (var i = 0; i < days.Length; i++)
        {
            var t = batch.Totals[i];
            days[i] = new DayRow(accountIds[t.AccountExternalId], t.Date, t.ActiveUsers, t.Events);
        }
        Array.Sort(days, DayOrder);
        var users = new UserRow[batch.Users.Count];
        for (var i = 0; i < users.Length; i++)
        {
            var u = batch.Users[i];
            users[i] = new UserRow(accountIds[u.AccountExternalId], u.Date, u.UserKey);
        }
        Array.Sort(users, UserOrder);
        return new UsageRows(days, users);
    }

    /// <summary>
    /// Several writers' rows as one: events of the same day added, the highest active-user figure kept, users distinct.
    /// The same as writing each in turn (pure).
    /// </summary>
    public static UsageRows Merge(IReadOnlyList<UsageRows> parts)
    {
        if (parts.Count == 1) return parts[0];
        var days = new Dictionary<(long, DateOnly), (int ActiveUsers, long Events)>(parts.Sum(p => p.Days.Count));
        foreach (var part in parts)
            foreach (var d in part.Days)
            {
                var key = (d.AccountId, d.Date);
                days[key] = days.TryGetValue(key, out var day) ? (Math.Max(day.ActiveUsers, d.ActiveUsers), day.Events + d.Events) : (d.ActiveUsers, d.Events);
            }
        var mergedDays = days.Select(d => new DayRow(d.Key.Item1, d.Key.Item2, d.Value.ActiveUsers, d.Value.Events)).ToArray();
        Array.Sort(mergedDays, DayOrder);
        var users = new HashSet<UserRow>(parts.SelectMany(p => p.Users)).ToArray();
        Array.Sort(users, UserOrder);
        return new UsageRows(mergedDays, users);
    }

    private static readonly Comparison<DayRow> DayOrder = (x, y) => x.AccountId != y.AccountId ? x.AccountId.CompareTo(y.AccountId) : x.Date.CompareTo(y.Date);

    private static readonly Comparison<UserRow> UserOrder = (x, y) =>
        x.AccountId != y.AccountId ? x.AccountId.CompareTo(y.AccountId)
        : x.Date != y.Date ? x.Date.CompareTo(y.Date)
        : string.CompareOrdinal(x.UserKey, y.UserKey);
}
