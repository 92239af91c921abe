using System.Globalization;
using CsmPayments.Cycle;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;

namespace CsmPayments.Tests.Cycle;

public sealed class CycleProgressTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-30T15:00:00Z", CultureInfo.InvariantCulture);

    /// <summary>Records every report on the reporting thread, in order (unlike <see cref="Progress{T}"/>, which posts them).</summary>
    private sealed class Recorder : IProgress<CycleProgress>
    {
        public List<CycleProgress> Reports { get; } = [];

        public void Report(CycleProgress value)
        {
            lock (Reports) Reports.Add(value);
        }
    }

    [Theory, Providers]
    public async Task The_health_stage_reports_progress_after_each_range_it_writes(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.SeedAsync(test);
        var recorder = new Recorder();

        var summary = await DailyCycle.RunAsync(new CycleRun(test.Database, CycleBook.AsOf, CycleBook.Settings, false, recorder) { RangeSize = 2 },
            CancellationToken.None);

        Assert.Equal(3, summary.AccountsEvaluated);
        Assert.Equal(3, summary.SnapshotsWritten);
        Assert.Equal([new("segments and health", 2, 3), new("segments and health", 3, 3)], recorder.Reports);
    }

    [Fact]
    public void A_range_holds_at_least_one_account() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CycleRun(null!, CycleBook.AsOf, CycleBook.Settings, false) { RangeSize = 0 });

    [Theory, Providers]
    public async Task Redirected_output_is_the_plain_summary_without_a_progress_display(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.SeedAsync(test);

        var result = await CliRun.RunAsync(CliRun.Settings(test), Now, "cycle", "--as-of", "2026-06-30");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        // No escape sequences, no bars or percentages: only the summary lines a script or a log can read.
        Assert.DoesNotContain('\u001b', result.Output);
        Assert.DoesNotContain('━', result.Output);
        Assert.DoesNotContain("%", result.Output);
        var lines = result.Output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("Cycle for 2026-06-30: 3 account(s) evaluated", lines[0]);
        Assert.Equal("  bands: 2 green, 0 yellow, 1 red; 0 band change(s), 0 down", lines[1]);
        var time = Assert.Single(lines, l => l.StartsWith("  time: ", StringComparison.Ordinal));
        Assert.Contains(", segments and health ", time);
    }
}
