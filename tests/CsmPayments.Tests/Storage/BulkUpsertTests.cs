using CsmPayments.Accounts;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Usage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Storage;

public sealed class BulkUpsertTests
{
    [Theory, Providers]
    public async Task Upsert_inserts_new_rows_updates_changed_ones_and_leaves_equal_ones_alone(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        long accountId;
        await using (var db = test.Open())
        {
            var csm = new User("csm@example.com", "Casey", UserRole.Csm, 50);
            db.Users.Add(csm);
            await db.SaveChangesAsync();
            var account = new Account("A-1", "Acme", "Retail", 40, "US", "Growth", csm.Id, "USD", null, ServiceTier.Medium);
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
            accountId = account.Id;
        }

        var day = new DateOnly(2026, 1, 1);
        var first = Enumerable.Range(0, 3).Select(i => new UsageDay(accountId, day.AddDays(i), 10 + i, 100)).ToList();
        await using (var db = test.Open())
            Assert.Equal(3, await new BulkUpsert<UsageDay>(db, nameof(UsageDay.AccountId), nameof(UsageDay.Date)).WriteAsync(first));

        await using (var db = test.Open())
            Assert.Equal(0, await new BulkUpsert<UsageDay>(db, nameof(UsageDay.AccountId), nameof(UsageDay.Date)).WriteAsync(first));

        var second = new[] { new UsageDay(accountId, day, 99, 100), new UsageDay(accountId, day.AddDays(1), 11, 100), new UsageDay(accountId, day.AddDays(5), 1, 1) };
        await using (var db = test.Open())
            Assert.Equal(2, await new BulkUpsert<UsageDay>(db, nameof(UsageDay.AccountId), nameof(UsageDay.Date)).WriteAsync(second));

        await using (var db = test.Open())
        {
            var stored = await db.UsageDays.OrderBy(u => u.Date).Select(u => new { u.Date, u.ActiveUsers }).ToListAsync();
            Assert.Equal([(day, 99), (day.AddDays(1), 11), (day.AddDays(2), 12), (day.AddDays(5), 1)],
                stored.Select(s => (s.Date, s.ActiveUsers)));
        }
    }

    [Theory, Providers]
    public async Task Upsert_writes_entities_with_generated_ids_and_keeps_preserved_columns(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using (var db = test.Open())
        {
            var users = new[] { new User("a@example.com", "Ann", UserRole.Csm, 40), new User("b@example.com", "Bo", UserRole.Collector, null) };
            Assert.Equal(2, await new BulkUpsert<User>(db, nameof(User.Email)).WriteAsync(users));
        }
        await using (var db = test.Open())
        {
            var renamed = new[] { new User("a@example.com", "Ann Lee", UserRole.Csm, 99) };
            Assert.Equal(1, await new BulkUpsert<User>(db, nameof(User.Email)).Preserving(nameof(User.Capacity)).WriteAsync(renamed));
        }
        await using (var db = test.Open())
        {
            var stored = await db.Users.OrderBy(u => u.Email).ToListAsync();
            Assert.Equal(["Ann Lee", "Bo"], stored.Select(u => u.Name));
            Assert.Equal(40, stored[0].Capacity); // preserved: the update did not overwrite it
            Assert.All(stored, u => Assert.True(u.Id > 0));
            Assert.Equal(2, stored.Select(u => u.Id).Distinct().Count());
        }
    }

    [Theory, Providers]
    public async Task Combined_columns_add_up_or_keep_the_maximum_in_small_and_streamed_writes(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        long accountId;
        await using (var db = test.Open())
        {
            var csm = new User("csm@example.com", "Casey", UserRole.Csm, 50);
            db.Users.Add(csm);
            await db.SaveChangesAsync();
            var account = new Account("A-1", "Acme", "Retail", 40, "US", "Growth", csm.Id, "USD", null, ServiceTier.Medium);
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
            accountId = account.Id;
        }
        var day = new DateOnly(2000, 1, 1);
        BulkUpsert<UsageDay> Writer(CsmDbContext db) => new BulkUpsert<UsageDay>(db, nameof(UsageDay.AccountId), nameof(UsageDay.Date))
            .Combining(nameof(UsageDay.Events), Combine.Sum).Combining(nameof(UsageDay.ActiveUsers), Combine.Max);
        // More rows than one PostgreSQL statement takes, so they stream through COPY; then a small write in one statement.
        const int many = 20_001;
        await using (var db = test.Open())
            Assert.Equal(many, await Writer(db).WriteAsync(Enumerable.Range(0, many).Select(i => new UsageDay(accountId, day.AddDays(i), 10, 5))));
        await using (var db = test.Open())
            Assert.Equal(many, await Writer(db).WriteAsync(Enumerable.Range(0, many).Select(i => new UsageDay(accountId, day.AddDays(i), i % 2 == 0 ? 4 : 12, 1))));
        await using (var db = test.Open())
            Assert.Equal(2, await Writer(db).WriteAsync([new UsageDay(accountId, day, 30, 100), new UsageDay(accountId, day.AddDays(many), 2, 3)]));

        await using (var check = test.Open())
        {
            var stored = await check.UsageDays.OrderBy(u => u.Date).Select(u => new { u.ActiveUsers, u.Events }).ToListAsync();
            Assert.Equal(many + 1, stored.Count);
            Assert.Equal((30, 106L), (stored[0].ActiveUsers, stored[0].Events));
            Assert.Equal((12, 6L), (stored[1].ActiveUsers, stored[1].Events));
            Assert.Equal((10, 6L), (stored[2].ActiveUsers, stored[2].Events));
            Assert.Equal((2, 3L), (stored[^1].ActiveUsers, stored[^1].Events));
        }
    }
}
