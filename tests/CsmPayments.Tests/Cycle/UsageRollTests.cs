using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Usage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Cycle;

/// <summary>
/// Usage sums rolled forward from the day before (<see cref="UsageSums"/>, the day load with a <see cref="UsageRoll"/>)
/// against sums over every day of the span, and the notes of changed usage that make the cycle sum an account again.
/// </summary>
public sealed class UsageRollTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    private static EvaluationSettings Settings => CycleBook.Settings with { Rates = CycleBook.DemoRates };

    [Fact]
    public void Sums_rolled_across_gaps_of_up_to_three_days_equal_the_sums_of_every_day()
    {
        var random = new Random(7);
        foreach (var windows in new[] { new UsageWindows(14, 90), new UsageWindows(30, 45), new UsageWindows(11, 60), new UsageWindows(20, 120) })
        {
            Assert.True(windows.CanRoll);
            for (var account = 0; account < 150; account++)
            {
                // Usage with gaps (days not reported), idle stretches and an account that stops, over 200 days.
                var rows = new List<(DateOnly Date, int ActiveUsers)>();
                var stopsOn = random.Next(3) == 0 ? AsOf.AddDays(-random.Next(0, 120)) : DateOnly.MaxValue;
                for (var day = AsOf.AddDays(-200); day <= AsOf; day = day.AddDays(1))
                {
                    if (random.Next(6) == 0) continue;
                    rows.Add((day, day >= stopsOn || random.Next(5) == 0 ? 0 : random.Next(1, 40)));
                }
                for (var gap = 0; gap <= UsageWindows.MaxGap; gap++)
                {
                    var source = AsOf.AddDays(-gap - random.Next(0, 60));
                    var day = source.AddDays(gap);
                    var (summary, carry) = UsageSums.Roll(windows, Closed(rows, source, windows), day,
                        Part(rows, UsageWindows.ClosedThrough(source), UsageWindows.ClosedThrough(day)),
                        windows.Lengths.Select(n => Part(rows, source.AddDays(-n), day.AddDays(-n)).Sum).ToArray(),
                        Part(rows, source.AddDays(-windows.SpanDays), day.AddDays(-windows.SpanDays)).Rows,
                        Part(rows, UsageWindows.ClosedThrough(day), day));
                    Assert.Equal(UsageSummary.From(rows, day, windows.RecentDays, windows.BaselineDays), summary);
                    Assert.Equal(Closed(rows, day, windows), carry);
                }
            }
        }
    }

    [Fact]
    public void Windows_no_longer_than_the_fresh_days_and_the_gap_are_never_rolled()
    {
        Assert.False(new UsageWindows(UsageWindows.FreshDays + UsageWindows.MaxGap, 90).CanRoll);
        Assert.True(new UsageWindows(UsageWindows.FreshDays + UsageWindows.MaxGap + 1, 90).CanRoll);
        Assert.NotEqual(new UsageWindows(14, 90).Key, new UsageWindows(14, 91).Key);
        Assert.NotEqual(new UsageWindows(14, 90).Key, new UsageWindows(15, 90).Key);
        var (_, carry) = UsageSums.FromSpan(new UsageWindows(7, 90), [1, 2, 3, 4], 5, null, UsagePart.None, null);
        Assert.Null(carry);
    }

    [Theory, Providers]
    public async Task Each_day_rolls_yesterdays_sums_and_sums_again_only_the_accounts_whose_carried_days_changed(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);
        long[] ids;
        await using (var db = test.Open())
        {
            ids = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync();
            // The import's writes were noted: every account is covered by a note.
            Assert.Equal(ids, await NotedAsync(db, ids));
        }

        var first = AsOf.AddDays(-12);
        var summary = await RunAsync(test, first);
        Assert.Equal((0, ids.Length), (summary.UsageRolled, summary.UsageSummed));
        await AssertSameAsSummedAsync(test, first);
        await using (var db = test.Open()) Assert.Equal(0, await db.UsageChanges.CountAsync());

        summary = await RunAsync(test, first.AddDays(1));
        Assert.Equal((ids.Length, 0), (summary.UsageRolled, summary.UsageSummed));
        await AssertSameAsSummedAsync(test, first.AddDays(1));

        // Three changes: a higher count for a day the carry holds (through the API's writer), a late report of a fresh day,
        // and a day removed by hand. Only the first and the last reach days the carry holds.
        var day = first.AddDays(2);
        var (corrected, late) = (ids[3], ids[10]);
        await using (var db = test.Open())
        {
            var removed = await db.UsageDays.Where(u => u.AccountId > late && u.Date <= day.AddDays(-20) && u.Date >= day.AddDays(-25))
                .OrderBy(u => u.AccountId).Select(u => u.AccountId).FirstAsync();
            // One write each: a statement writing both would be noted for the block of ids between them.
            await CorrectAsync(test, corrected, day.AddDays(-40));
            await CorrectAsync(test, late, day.AddDays(-2));
            var gone = await db.UsageDays.Where(u => u.AccountId == removed && u.Date <= day.AddDays(-20) && u.Date >= day.AddDays(-25)).ExecuteDeleteAsync();
            Assert.True(gone > 0);
            Assert.Equal([corrected, late, removed], await NotedAsync(db, ids));
        }
        summary = await RunAsync(test, day);
        Assert.Equal((ids.Length - 2, 2), (summary.UsageRolled, summary.UsageSummed));
        await AssertSameAsSummedAsync(test, day);
        await using (var db = test.Open()) Assert.Equal(0, await db.UsageChanges.CountAsync());

        // A gap of three days still rolls; a gap of four sums every account again.
        summary = await RunAsync(test, day.AddDays(3));
        Assert.Equal((ids.Length, 0), (summary.UsageRolled, summary.UsageSummed));
        await AssertSameAsSummedAsync(test, day.AddDays(3));
        day = day.AddDays(7);
        summary = await RunAsync(test, day);
        Assert.Equal((0, ids.Length), (summary.UsageRolled, summary.UsageSummed));
        await AssertSameAsSummedAsync(test, day);

        // A rerun of the day rolls from the day itself, and sums again an account changed since the first run.
        await CorrectAsync(test, corrected, day.AddDays(-30));
        summary = await RunAsync(test, day);
        Assert.Equal((ids.Length - 1, 1), (summary.UsageRolled, summary.UsageSummed));
        Assert.Equal(1, summary.SnapshotsWritten);
        await AssertSameAsSummedAsync(test, day);

        // A dry run reads the notes but leaves them; a day before the latest neither rolls nor consumes them.
        await CorrectAsync(test, late, day.AddDays(-50));
        summary = await RunAsync(test, day.AddDays(1), dryRun: true);
        Assert.Equal((ids.Length - 1, 1), (summary.UsageRolled, summary.UsageSummed));
        summary = await RunAsync(test, day.AddDays(-1));
        Assert.Equal((0, ids.Length), (summary.UsageRolled, summary.UsageSummed));
        await using (var db = test.Open()) Assert.Equal([late], await NotedAsync(db, ids));
        summary = await RunAsync(test, day.AddDays(1));
        Assert.Equal((ids.Length - 1, 1), (summary.UsageRolled, summary.UsageSummed));
        await AssertSameAsSummedAsync(test, day.AddDays(1));
        await using (var db = test.Open()) Assert.Equal(0, await db.UsageChanges.CountAsync());

        // One statement writing two accounts: PostgreSQL notes the block of ids between them (one note per statement and
        // block), SQLite each account; either way the accounts written are summed again, and nothing else changes.
        await using (var db = test.Open())
        {
            var external = await db.Accounts.Where(a => a.Id == ids[20] || a.Id == ids[25]).ToDictionaryAsync(a => a.ExternalId, a => a.Id);
            await UsageIngest.WriteAsync(db, new UsageBatch([.. external.Keys.Select(e => new UsageTotal(e, day.AddDays(-60), 700, 1))], []), external,
                CancellationToken.None);
            Assert.Equal(provider == StorageProvider.Postgres ? ids[20..26] : [ids[20], ids[25]], await NotedAsync(db, ids));
        }
        summary = await RunAsync(test, day.AddDays(2));
        Assert.Equal(provider == StorageProvider.Postgres ? 6 : 2, summary.UsageSummed);
        await AssertSameAsSummedAsync(test, day.AddDays(2));
    }

    [Theory, Providers]
    public async Task Other_windows_are_summed_again_and_a_deleted_accounts_notes_are_cleared(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);
        await RunAsync(test, AsOf.AddDays(-1));
        long gone;
        await using (var db = test.Open())
        {
            gone = await db.Accounts.OrderByDescending(a => a.Id).Select(a => a.Id).FirstAsync();
            Assert.True(await db.HealthSnapshots.AnyAsync(s => s.AccountId == gone));
            // Deleting the account takes its usage with it; the database notes that change, though the account is gone.
            await db.Accounts.Where(a => a.Id == gone).ExecuteDeleteAsync();
            Assert.True(await db.UsageChanges.AnyAsync(c => c.FirstAccountId <= gone && gone <= c.LastAccountId));
            // Its snapshots go too: the cascade finds them without an index led by the account.
            Assert.False(await db.HealthSnapshots.AnyAsync(s => s.AccountId == gone));
        }
        var windows = Settings with { Health = new HealthOptions { SilentChurn = { NoActiveUsersDays = 21 } } };
        var summary = await DailyCycle.RunAsync(new CycleRun(test.Database, AsOf, windows, false) { RangeSize = 16 }, CancellationToken.None);
        Assert.Equal(0, summary.UsageRolled);
        await using (var db = test.Open()) Assert.Equal(0, await db.UsageChanges.CountAsync());
        await AssertSameAsSummedAsync(test, AsOf, windows);
    }

    /// <summary>The accounts among <paramref name="ids"/> that a note of changed usage covers.</summary>
    private static async Task<long[]> NotedAsync(CsmDbContext db, long[] ids)
    {
        var notes = await db.UsageChanges.Select(c => new { c.FirstAccountId, c.LastAccountId }).ToListAsync();
        return [.. ids.Where(id => notes.Any(n => n.FirstAccountId <= id && id <= n.LastAccountId))];
    }

    private static Task<CycleSummary> RunAsync(TestDatabase test, DateOnly day, bool dryRun = false) =>
        DailyCycle.RunAsync(new CycleRun(test.Database, day, Settings, dryRun) { RangeSize = 16 }, CancellationToken.None);

    private static async Task CorrectAsync(TestDatabase test, long account, DateOnly day)
    {
        await using var db = test.Open();
        var external = await db.Accounts.Where(a => a.Id == account).Select(a => a.ExternalId).SingleAsync();
        await UsageIngest.WriteAsync(db, new UsageBatch([new UsageTotal(external, day, 999, 1)], []), new Dictionary<string, long> { [external] = account },
            CancellationToken.None);
    }

    /// <summary>
    /// The day's stored snapshots against the day summed over every day of the span: the same usage component, score and
    /// signals, and the same carry; and the day load rolled from the stored day before gives the same summaries.
    /// </summary>
    private static async Task AssertSameAsSummedAsync(TestDatabase test, DateOnly day, EvaluationSettings? settings = null)
    {
        settings ??= Settings;
        await using var db = test.Open();
        var all = AccountSelection.Range(long.MinValue, long.MaxValue);
        var summed = await AccountHistoryLoader.LoadDayAsync(db, all, day, settings, CancellationToken.None);
        var stored = await db.HealthSnapshots.AsNoTracking().Where(s => s.AsOf == day).ToDictionaryAsync(s => s.AccountId);
        Assert.Equal(summed.Count, stored.Count);
        foreach (var h in summed)
        {
            var evaluation = AccountEvaluator.Evaluate(h, day, settings);
            var s = stored[h.Account.Id];
            Assert.Equal((evaluation.Health.Components[HealthComponent.Usage], evaluation.Health.Score, HealthSignalNames.Join(evaluation.Health.Signals), h.UsageCarry),
                (s.Usage, s.Score, s.Signals, s.CarriedUsage));
        }
    }

    private static UsagePart Part(List<(DateOnly Date, int ActiveUsers)> rows, DateOnly after, DateOnly through)
    {
        long sum = 0;
        var count = 0;
        DateOnly? lastActive = null;
        foreach (var (date, users) in rows)
        {
            if (date <= after || date > through) continue;
            sum += users;
            count++;
            if (users > 0 && (lastActive is null || date > lastActive)) lastActive = date;
        }
        return new UsagePart(sum, count, lastActive);
    }

    /// <summary>The carry of <paramref name="day"/> straight from the rows: each window's days up to the closed part's end.</summary>
    private static UsageCarry Closed(List<(DateOnly Date, int ActiveUsers)> rows, DateOnly day, UsageWindows windows)
    {
        var through = UsageWindows.ClosedThrough(day);
        var sums = windows.Lengths.Select(n => Part(rows, day.AddDays(-n), through).Sum).ToArray();
        var span = Part(rows, day.AddDays(-windows.SpanDays), through);
        return new UsageCarry(windows.Key, sums[0], sums[1], sums[2], sums[3], span.Rows, span.LastActiveDay);
    }
}
