using System.Net.Http.Headers;
using System.Threading.Channels;
using CsmPayments.Access;
using CsmPayments.Accounts;
using CsmPayments.Cli;
using CsmPayments.Hosting;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CsmPayments.Tests.Api;

/// <summary>
/// The real application on Kestrel at 127.0.0.1 on a free port, over a fresh database of one provider, with a fake clock.
/// Changed accounts reported by write paths are collected in <see cref="Changed"/>.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    public const string WebhookSecret = "whsec_test_secret_0123456789";

    private readonly WebApplication _app;

    private ApiServer(WebApplication app, TestDatabase database, FakeTimeProvider clock, HttpClient client, Channel<IReadOnlyCollection<long>> changed)
    {
        _app = app;
        Database = database;
        Clock = clock;
        Client = client;
        Changed = changed;
    }

    public TestDatabase Database { get; }
    public FakeTimeProvider Clock { get; }

    /// <summary>A client without a key.</summary>
    public HttpClient Client { get; }

    public Channel<IReadOnlyCollection<long>> Changed { get; }

    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    /// <summary>
    /// Starts the application. Changed accounts are collected in <see cref="Changed"/> instead of refreshing health,
    /// unless <paramref name="refreshHealth"/> keeps the application's own handler.
    /// </summary>
    public static async Task<ApiServer> StartAsync(StorageProvider provider, IDictionary<string, string?>? settings = null, bool refreshHealth = false)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var all = CliRun.Settings(database);
        all["Stripe:WebhookSecret"] = WebhookSecret;
        all["Logging:LogLevel:Default"] = "Warning";
        all["Scheduling:Enabled"] = "false"; // the scheduler has tests of its own; these drive the API alone
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var clock = new FakeTimeProvider(Now);
        var changed = Channel.CreateUnbounded<IReadOnlyCollection<long>>();
        var app = CsmWebHost.Build(CliContext.BuildConfiguration(all), clock, ["http://127.0.0.1:0"], b =>
        {
            if (!refreshHealth) b.Services.AddSingleton<AccountChangeHandler>((ids, ct) => changed.Writer.WriteAsync(ids, ct).AsTask());
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiServer(app, database, clock, new HttpClient { BaseAddress = new Uri(address) }, changed);
    }

    /// <summary>A client presenting a new key with <paramref name="scopes"/>.</summary>
    public async Task<HttpClient> ClientWithAsync(params string[] scopes)
    {
        var (key, text) = ApiKey.Issue("key-" + Guid.NewGuid().ToString("N")[..8], scopes, Clock.GetUtcNow());
        await using (var db = Database.Open())
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        var client = new HttpClient { BaseAddress = Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", text);
        return client;
    }

    /// <summary>A CSM and accounts to attach data to: A-1 (USD) and B-2 (EUR), and the CSM's user id.</summary>
    public async Task<(long Csm, long A1, long B2)> SeedAccountsAsync()
    {
        await using var db = Database.Open();
        var csm = new User("csm@example.com", "Casey Morgan", UserRole.Csm, 50);
        db.Users.Add(csm);
        await db.SaveChangesAsync();
        var a = new Account("A-1", "Acme", "Retail", 40, "US", "Growth", csm.Id, "USD", null, ServiceTier.Medium);
        var b = new Account("B-2", "Beta GmbH", "Software", 12, "DE", "Starter", csm.Id, "EUR", "Europe/Berlin", null);
        db.Accounts.AddRange(a, b);
        await db.SaveChangesAsync();
        return (csm.Id, a.Id, b.Id);
    }

    /// <summary>The next batch of changed accounts reported by the write paths.</summary>
    public async Task<IReadOnlyCollection<long>> NextChangeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Changed.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Database.DisposeAsync();
    }
}
