using System.Globalization;
using System.Text.Json;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;

namespace CsmPayments.Tests.Cycle;

public sealed class CycleCommandTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-30T15:00:00Z", CultureInfo.InvariantCulture);

    [Theory, Providers]
    public async Task Cycle_then_report_health_gives_each_account_its_score_components_explanation_and_signals(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.SeedAsync(test);
        var settings = CliRun.Settings(test);

        var dry = await CliRun.RunAsync(settings, Now, "cycle", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Cycle for 2026-06-30: 3 account(s) evaluated (dry run: nothing written)", dry.Output);
        var none = await CliRun.RunAsync(settings, Now, "report", "health");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no health snapshots for 2026-06-30: run 'csm-payments cycle --as-of 2026-06-30' first", none.Error);

        var cycle = await CliRun.RunAsync(settings, Now, "cycle", "--as-of", "2026-06-30");
        Assert.Equal(0, cycle.ExitCode);
        Assert.Contains("3 account(s) evaluated", cycle.Output);
        Assert.Contains("bands: 2 green, 0 yellow, 1 red", cycle.Output);
        Assert.Contains("alerts opened: 4, closed: 0", cycle.Output);
        var again = await CliRun.RunAsync(settings, Now, "cycle", "--as-of", "2026-06-30");
        Assert.Contains("snapshots written or changed: 0; segment changes: 0", again.Output);
        Assert.Contains("alerts opened: 0, closed: 0", again.Output);

        var json = await CliRun.RunAsync(settings, Now, "report", "health", "--as-of", "2026-06-30", "--format", "json");
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Output);
        var b = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("account").GetString() == "ACC-B");
        Assert.Equal("red", b.GetProperty("band").GetString());
        Assert.Equal(100, b.GetProperty("paymentHealth").GetInt32());
        Assert.Equal(0, b.GetProperty("components").GetProperty("usage").GetInt32());
        Assert.Equal(["usage", "engagement", "support", "sentiment", "payment"], b.GetProperty("components").EnumerateObject().Select(p => p.Name));
        Assert.Contains("silent_churn", b.GetProperty("signals").EnumerateArray().Select(s => s.GetString()));
        Assert.StartsWith("no active users for 20 days", b.GetProperty("explanation").GetString());
        Assert.True(b.GetProperty("score").GetInt32() <= 30);

        var csv = await CliRun.RunAsync(settings, Now, "report", "health", "--format", "csv");
        var lines = csv.Output.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("as_of,account,name,csm,score,band,payment_health,usage,engagement,support,sentiment,payment,trend_7d", lines[0]);
        Assert.StartsWith("2026-06-30,ACC-B,", lines[1]);
    }

    [Theory, Providers]
    public async Task Report_segments_and_csms_read_the_cycles_results(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.SeedAsync(test);
        var settings = CliRun.Settings(test);
        await CliRun.RunAsync(settings, Now, "cycle");

        var segments = await CliRun.RunAsync(settings, Now, "report", "segments", "--format", "json");
        Assert.Equal(0, segments.ExitCode);
        using (var doc = JsonDocument.Parse(segments.Output))
        {
            Assert.Equal(3, doc.RootElement.GetProperty("serviceTiers").GetProperty("medium").GetInt32());
            var c = doc.RootElement.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("account").GetString() == "ACC-C");
            Assert.Equal(("medium", "medium", "on_time"), (c.GetProperty("riskTier").GetString(), c.GetProperty("creditRisk").GetString(), c.GetProperty("paymentBehaviour").GetString()));
        }

        var csms = await CliRun.RunAsync(settings, Now, "report", "csms", "--format", "json");
        Assert.Equal(0, csms.ExitCode);
        using (var doc = JsonDocument.Parse(csms.Output))
        {
            var casey = doc.RootElement.GetProperty("csms").EnumerateArray().Single();
            Assert.Equal("casey@example.com", casey.GetProperty("csm").GetString());
            Assert.Equal(3, casey.GetProperty("accounts").GetInt32());
            Assert.Equal(54_000m, casey.GetProperty("arr").GetDecimal());
            Assert.Equal(6, casey.GetProperty("weightedLoad").GetInt32());
            Assert.Equal(0.15m, casey.GetProperty("loadRatio").GetDecimal());
            Assert.Equal(4, casey.GetProperty("openAlerts").GetInt32());
            Assert.Equal(4, casey.GetProperty("alertsAwaitingTouchpoint").GetInt32());
            Assert.Equal(1, casey.GetProperty("overdueFollowUps").GetInt32());
            Assert.Equal(1m, casey.GetProperty("grr").GetDecimal());
        }
    }

    [Fact]
    public async Task Bad_settings_and_dates_are_one_line_each()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var settings = CliRun.Settings(test);
        var date = await CliRun.RunAsync(settings, Now, "cycle", "--as-of", "30/06/2026");
        Assert.Equal(2, date.ExitCode);
        Assert.Contains("--as-of '30/06/2026' is not a date", date.Error);
        settings["Health:Bands:RedBelow"] = "90";
        var bands = await CliRun.RunAsync(settings, Now, "cycle");
        Assert.Equal(2, bands.ExitCode);
        Assert.Contains("Health:Bands:RedBelow (90) must not be above Health:Bands:GreenFrom (75)", bands.Error);
    }
}
