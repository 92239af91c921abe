using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CsmPayments.Access;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Cli;

public sealed class ApiKeyCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory, Providers]
    public async Task A_key_is_shown_once_stored_hashed_listed_without_its_secret_and_revoked(StorageProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var settings = CliRun.Settings(database);

        var created = await CliRun.RunAsync(settings, Now, "apikey", "create", "--name", "billing-sync", "--scope", "ledger:read,ledger:write", "--scope", "usage:write");
        Assert.Equal(0, created.ExitCode);
        var text = created.Output.Trim();
        Assert.StartsWith("csm_", text);
        Assert.Contains("cannot be shown again", created.Error);

        await using (var db = database.Open())
        {
            var key = await db.ApiKeys.SingleAsync();
            Assert.True(key.Accepts(text));
            Assert.DoesNotContain(text, key.SecretHash);
            Assert.Equal([ApiScopes.LedgerRead, ApiScopes.LedgerWrite, ApiScopes.UsageWrite], key.ScopeList);
        }

        var list = await CliRun.RunAsync(settings, Now, "apikey", "list", "--format", "json");
        var listed = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single();
        Assert.Equal("billing-sync", listed.GetProperty("name").GetString());
        Assert.DoesNotContain(text[20..], list.Output);
        Assert.Contains("billing-sync", (await CliRun.RunAsync(settings, Now, "apikey", "list")).Output);

        Assert.Equal(0, (await CliRun.RunAsync(settings, Now, "apikey", "revoke", "billing-sync")).ExitCode);
        await using (var db = database.Open())
            Assert.False((await db.ApiKeys.SingleAsync()).Accepts(text));
        var again = await CliRun.RunAsync(settings, Now, "apikey", "revoke", "billing-sync");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already revoked", again.Error);
    }

    [Theory, Providers]
    public async Task Mistakes_are_one_line_each(StorageProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var settings = CliRun.Settings(database);
        await CliRun.RunAsync(settings, Now, "apikey", "create", "--name", "one", "--scope", "admin");

        var badScope = await CliRun.RunAsync(settings, Now, "apikey", "create", "--name", "two", "--scope", "ledger:delete");
        var taken = await CliRun.RunAsync(settings, Now, "apikey", "create", "--name", "one", "--scope", "admin");
        var unknown = await CliRun.RunAsync(settings, Now, "apikey", "revoke", "nobody");

        Assert.Equal((2, 2, 2), (badScope.ExitCode, taken.ExitCode, unknown.ExitCode));
        Assert.Contains("'ledger:delete' is not a scope; the scopes are ledger:read, ledger:write, usage:write, collections:read, collections:write, admin", badScope.Error);
        Assert.Contains("already exists", taken.Error);
        Assert.Contains("no key is named nobody", unknown.Error);
        await using var db = database.Open();
        Assert.Equal(1, await db.ApiKeys.CountAsync());
    }

    [Fact]
    public async Task Serve_answers_on_the_given_address_until_cancelled()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var settings = CliRun.Settings(database);
        var created = await CliRun.RunAsync(settings, Now, "apikey", "create", "--name", "reader", "--scope", "ledger:read");
        var output = new SignallingWriter("Serving");
        using var stop = new CancellationTokenSource();
        var context = new CsmPayments.Cli.CliContext(CsmPayments.Cli.CliContext.BuildConfiguration(settings),
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now), output, new StringWriter(), interactive: false);

        var serving = CsmPayments.Cli.CsmCli.RunAsync(["serve", "--urls", "http://127.0.0.1:0"], context, stop.Token);
        var line = await output.Seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var address = line.Split(' ').First(w => w.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)).TrimEnd(',');
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Output.Trim());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/accounts/NOPE")).StatusCode);
        stop.Cancel();

        Assert.Equal(0, await serving.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, (await CliRun.RunAsync(settings, Now, "serve", "--urls", "ftp://example.com")).ExitCode);
    }

    /// <summary>A writer that completes <see cref="Seen"/> with the first line containing a word.</summary>
    private sealed class SignallingWriter(string word) : StringWriter
    {
        public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            if (value?.Contains(word, StringComparison.Ordinal) == true) Seen.TrySetResult(value);
            return base.WriteLineAsync(value);
        }
    }
}
