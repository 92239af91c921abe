using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Usage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Api;

/// <summary>The usage path's cache of account ids and its shared writer, through the real API.</summary>
public sealed class UsageWritePathTests
{
    private static readonly DateOnly Day = new(2026, 3, 1);

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string account, int events) =>
        client.PostAsJsonAsync("/api/usage", new { events = new[] { new { account_external_id = account, date = "2026-03-01", active_users = 2, events } } });

    private static async Task<long> EventsAsync(ApiServer server, long accountId)
    {
        await using var db = server.Database.Open();
        return await db.UsageDays.Where(u => u.AccountId == accountId).SumAsync(u => u.Events);
    }

    private static async Task<string> UnknownAccountErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("events[0].account_external_id")[0].GetString()!;
    }

    [Theory, Providers]
    public async Task An_account_created_after_the_cache_was_warmed_is_found(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite, ApiScopes.Admin);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "A-1", 1)).StatusCode);
        Assert.Contains("C-3", await UnknownAccountErrorAsync(await PostAsync(client, "C-3", 1)));

        var created = await client.PostAsJsonAsync("/api/accounts", new[]
        {
            new { external_id = "C-3", name = "Cobalt", industry = "Retail", employees = 5, country = "US", plan = "Growth", csm_email = "csm@example.com", currency = "USD" },
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "C-3", 4)).StatusCode);
        await using var db = server.Database.Open();
        var c3 = await db.Accounts.SingleAsync(a => a.ExternalId == "C-3");
        Assert.Equal(4, await EventsAsync(server, c3.Id));
    }

    [Theory, Providers]
    public async Task A_renamed_external_id_is_not_stale(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, b2) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "A-1", 1)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "B-2", 1)).StatusCode);

        await using (var db = server.Database.Open())
        {
            var a = await db.Accounts.SingleAsync(x => x.Id == a1);
            db.Entry(a).Property(x => x.ExternalId).CurrentValue = "A-1-RENAMED";
            await db.SaveChangesAsync();
            // Inside a transaction, the change counts once it is committed.
            await using var transaction = await db.Database.BeginTransactionAsync();
            var b = await db.Accounts.SingleAsync(x => x.Id == b2);
            db.Entry(b).Property(x => x.ExternalId).CurrentValue = "B-2-RENAMED";
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        Assert.Contains("'A-1'", await UnknownAccountErrorAsync(await PostAsync(client, "A-1", 10)));
        Assert.Contains("'B-2'", await UnknownAccountErrorAsync(await PostAsync(client, "B-2", 10)));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "A-1-RENAMED", 5)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "B-2-RENAMED", 7)).StatusCode);
        Assert.Equal((6L, 8L), (await EventsAsync(server, a1), await EventsAsync(server, b2)));
    }

    [Theory, Providers]
    public async Task A_deleted_account_is_forgotten(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, _, b2) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "B-2", 1)).StatusCode);

        await using (var db = server.Database.Open())
        {
            db.Accounts.Remove(await db.Accounts.SingleAsync(x => x.Id == b2));
            await db.SaveChangesAsync();
        }

        Assert.Contains("'B-2'", await UnknownAccountErrorAsync(await PostAsync(client, "B-2", 1)));
    }

    [Theory, Providers]
    public async Task A_failed_flush_fails_its_requests_with_a_problem_and_stores_nothing_of_them(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", new
        {
            events = new[] { new { account_external_id = "A-1", date = "2026-03-01", events = 1 }, new { account_external_id = "B-2", date = "2026-03-01", events = 1 } },
        })).StatusCode);

        // Deleted behind the application's back (no context saw it), so the cache still leads B-2 to its old id.
        await using (var db = server.Database.Open())
            await db.Database.ExecuteSqlRawAsync("DELETE FROM accounts WHERE external_id = 'B-2'");

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.PostAsJsonAsync("/api/usage", new
        {
            events = new[]
            {
                new { account_external_id = "A-1", date = "2026-03-02", events = 10 + i },
                new { account_external_id = "B-2", date = "2026-03-02", events = 1 },
            },
        })));
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("nothing of this batch was stored", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        Assert.Equal(1, await EventsAsync(server, a1));

        // Once told, the cache asks the database again, and the batch is refused for what it is.
        AccountKeyChanges.Changed(["B-2"]);
        Assert.Contains("'B-2'", await UnknownAccountErrorAsync(await PostAsync(client, "B-2", 1)));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "A-1", 3)).StatusCode);
        Assert.Equal(4, await EventsAsync(server, a1));
    }

    [Theory, Providers]
    public async Task Concurrent_requests_written_together_add_up_as_if_written_one_by_one(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, b2) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);

        // 16 requests at once, each with 3 events on A-1 and a reported count of i users, and one tracked user on B-2.
        var responses = await Task.WhenAll(Enumerable.Range(1, 16).Select(i => Task.Run(() => client.PostAsJsonAsync("/api/usage", new
        {
            events = new[]
            {
                new { account_external_id = "A-1", date = "2026-03-01", active_users = i, events = 1 },
                new { account_external_id = "A-1", date = "2026-03-01", active_users = 1, events = 2 },
            },
        }))).Concat(Enumerable.Range(1, 16).Select(i => Task.Run(() => client.PostAsJsonAsync("/api/usage", new
        {
            batch = new[] { new { type = "track", @event = "x", userId = $"u-{i % 5}", context = new { groupId = "B-2" }, timestamp = "2026-03-01T10:00:00Z" } },
        })))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var db = server.Database.Open();
        var a = await db.UsageDays.SingleAsync(u => u.AccountId == a1 && u.Date == Day);
        var b = await db.UsageDays.SingleAsync(u => u.AccountId == b2 && u.Date == Day);
        Assert.Equal((16, 48L, 5, 16L), (a.ActiveUsers, a.Events, b.ActiveUsers, b.Events));
    }

    private static object Track(string user) =>
        new { batch = new[] { new { type = "track", @event = "x", userId = user, context = new { groupId = "B-2" }, timestamp = "2026-03-01T10:00:00Z" } } };

    [Theory, Providers]
    public async Task A_failed_recount_of_distinct_users_stores_nothing_of_the_batch(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, _, b2) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", Track("u-1"))).StatusCode);

        // From now on the database refuses to raise a day's active users: the upsert of the day keeps its figure (one),
        // so only the recount of the distinct users (u-1 and u-2: two) meets the refusal.
        await using (var db = server.Database.Open())
        {
            if (provider == StorageProvider.Postgres)
            {
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE FUNCTION refuse_more_users() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN IF NEW.active_users > OLD.active_users THEN RAISE EXCEPTION 'recount refused'; END IF; RETURN NEW; END $$
                    """);
                await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER refuse_more_users BEFORE UPDATE ON usage_days FOR EACH ROW EXECUTE FUNCTION refuse_more_users()");
            }
            else
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE TRIGGER refuse_more_users BEFORE UPDATE OF active_users ON usage_days
                    WHEN NEW.active_users > OLD.active_users BEGIN SELECT RAISE(ABORT, 'recount refused'); END
                    """);
        }

        var response = await client.PostAsJsonAsync("/api/usage", Track("u-2"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("nothing of this batch was stored", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        await using var check = server.Database.Open();
        var day = await check.UsageDays.SingleAsync(u => u.AccountId == b2 && u.Date == Day);
        Assert.Equal((1, 1L), (day.ActiveUsers, day.Events));
        Assert.Equal(["u-1"], await check.UsageDayUsers.Where(u => u.AccountId == b2).Select(u => u.UserKey).ToListAsync());
    }

    [Theory, Providers]
    public async Task Writers_that_do_not_share_a_process_still_count_every_distinct_user(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, _, b2) = await server.SeedAccountsAsync();

        // Eight writers with their own connections (as two nodes would have), each adding three users of the same day,
        // two of them shared with the next writer: 8 × 2 + 1 distinct users in all.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            await using var db = server.Database.Open();
            var users = Enumerable.Range(2 * w, 3).Select(u => new UserRow(b2, Day, $"u-{u:D2}")).ToArray();
            await UsageIngest.WriteAsync(db, new UsageRows([new DayRow(b2, Day, users.Length, users.Length)], users), CancellationToken.None);
        }));
        await Task.WhenAll(writers);

        await using var check = server.Database.Open();
        var day = await check.UsageDays.SingleAsync(u => u.AccountId == b2 && u.Date == Day);
        Assert.Equal((17, 24L), (day.ActiveUsers, day.Events));
        Assert.Equal(17, await check.UsageDayUsers.CountAsync(u => u.AccountId == b2));
    }

    [Fact]
    public void Merged_rows_add_events_keep_the_highest_count_and_distinct_users_in_key_order()
    {
        var first = new UsageRows([new DayRow(2, Day, 3, 5), new DayRow(1, Day, 1, 1)], [new UserRow(1, Day, "u2"), new UserRow(1, Day, "u1")]);
        var second = new UsageRows([new DayRow(1, Day, 4, 2), new DayRow(1, Day.AddDays(1), 0, 7)], [new UserRow(1, Day, "u1")]);

        var merged = UsageRows.Merge([first, second]);

        Assert.Equal([new DayRow(1, Day, 4, 3), new DayRow(1, Day.AddDays(1), 0, 7), new DayRow(2, Day, 3, 5)], merged.Days);
        Assert.Equal([new UserRow(1, Day, "u1"), new UserRow(1, Day, "u2")], merged.Users);
    }

    [Theory, Providers]
    public async Task A_batch_read_from_its_bytes_and_one_read_fully_store_the_same(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, b2) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        // The plain spelling is read from the bytes; the same figures with a padded id, an escaped text, a time without its
        // offset and a type in capitals go to the full reader. Both land on the same days.
        const string plain = """
            {"events": [
              {"account_external_id": "A-1", "date": "2026-03-01", "active_users": 4, "events": 10, "source": {"app": "web"}},
              {"account_external_id": "A-1", "timestamp": "2026-03-02T23:30:00+00:00", "events": 5}
            ]}
            """;
        const string unusual = """
            {"events": [
              {"account_external_id": " A-1 ", "date": "2026-03-01", "active_users": 4, "events": 10},
              {"account_external_id": "A\u002D1", "timestamp": "2026-03-02T23:30:00", "events": 5}
            ]}
            """;
        const string segmentPlain = """
            {"batch": [
              {"type": "track", "userId": 17, "context": {"groupId": "B-2", "library": {"name": "analytics.js"}}, "timestamp": "2026-03-01T10:00:00Z"},
              {"type": "identify", "userId": "u-3", "traits": {"email": "u3@b2.example"}},
              {"type": "page", "anonymousId": "anon-1", "properties": {"account_external_id": "B-2"}}
            ], "sentAt": "2026-03-01T12:00:00Z"}
            """;
        const string segmentUnusual = """
            {"batch": [
              {"type": "TRACK", "userId": 17, "context": {"groupId": "B-2"}, "timestamp": "2026-03-01T10:00:00Z"},
              {"type": "identify", "userId": "u-3"},
              {"type": "page", "anonymousId": "anon-1", "properties": {"account_external_id": " B-2"}}
            ], "sentAt": "2026-03-01T12:00:00Z"}
            """;

        async Task<JsonElement> PostRawAsync(string body)
        {
            var response = await client.PostAsync("/api/usage", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        var first = await PostRawAsync(plain);
        var second = await PostRawAsync(unusual);
        var third = await PostRawAsync(segmentPlain);
        var fourth = await PostRawAsync(segmentUnusual);

        Assert.Equal(first.ToString(), second.ToString());
        Assert.Equal(third.ToString(), fourth.ToString());
        Assert.Equal(1, third.GetProperty("skipped").GetInt32());
        await using var db = server.Database.Open();
        var days = await db.UsageDays.OrderBy(u => u.AccountId).ThenBy(u => u.Date).Select(u => new { u.AccountId, u.Date, u.ActiveUsers, u.Events }).ToListAsync();
        Assert.Equal(
            [(a1, Day, 4, 20L), (a1, Day.AddDays(1), 0, 10L), (b2, Day, 2, 4L)],
            days.Select(d => (d.AccountId, d.Date, d.ActiveUsers, d.Events)));
    }
}
