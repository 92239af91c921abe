using CsmPayments.Health;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cycle;

public sealed record BacktestBand(HealthBand Band, int Observations, int Churned)
{
    public decimal? ChurnRate => Observations == 0 ? null : (decimal)Churned / Observations;
}

/// <summary>
/// How well the health score of each day in [From, To] predicted churn within the next <see cref="HorizonDays"/> days.
/// An observation is one account on one day while it had MRR; it churned when its MRR was zero the horizon later.
/// </summary>
public sealed record BacktestResult(
    DateOnly From, DateOnly To, DateOnly AsOf, int HorizonDays, int Accounts, int Observations, int Churned,
    int FromSnapshots, int Replayed, double? Auc, IReadOnlyList<BacktestBand> Bands);

/// <summary>
/// Scores past days from the stored snapshots, replaying a day with the current rules where its snapshot is missing,
/// and compares them with what happened next. Accounts are read range by range.
/// </summary>
public static class HealthBacktest
{
    public const int HorizonDays = 90;

    public static async Task<BacktestResult> RunAsync(Database database, DateOnly from, DateOnly asOf, EvaluationSettings settings, CancellationToken ct)
    {
        var to = asOf.AddDays(-HorizonDays);
        if (from > to)
            throw new ArgumentException($"the backtest needs days at least {HorizonDays} days before {asOf:yyyy-MM-dd} to see what happened next: start on or before {to:yyyy-MM-dd}, not {from:yyyy-MM-dd}");

        await using var db = database.Open();
        var ids = await db.Accounts.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct);
        var tally = new Tally(from, to, settings);
        // Snapshots are keyed by the day first: a range of accounts is read day by day, one short scan per day, rather
        // than through every account's entries between the two days.
        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        foreach (var chunk in ids.Chunk(HealthStage.ChunkSize))
        {
            var selection = AccountSelection.Range(chunk[0], chunk[^1]);
            var histories = await AccountHistoryLoader.LoadHistoryAsync(db, selection, asOf, settings, ct);
            var stored = new Dictionary<(long, DateOnly), (int Score, HealthBand Band)>();
            var rows = selection.Apply(db.HealthSnapshots.AsNoTracking(), s => s.AccountId)
                .Where(s => days.Contains(s.AsOf))
                .Select(s => new { s.AccountId, s.AsOf, s.Score, s.Band });
            await foreach (var s in rows.AsAsyncEnumerable().WithCancellation(ct)) stored[(s.AccountId, s.AsOf)] = (s.Score, s.Band);
            foreach (var history in histories) tally.Add(history, stored);
        }
        return tally.Result(asOf);
    }

    /// <summary>Scores each account's days and counts the outcomes; pure, so a test can feed it histories built in memory.</summary>
    public sealed class Tally(DateOnly from, DateOnly to, EvaluationSettings settings)
    {
        private readonly List<(int Score, bool Churned)> _observations = [];
        private readonly Dictionary<HealthBand, (int Observations, int Churned)> _bands = [];
        private int _accounts, _fromSnapshots, _replayed;

        public void Add(AccountHistory history, IReadOnlyDictionary<(long, DateOnly), (int Score, HealthBand Band)> stored)
        {
            var counted = false;
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                if (!HasMrr(history, day)) continue;
                var churned = !HasMrr(history, day.AddDays(HorizonDays));
                int score;
                HealthBand band;
                if (stored.TryGetValue((history.Account.Id, day), out var snapshot))
                {
                    (score, band) = snapshot;
                    _fromSnapshots++;
                }
                else
                {
                    var health = AccountEvaluator.Evaluate(history, day, settings).Health;
                    (score, band) = (health.Score, health.Band);
                    _replayed++;
                }
                _observations.Add((score, churned));
                var b = _bands.GetValueOrDefault(band);
                _bands[band] = (b.Observations + 1, b.Churned + (churned ? 1 : 0));
                counted = true;
            }
            if (counted) _accounts++;
        }

        public BacktestResult Result(DateOnly asOf) => new(from, to, asOf, HorizonDays, _accounts, _observations.Count, _observations.Count(o => o.Churned),
            _fromSnapshots, _replayed, ChurnPrediction.Auc(_observations),
            Enum.GetValues<HealthBand>().Select(b => new BacktestBand(b, _bands.GetValueOrDefault(b).Observations, _bands.GetValueOrDefault(b).Churned)).ToList());
    }

    private static bool HasMrr(AccountHistory history, DateOnly day)
    {
        foreach (var s in history.Subscriptions)
            if (s.Mrr > 0m && s.IsActiveOn(day)) return true;
        return false;
    }
}
