using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CsmPayments.Tests.Cycle;

/// <summary>
/// No snapshot outlives its account. SQLite: a foreign key with a cascade. PostgreSQL: a trigger on accounts that deletes
/// the account's snapshots, and that first waits for any cycle writing snapshots (<see cref="HealthSnapshot.WriteLock"/>),
/// so a cycle cannot write a snapshot of an account deleted while it runs.
/// </summary>
public sealed class SnapshotGuardTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    [Theory, Providers]
    public async Task Deleting_an_account_deletes_its_snapshots_and_waits_for_a_cycle_writing_them(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);
        var settings = CycleBook.Settings with { Rates = CycleBook.DemoRates };
        await DailyCycle.RunAsync(new CycleRun(test.Database, AsOf, settings, false), CancellationToken.None);
        await using var db = test.Open();
        var ids = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).Take(2).ToArrayAsync();
        foreach (var id in ids) Assert.True(await db.HealthSnapshots.AnyAsync(s => s.AccountId == id));

        if (provider == StorageProvider.Postgres)
        {
            // No foreign key checks each inserted snapshot; the trigger stands in for its cascade.
            Assert.Empty(await TestSql.RowsAsync(db, "SELECT conname FROM pg_constraint WHERE conrelid = 'health_snapshots'::regclass AND contype = 'f'"));
            Assert.Contains("accounts_deleted_with_snapshots", await TestSql.RowsAsync(db, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts'::regclass"));

            // A cycle writing snapshots holds the lock shared, as HealthStage does: a deletion waits for it to commit.
            await using var cycle = new NpgsqlConnection(test.ConnectionString);
            await cycle.OpenAsync();
            await using (var holding = await cycle.BeginTransactionAsync())
            {
                await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock_shared({HealthSnapshot.WriteLock})", cycle, holding))
                    await take.ExecuteNonQueryAsync();
                Assert.Equal(PostgresErrorCodes.LockNotAvailable, DeleteWaitingBriefly(test, ids[0]).SqlState);
                Assert.True(await db.HealthSnapshots.AnyAsync(s => s.AccountId == ids[0]));
                await holding.CommitAsync();
            }

            // And the cycle itself holds it: a deletion tried while its first range is reported waits too.
            PostgresException? during = null;
            var tried = new Inline(_ =>
            {
                during ??= DeleteWaitingBriefly(test, ids[0]);
            });
            await DailyCycle.RunAsync(new CycleRun(test.Database, AsOf.AddDays(1), settings, false, tried), CancellationToken.None);
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, Assert.IsType<PostgresException>(during).SqlState);
        }
        else
        {
            Assert.Contains("accounts", await TestSql.RowsAsync(db, "SELECT \"table\" FROM pragma_foreign_key_list('health_snapshots')"));
        }

        // Without a cycle running, the deletion goes through and takes the account's snapshots, and no other's.
        var others = await db.HealthSnapshots.CountAsync(s => s.AccountId != ids[0]);
        Assert.Equal(1, await db.Accounts.Where(a => a.Id == ids[0]).ExecuteDeleteAsync());
        Assert.False(await db.HealthSnapshots.AnyAsync(s => s.AccountId == ids[0]));
        Assert.Equal(others, await db.HealthSnapshots.CountAsync());
        Assert.True(await db.HealthSnapshots.AnyAsync(s => s.AccountId == ids[1]));
    }

    /// <summary>Reports progress on the reporting thread, so the run waits for what the report does.</summary>
    private sealed class Inline(Action<CycleProgress> report) : IProgress<CycleProgress>
    {
        public void Report(CycleProgress value) => report(value);
    }

    /// <summary>
    /// Deletes the account on a connection of its own that waits at most 300 ms for a lock, synchronously (the progress
    /// report that calls it runs inside the cycle); the failure it must meet while a cycle holds the lock.
    /// </summary>
    private static PostgresException DeleteWaitingBriefly(TestDatabase test, long account)
    {
        using var deleter = new NpgsqlConnection(test.ConnectionString);
        deleter.Open();
        using (var timeout = new NpgsqlCommand("SET lock_timeout = '300ms'", deleter)) timeout.ExecuteNonQuery();
        using var delete = new NpgsqlCommand("DELETE FROM accounts WHERE id = @id", deleter) { Parameters = { new("id", account) } };
        return Assert.Throws<PostgresException>(() => delete.ExecuteNonQuery());
    }
}
