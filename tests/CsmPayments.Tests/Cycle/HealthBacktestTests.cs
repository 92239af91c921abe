using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;

namespace CsmPayments.Tests.Cycle;

public sealed class HealthBacktestTests
{
    private static readonly DateOnly Day = new(2026, 3, 1);
    private static readonly DateOnly AsOf = Day.AddDays(HealthBacktest.HorizonDays);

    /// <summary>
    /// Four accounts scored 20, 40, 60 and 80 on <see cref="Day"/>; those scored 20 and 60 leave within 90 days. Of the four
    /// stayer–churner pairs, three rank the stayer higher (40 &gt; 20, 80 &gt; 20, 80 &gt; 60): the AUC is 0.75.
    /// </summary>
    private static async Task SeedAsync(TestDatabase test)
    {
        await using var db = test.Open();
        var csm = db.Users.Add(new User("csm@example.com", "A CSM", UserRole.Csm, null)).Entity;
        await db.SaveChangesAsync();
        foreach (var (score, churns, i) in new[] { (20, true, 1), (40, false, 2), (60, true, 3), (80, false, 4) })
        {
            var account = db.Accounts.Add(new Account($"ACC-{i}", $"Account {i}", "Software", 50, "US", "Growth", csm.Id, "USD", null, ServiceTier.Low)).Entity;
            await db.SaveChangesAsync();
            db.Subscriptions.Add(new Subscription($"SUB-{i}", account.Id, "Growth", new Money(500m, "USD"), new DateOnly(2025, 1, 1),
                churns ? Day.AddDays(30 * i / 2) : null, null, churns ? CancellationReason.Voluntary : null));
            var band = HealthScore.BandOf(score, new HealthBandOptions());
            var components = Enum.GetValues<HealthComponent>().ToDictionary(c => c, _ => (int?)score);
            db.HealthSnapshots.Add(new HealthSnapshot(account.Id, Day, ServiceTier.Low, new HealthResult(score, band, score, components, HealthSignals.None, "", false)));
        }
        await db.SaveChangesAsync();
    }

    [Theory, Providers]
    public async Task The_auc_and_churn_per_band_come_from_the_stored_snapshots(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        var result = await HealthBacktest.RunAsync(test.Database, Day, AsOf, CycleBook.Settings, CancellationToken.None);

        Assert.Equal(0.75, result.Auc);
        Assert.Equal((4, 4, 2, 4, 0), (result.Accounts, result.Observations, result.Churned, result.FromSnapshots, result.Replayed));
        Assert.Equal([(HealthBand.Red, 2, 1), (HealthBand.Yellow, 1, 1), (HealthBand.Green, 1, 0)],
            result.Bands.Select(b => (b.Band, b.Observations, b.Churned)).ToList());
        Assert.Equal(0.5m, result.Bands[0].ChurnRate);
    }

    [Theory, Providers]
    public async Task Days_without_snapshots_are_replayed_with_the_current_rules(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);

        var result = await HealthBacktest.RunAsync(test.Database, Day.AddDays(-2), AsOf, CycleBook.Settings, CancellationToken.None);

        Assert.Equal((12, 4, 8), (result.Observations, result.FromSnapshots, result.Replayed));
        Assert.Equal(6, result.Churned);
        Assert.NotNull(result.Auc);
    }

    [Fact]
    public async Task A_period_too_close_to_the_as_of_date_is_refused()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => HealthBacktest.RunAsync(test.Database, AsOf.AddDays(-89), AsOf, CycleBook.Settings, CancellationToken.None));
        Assert.Contains("start on or before 2026-03-01", e.Message);
    }

    [Theory, Providers]
    public async Task The_command_writes_the_auc_in_json(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await SeedAsync(test);
        var run = await CliRun.RunAsync(CliRun.Settings(test), DateTimeOffset.Parse("2026-05-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            "report", "health-backtest", "--from", "2026-03-01", "--as-of", "2026-05-30", "--format", "json");
        Assert.Equal(0, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.Equal(0.75m, json.RootElement.GetProperty("auc").GetDecimal());
        Assert.Equal(0.5m, json.RootElement.GetProperty("bands")[0].GetProperty("churnRate").GetDecimal());

        var tooLate = await CliRun.RunAsync(CliRun.Settings(test), DateTimeOffset.Parse("2026-05-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            "report", "health-backtest", "--from", "2026-04-01", "--as-of", "2026-05-30");
        Assert.Equal(2, tooLate.ExitCode);
        Assert.Contains("start on or before 2026-03-01", tooLate.Error);
    }
}
