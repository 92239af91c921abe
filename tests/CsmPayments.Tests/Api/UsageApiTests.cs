using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Usage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Api;

public sealed class UsageApiTests
{
    private static readonly DateOnly Day = new(2026, 3, 1);

    private static async Task<(int ActiveUsers, long Events)[]> DaysAsync(ApiServer server, long accountId)
    {
        await using var db = server.Database.Open();
        return (await db.UsageDays.Where(u => u.AccountId == accountId).OrderBy(u => u.Date).ToListAsync()).Select(u => (u.ActiveUsers, u.Events)).ToArray();
    }

    [Theory, Providers]
    public async Task Events_add_up_per_account_and_day_and_active_users_keep_the_highest_count(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, b2) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);

        var first = await client.PostAsJsonAsync("/api/usage", new
        {
            events = new object[]
            {
                new { account_external_id = "A-1", date = "2026-03-01", active_users = 10, events = 100 },
                new { account_external_id = "A-1", timestamp = "2026-03-01T18:00:00Z", active_users = 14, events = 50 },
                new { account_external_id = "B-2", date = "2026-03-01", events = 7 },
            },
        });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var accepted = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((3, 2, 2), (accepted.GetProperty("events").GetInt32(), accepted.GetProperty("days").GetInt32(), accepted.GetProperty("accounts").GetInt32()));
        Assert.Equal([a1, b2], (await server.NextChangeAsync()).Order());

        var second = await client.PostAsJsonAsync("/api/usage", new { events = new[] { new { account_external_id = "A-1", date = "2026-03-01", active_users = 12, events = 25 } } });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        Assert.Equal([(14, 175L)], await DaysAsync(server, a1));
        Assert.Equal([(0, 7L)], await DaysAsync(server, b2));
    }

    [Theory, Providers]
    public async Task Segment_track_and_batch_payloads_count_events_and_distinct_users(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, b2) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);
        const string batch = """
        {
          "batch": [
            { "type": "track", "event": "Report Exported", "userId": "u-1", "context": { "groupId": "A-1", "library": { "name": "analytics.js" } },
              "properties": { "format": "pdf" }, "timestamp": "2026-03-01T09:00:00.000Z", "messageId": "m-1" },
            { "type": "track", "event": "Report Viewed", "userId": "u-2", "context": { "groupId": "A-1" }, "timestamp": "2026-03-01T10:00:00Z" },
            { "type": "page", "name": "Dashboard", "userId": "u-1", "context": { "groupId": "A-1" }, "timestamp": "2026-03-01T11:00:00Z" },
            { "type": "identify", "userId": "u-3", "traits": { "email": "u3@acme.example" } },
            { "type": "track", "event": "Invoice Opened", "anonymousId": 5501, "properties": { "account_external_id": "B-2" }, "originalTimestamp": "2026-03-01T12:00:00Z" }
          ],
          "sentAt": "2026-03-01T12:00:01Z",
          "context": { "library": { "name": "analytics-node" } }
        }
        """;

        var response = await client.PostAsync("/api/usage", new StringContent(batch, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("skipped").GetInt32());

        var single = await client.PostAsJsonAsync("/api/usage",
            new { type = "track", @event = "Seat Added", userId = "u-1", context = new { groupId = "A-1" }, timestamp = "2026-03-02T08:00:00Z" });
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);

        Assert.Equal([(2, 3L), (1, 1L)], await DaysAsync(server, a1));
        Assert.Equal([(1, 1L)], await DaysAsync(server, b2));
    }

    private static object Track(string user, string account, string at) =>
        new { type = "track", @event = "Report Viewed", userId = user, context = new { groupId = account }, timestamp = at };

    [Theory, Providers]
    public async Task Segment_active_users_are_distinct_over_every_request_of_the_day(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);

        // Day 1: u-1, u-2 in one request; u-2 again and u-3 in the next; u-1 once more alone: 3 distinct users, 5 events.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", new { batch = new[] { Track("u-1", "A-1", "2026-03-01T09:00:00Z"), Track("u-2", "A-1", "2026-03-01T09:05:00Z") } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", new { batch = new[] { Track("u-2", "A-1", "2026-03-01T13:00:00Z"), Track("u-3", "A-1", "2026-03-01T14:00:00Z") } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", Track("u-1", "A-1", "2026-03-01T17:00:00Z"))).StatusCode);
        // Day 2: one user; then a reported count of 40 for it, which is more people than were tracked, stands.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", Track("u-9", "A-1", "2026-03-02T08:00:00Z"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", new { events = new[] { new { account_external_id = "A-1", date = "2026-03-02", active_users = 40, events = 2 } } })).StatusCode);
        // Day 3: a reported count of 1, then two tracked users: the distinct users are more and win.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", new { events = new[] { new { account_external_id = "A-1", date = "2026-03-03", active_users = 1, events = 0 } } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", Track("u-1", "A-1", "2026-03-03T08:00:00Z"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/usage", Track("u-2", "A-1", "2026-03-03T09:00:00Z"))).StatusCode);

        Assert.Equal([(3, 5L), (40, 3L), (2, 2L)], await DaysAsync(server, a1));
        await using var db = server.Database.Open();
        Assert.Equal(3, await db.UsageDayUsers.CountAsync(u => u.AccountId == a1 && u.Date == Day));
    }

    [Theory, Providers]
    public async Task Segment_requests_for_the_same_day_at_once_count_every_distinct_user(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);

        // Eight requests at once, each with 25 users of which 5 are shared by all: 8 × 20 + 5 = 165 distinct users, 200 events.
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(r => Task.Run(() => client.PostAsJsonAsync("/api/usage", new
        {
            batch = Enumerable.Range(0, 25).Select(i => Track(i < 5 ? $"shared-{i}" : $"r{r}-u{i}", "A-1", "2026-03-01T10:00:00Z")).ToArray(),
        }))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal([(165, 200L)], await DaysAsync(server, a1));
    }

    [Theory, Providers]
    public async Task A_batch_with_bad_events_lists_every_bad_field_and_stores_nothing(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider);
        var (_, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.UsageWrite);

        var response = await client.PostAsJsonAsync("/api/usage", new
        {
            events = new object[]
            {
                new { account_external_id = "A-1", date = "2026-03-01", events = 5 },
                new { date = "01/03/2026", events = -1 },
                new { account_external_id = "A-1", timestamp = "yesterday", active_users = 3 },
                new { account_external_id = "A-1" },
            },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["events[1].account_external_id", "events[1].date", "events[1].events", "events[2].timestamp", "events[3].date", "events[3].events"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("yyyy-MM-dd", errors.GetProperty("events[1].date")[0].GetString());

        var unknown = await client.PostAsJsonAsync("/api/usage", new { events = new[] { new { account_external_id = "A-1", date = "2026-03-01", events = 5 }, new { account_external_id = "Z-9", date = "2026-03-01", events = 5 } } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Z-9", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("events[1].account_external_id")[0].GetString());

        var notJson = await client.PostAsync("/api/usage", new StringContent("{\"events\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        var segment = await client.PostAsJsonAsync("/api/usage", new { batch = new object[] { new { type = "track", @event = "x" }, new { type = "purchase" } } });
        var segmentErrors = (await segment.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["batch[0].context.groupId", "batch[0].userId", "batch[1].type"], segmentErrors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        Assert.Empty(await DaysAsync(server, a1));
    }

    [Fact]
    public void Aggregation_adds_events_takes_the_highest_reported_count_and_counts_distinct_tracked_users()
    {
        var totals = UsageIngest.Aggregate(
        [
            new UsageSample("A", Day, 10, 4, null),
            new UsageSample("A", Day, 3, 2, null),
            new UsageSample("A", Day.AddDays(1), 0, 1, "u1"),
            new UsageSample("A", Day.AddDays(1), 0, 1, "u1"),
            new UsageSample("A", Day.AddDays(1), 0, 1, "u2"),
            new UsageSample("B", Day, 0, 1, "u1"),
        ]);

        Assert.Equal([new UsageTotal("A", Day, 10, 6), new UsageTotal("A", Day.AddDays(1), 2, 3), new UsageTotal("B", Day, 1, 1)], totals);
    }
}
