using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Segments;

/// <summary>Reads the stored segment history: each account's segments as of a day.</summary>
public static class SegmentAssignments
{
    /// <summary>
    /// Every account's <see cref="RiskTier"/> on <paramref name="asOf"/>: that of its latest assignment on or before the day.
    /// Accounts the cycle has not yet segmented by then are absent. One streamed query.
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, RiskTier>> RiskTiersAsync(CsmDbContext db, DateOnly asOf, CancellationToken ct)
    {
        var tiers = new Dictionary<long, RiskTier>();
        await foreach (var (accountId, segments) in StreamAsync(db.SegmentAssignments.AsNoTracking(), asOf, ct))
            tiers[accountId] = segments.RiskTier;
        return tiers;
    }

    /// <summary>Every account's segments on <paramref name="asOf"/>, with the day they took effect.</summary>
    public static async Task<IReadOnlyDictionary<long, (SegmentResult Segments, DateOnly Since)>> AsOfAsync(CsmDbContext db, DateOnly asOf, CancellationToken ct)
    {
        var result = new Dictionary<long, (SegmentResult, DateOnly)>();
        await foreach (var (accountId, segments, since) in StreamWithDatesAsync(db.SegmentAssignments.AsNoTracking(), asOf, ct))
            result[accountId] = (segments, since);
        return result;
    }

    internal static async IAsyncEnumerable<(long AccountId, SegmentResult Segments)> StreamAsync(IQueryable<SegmentAssignment> rows, DateOnly asOf,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var (id, segments, _) in StreamWithDatesAsync(rows, asOf, ct)) yield return (id, segments);
    }

    /// <summary>The latest row on or before the day per account, read in account and date order so each account's last row wins.</summary>
    internal static async IAsyncEnumerable<(long AccountId, SegmentResult Segments, DateOnly Since)> StreamWithDatesAsync(IQueryable<SegmentAssignment> rows,
        DateOnly asOf, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var query = rows.Where(s => s.EffectiveOn <= asOf)
            .OrderBy(s => s.AccountId).ThenBy(s => s.EffectiveOn)
            .Select(s => new { s.AccountId, s.EffectiveOn, s.Cohort, s.ServiceTier, s.RiskTier, s.PaymentBehaviour, s.CreditRisk });
        long? current = null;
        (long, SegmentResult, DateOnly) last = default;
        await foreach (var s in query.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (current is { } c && c != s.AccountId) yield return last;
            current = s.AccountId;
            last = (s.AccountId, new SegmentResult(s.Cohort, s.ServiceTier, s.RiskTier, s.PaymentBehaviour, s.CreditRisk), s.EffectiveOn);
        }
        if (current is not null) yield return last;
    }
}
