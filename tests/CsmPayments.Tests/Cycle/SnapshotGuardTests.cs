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
        await DailyCycle.RunAsync(new CycleRun(test.Database, AsOf, CycleBook.Settings with { Rates = CycleBook.DemoRates }, false), CancellationToken.None);
        await using var db = test.Open();
        var ids = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).Take(2).ToArrayAsync();
        Assert.All(ids, id => Assert.True(db.HealthSnapshots.Any(s => s.AccountId == id)));
        await db.Database.OpenConnectionAsync();

        if (provider == StorageProvider.Postgres)
        {
            // No foreign key checks each inserted snapshot; the trigger stands in for its cascade.
            Assert.Equal(0L, await ScalarAsync(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'health_snapshots'::regclass AND contype = 'f'"));
            Assert.Equal(1L, await ScalarAsync(db, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass AND tgname = 'accounts_deleted_with_snapshots'"));

            // A cycle writing snapshots holds the lock shared, as HealthStage does: a deletion waits for it to commit.
            await using var cycle = new NpgsqlConnection(test.ConnectionString);
            await cycle.OpenAsync();
            await using (var holding = await cycle.BeginTransactionAsync())
            {
                await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock_shared({HealthSnapshot.WriteLock})", cycle, holding))
                    await take.ExecuteNonQueryAsync();
                await using var deleter = new NpgsqlConnection(test.ConnectionString);
                await deleter.OpenAsync();
                await using (var timeout = new NpgsqlCommand("SET lock_timeout = '300ms'", deleter)) await timeout.ExecuteNonQueryAsync();
                await using var delete = new NpgsqlCommand("DELETE FROM accounts WHERE id = @id", deleter) { Parameters = { new("id", ids[0]) } };
                var waited = await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
                Assert.Equal(PostgresErrorCodes.LockNotAvailable, waited.SqlState);
                Assert.True(await db.HealthSnapshots.AnyAsync(s => s.AccountId == ids[0]));
                await holding.CommitAsync();
            }

            // And the cycle itself holds it: a deletion tried while its first range is reported waits too.
            PostgresException? during = null;
            var tried = new Inline(_ =>
            {
                if (during is not null) return;
                using var deleter = new NpgsqlConnection(test.ConnectionString);
                deleter.Open();
                using (var timeout = new NpgsqlCommand("SET lock_timeout = '300ms'", deleter)) timeout.ExecuteNonQuery();
                using var delete = new NpgsqlCommand("DELETE FROM accounts WHERE id = @id", deleter) { Parameters = { new("id", ids[0]) } };
                during = Assert.Throws<PostgresException>(() => delete.ExecuteNonQuery());
            });
            await DailyCycle.RunAsync(new CycleRun(test.Database, AsOf.AddDays(1), CycleBook.Settings with { Rates = CycleBook.DemoRates }, false, tried),
                CancellationToken.None);
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, Assert.IsType<PostgresException>(during).SqlState);
        }
        else
        {
            Assert.Contains("accounts", await ScalarsAsync(db, "SELECT \"table\" FROM pragma_foreign_key_list('health_snapshots')"));
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

    private static async Task<long> ScalarAsync(CsmDbContext db, string sql)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ScalarsAsync(CsmDbContext db, string sql)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
