using CsmPayments.Collections;
using CsmPayments.Segments;

namespace CsmPayments.Cycle;

/// <summary>
/// The risk tiers the health stage has given so far, range by range in account order, for a collection stage that runs
/// beside it: a range of the collection stage waits until the health stage has evaluated every account up to the range's
/// last (its tiers given and its owed invoices noted), or has ended. Safe to read while the health stage adds to it.
/// </summary>
public sealed class EvaluatedTiers : IArrivingRiskTiers
{
    private readonly List<(long[] Ids, RiskTier[] Tiers)> _ranges = [];
    private readonly List<(long Through, TaskCompletionSource Ready)> _waiting = [];
    private long _through = long.MinValue;
    private bool _ended;
    private Exception? _failed;

    /// <summary>
    /// Gives the tiers of one evaluated range, whose accounts come after every range given before, and tells the ranges
    /// waiting that every account with an id up to <paramref name="through"/> is evaluated.
    /// </summary>
    public void Add(IReadOnlyList<AccountOutcome> outcomes, long through)
    {
        var ids = new long[outcomes.Count];
        var tiers = new RiskTier[outcomes.Count];
        for (var i = 0; i < ids.Length; i++) (ids[i], tiers[i]) = (outcomes[i].AccountId, outcomes[i].RiskTier);
        List<TaskCompletionSource> ready;
        lock (_ranges)
        {
            if (_ended) throw new InvalidOperationException("no tiers are added after the health stage ended");
            if (ids.Length > 0 && _ranges.Count > 0 && _ranges[^1].Ids[^1] >= ids[0])
                throw new InvalidOperationException("ranges of tiers are added in account order");
            if (ids.Length > 0) _ranges.Add((ids, tiers));
            _through = Math.Max(_through, through);
            ready = Release(w => w.Through <= _through);
        }
        foreach (var r in ready) r.TrySetResult();
    }

    /// <summary>The health stage has ended: every range still waiting goes on with the tiers given (or, failed, fails).</summary>
    public void End(Exception? failed = null)
    {
        List<TaskCompletionSource> ready;
        lock (_ranges)
        {
            _ended = true;
            _failed ??= failed;
            ready = Release(_ => true);
        }
        foreach (var r in ready)
            if (failed is null) r.TrySetResult();
            else r.TrySetException(new InvalidOperationException("the health stage failed, so its risk tiers are incomplete", failed));
    }

    public Task ReadyThroughAsync(long accountId, CancellationToken ct)
    {
        lock (_ranges)
        {
            if (_failed is not null) return Task.FromException(new InvalidOperationException("the health stage failed, so its risk tiers are incomplete", _failed));
            if (_ended || accountId <= _through) return Task.CompletedTask;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((accountId, ready));
            return ready.Task.WaitAsync(ct);
        }
    }

    public RiskTier? TierOf(long accountId)
    {
        (long[] Ids, RiskTier[] Tiers) range;
        lock (_ranges)
        {
            var low = 0;
            var high = _ranges.Count;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (_ranges[mid].Ids[^1] < accountId) low = mid + 1;
                else high = mid;
            }
            if (low == _ranges.Count) return null;
            range = _ranges[low];
        }
        var at = Array.BinarySearch(range.Ids, accountId);
        return at >= 0 ? range.Tiers[at] : null;
    }

    private List<TaskCompletionSource> Release(Func<(long Through, TaskCompletionSource Ready), bool> ready)
    {
        var released = _waiting.Where(ready).Select(w => w.Ready).ToList();
        _waiting.RemoveAll(w => ready(w));
        return released;
    }
}
