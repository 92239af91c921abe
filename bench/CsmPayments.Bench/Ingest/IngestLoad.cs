using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace CsmPayments.Bench.Ingest;

/// <summary>
/// Load generator for a running <c>csm-payments serve</c> on loopback (driven by bench/ingest.sh). Each phase is bounded
/// by a count and by <c>--max-seconds</c>, and prints one markdown row: what was sent, how fast it was accepted.
/// </summary>
public static class IngestLoad
{
    private sealed record Options(Uri Url, string Key, string Secret, int Accounts, long Events, int Batch, int Concurrency, int MaxSeconds, string Phase,
        int Days);

    public static async Task<int> RunAsync(string[] args)
    {
        var o = Parse(args);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Concurrency }) { BaseAddress = o.Url, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o.Key);
        switch (o.Phase)
        {
            case "setup":
                await SetupAsync(http, o);
                return 0;
            case "usage":
            case "segment":
                await UsageAsync(http, o);
                return 0;
            case "webhooks":
                await WebhooksAsync(http, o);
                return 0;
            default:
                await Console.Error.WriteLineAsync($"unknown phase {o.Phase}: setup, usage, segment or webhooks");
                return 2;
        }
    }

    private static string AccountId(int i) => $"ACC-{i:D6}";

    private static async Task SetupAsync(HttpClient http, Options o)
    {
        await PostAsync(http, "/api/users", """{"email":"bench-csm@example.com","name":"Bench CSM","role":"csm"}""");
        for (var start = 0; start < o.Accounts; start += 500)
        {
            var records = Enumerable.Range(start, Math.Min(500, o.Accounts - start)).Select(i =>
                $$"""{"external_id":"{{AccountId(i)}}","name":"Account {{i}}","industry":"Software","employees":{{10 + i % 500}},"country":"US","plan":"Growth","csm_email":"bench-csm@example.com","currency":"USD"}""");
            await PostAsync(http, "/api/accounts", "[" + string.Join(",", records) + "]");
        }
        Console.WriteLine($"<!-- setup: 1 user and {o.Accounts:N0} accounts -->");
    }

    private static async Task PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A few distinct bodies, sent in turn: building JSON is not what is measured.</summary>
    private static byte[][] UsageBodies(Options o)
    {
        var random = new Random(7);
        var today = new DateOnly(2026, 3, 1);
        var bodies = new byte[8][];
        for (var b = 0; b < bodies.Length; b++)
        {
            var json = new StringBuilder(o.Batch * 120);
            json.Append(o.Phase == "segment" ? "{\"batch\":[" : "{\"events\":[");
            for (var i = 0; i < o.Batch; i++)
            {
                if (i > 0) json.Append(',');
                var account = AccountId(random.Next(o.Accounts));
                var day = today.AddDays(-random.Next(o.Days)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (o.Phase == "segment")
                    json.Append(CultureInfo.InvariantCulture, $$"""{"type":"track","event":"Report Viewed","userId":"u-{{random.Next(200)}}","context":{"groupId":"{{account}}"},"timestamp":"{{day}}T{{random.Next(24):D2}}:15:00Z"}""");
                else
                    json.Append(CultureInfo.InvariantCulture, $$"""{"account_external_id":"{{account}}","date":"{{day}}","active_users":{{1 + random.Next(50)}},"events":{{1 + random.Next(20)}}}""");
            }
            json.Append("]}");
            bodies[b] = Encoding.UTF8.GetBytes(json.ToString());
        }
        return bodies;
    }

    private static async Task UsageAsync(HttpClient http, Options o)
    {
        var bodies = UsageBodies(o);
        var requests = (int)Math.Ceiling(o.Events / (double)o.Batch);
        var (sent, seconds, latencies) = await LoadAsync(o, requests, async i =>
        {
            using var content = new ByteArrayContent(bodies[i % bodies.Length]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("/api/usage", content);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"/api/usage: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        });
        var events = (long)sent * o.Batch;
        Report(o.Phase == "segment" ? "usage, Segment batch (track)" : "usage, own batch", events, sent, seconds, latencies, o);
    }

    private static async Task WebhooksAsync(HttpClient http, Options o)
    {
        // Every account gets its Stripe customer first; then invoices are finalized, one event each.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Body(int i)
        {
            if (i < o.Accounts)
                return Event($"evt_cus_{i}", "customer.created", now,
                    $$$"""{"id":"cus_{{{i}}}","object":"customer","created":{{{now}}},"metadata":{"account_external_id":"{{{AccountId(i)}}}"}}""");
            var n = i - o.Accounts;
            var account = n % o.Accounts;
            return Event($"evt_inv_{n}", "invoice.finalized", now,
                $$$"""{"id":"in_{{{n}}}","object":"invoice","customer":"cus_{{{account}}}","number":"BENCH-{{{n:D7}}}","status":"open","currency":"usd","total":{{{1000 + n % 90000}}},"amount_due":{{{1000 + n % 90000}}},"created":{{{now}}},"due_date":{{{now + 30 * 86400}}},"status_transitions":{"finalized_at":{{{now}}}}}""");
        }
        using var plain = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Concurrency }) { BaseAddress = o.Url };
        async Task SendAsync(int i)
        {
            var payload = Body(i);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/integrations/stripe/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(payload, o.Secret));
            using var response = await plain.SendAsync(request);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"webhook: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        for (var i = 0; i < o.Accounts; i++) await SendAsync(i);
        var total = (int)Math.Min(o.Events, int.MaxValue);
        var (sent, seconds, latencies) = await LoadAsync(o, total, i => SendAsync(o.Accounts + i));
        Report("Stripe webhook, invoice.finalized", sent, sent, seconds, latencies, o);
    }

    private static string Event(string id, string type, long created, string dataObject) =>
        $$"""{"id":"{{id}}","object":"event","api_version":"2024-06-20","created":{{created}},"data":{"object":{{dataObject}}},"livemode":false,"pending_webhooks":1,"type":"{{type}}"}""";

    private static string Sign(string payload, string secret)
    {
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}")))}";
    }

    /// <summary>Runs up to <paramref name="count"/> requests on <c>--concurrency</c> workers, stopping early at <c>--max-seconds</c>.</summary>
    private static async Task<(int Sent, double Seconds, List<double> Latencies)> LoadAsync(Options o, int count, Func<int, Task> send)
    {
        var next = -1;
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(o.MaxSeconds);
        var workers = Enumerable.Range(0, o.Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && clock.Elapsed < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                await send(i);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies) latencies.Add(ms);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        return (latencies.Count, clock.Elapsed.TotalSeconds, latencies);
    }

    private static void Report(string what, long events, int requests, double seconds, List<double> latencies, Options o)
    {
        latencies.Sort();
        double At(double q) => latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {events:N0} | {requests:N0} × {o.Batch:N0} | {o.Concurrency} | {seconds:F1} s | **{events / seconds:N0}/s** | {At(0.5):F0} ms | {At(0.95):F0} ms |"));
    }

    private static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) values[args[i].TrimStart('-')] = args[i + 1];
        string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);
        return new Options(new Uri(Get("url", "http://127.0.0.1:5080")), Get("key", ""), Get("secret", ""),
            int.Parse(Get("accounts", "1000"), CultureInfo.InvariantCulture), long.Parse(Get("events", "1000000"), CultureInfo.InvariantCulture),
            int.Parse(Get("batch", "10000"), CultureInfo.InvariantCulture), int.Parse(Get("concurrency", "4"), CultureInfo.InvariantCulture),
            int.Parse(Get("max-seconds", "60"), CultureInfo.InvariantCulture), Get("phase", "usage"), int.Parse(Get("days", "30"), CultureInfo.InvariantCulture));
    }
}
