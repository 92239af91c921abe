using System.Globalization;
using System.Text.Json;
using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Organisation;
using CsmPayments.Segments;
using CsmPayments.Storage;

namespace CsmPayments.Bench.Generate;

/// <summary>
/// <c>cycle --appsettings PATH --as-of D [--dry-run]</c>: the daily cycle's own stages (<see cref="DailyCycle"/>) for the
/// database in <c>Database__Provider</c> / <c>ConnectionStrings__CsmPayments</c>, without a collection playbook or a
/// dispatcher — what the cycle does in a deployment that has not configured collections. The exchange rates come from the
/// application's appsettings.json; health and segment rules are the defaults, as there. Prints the cycle's summary counts
/// and where its time went, like <c>csm-payments cycle</c>.
/// </summary>
public static class StagesCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? appsettings = null;
        DateOnly? asOf = null;
        var dryRun = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--appsettings": appsettings = Next(); break;
                case "--as-of": asOf = DateOnly.ParseExact(Next(), "yyyy-MM-dd", CultureInfo.InvariantCulture); break;
                case "--dry-run": dryRun = true; break;
                default:
                    await Console.Error.WriteLineAsync($"cycle: unknown option {args[i]}");
                    return 2;
            }
        }
        if (appsettings is null || asOf is not { } day)
        {
            await Console.Error.WriteLineAsync("usage: cycle --appsettings PATH --as-of yyyy-MM-dd [--dry-run]");
            return 2;
        }

        var database = new Database(StorageOptions.From(Environment.GetEnvironmentVariable("Database__Provider"),
            Environment.GetEnvironmentVariable("ConnectionStrings__CsmPayments")));
        await database.MigrateAsync();
        var settings = await new EvaluationSettings(new HealthOptions(), new SegmentOptions(), Rates(appsettings))
            .WithCollectionsAsync(database, day, CancellationToken.None);
        var run = new CycleRun(database, day, settings, dryRun);
        var s = await DailyCycle.RunAsync(run, CancellationToken.None);

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"Cycle for {day:yyyy-MM-dd}: {s.AccountsEvaluated:N0} account(s) evaluated") + (dryRun ? " (dry run: nothing written)" : ""));
        Console.WriteLine(string.Create(c,
            $"  bands: {s.Bands.GetValueOrDefault(HealthBand.Green):N0} green, {s.Bands.GetValueOrDefault(HealthBand.Yellow):N0} yellow, {s.Bands.GetValueOrDefault(HealthBand.Red):N0} red; {s.BandChanges:N0} band change(s), {s.BandsDown:N0} down"));
        Console.WriteLine(string.Create(c, $"  snapshots written or changed: {s.SnapshotsWritten:N0}; segment changes: {s.SegmentChanges:N0}"));
        Console.WriteLine(string.Create(c, $"  alerts {(dryRun ? "that would open" : "opened")}: {s.AlertsOpened:N0}, {(dryRun ? "close" : "closed")}: {s.AlertsClosed:N0}"));
        Console.WriteLine("  time: " + string.Join(", ", s.Timings.Select(t => string.Create(c, $"{t.Step} {t.Time.TotalSeconds:0.0} s"))));
        return 0;
    }

    private static ExchangeRates Rates(string appsettings)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(appsettings));
        var organisation = doc.RootElement.GetProperty("Organisation");
        var rates = organisation.GetProperty("ExchangeRates").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDecimal(), StringComparer.OrdinalIgnoreCase);
        return new ExchangeRates(organisation.GetProperty("BaseCurrency").GetString()!, rates);
    }
}
