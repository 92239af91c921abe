using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CsmPayments.Accounts;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CsmPayments.Usage;

/// <summary>
/// The process-wide notice that an account's external id no longer leads where it did: the account was renamed or
/// deleted. Every context reports it through <see cref="AccountKeyWatch"/> once the change is committed; a write path
/// that changes accounts around the change tracker (raw SQL) calls <see cref="Changed"/> itself. Creations need no
/// notice: a cache never remembers that an external id is unknown.
/// </summary>
public static class AccountKeyChanges
{
    private static readonly ConcurrentDictionary<AccountIdCache, byte> Caches = new();

    internal static void Subscribe(AccountIdCache cache) => Caches[cache] = 0;

    internal static void Unsubscribe(AccountIdCache cache) => Caches.TryRemove(cache, out _);

    /// <summary>Forgets <paramref name="externalIds"/> in every cache of this process.</summary>
    public static void Changed(IEnumerable<string> externalIds)
    {
        var ids = externalIds as IReadOnlyCollection<string> ?? [.. externalIds];
        if (ids.Count == 0) return;
        foreach (var cache in Caches.Keys) cache.Forget(ids);
    }
}

/// <summary>
/// Watches saved <see cref="Account"/> changes: an external id changed (its old value) or an account deleted is
/// reported to <see cref="AccountKeyChanges"/> after the save, and again when the surrounding transaction commits, so a
/// cache cannot be refilled from the state before the commit.
/// </summary>
public sealed class AccountKeyWatch : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public static readonly AccountKeyWatch Instance = new();

    private readonly ConditionalWeakTable<DbContext, List<string>> _saving = new();
    private readonly ConditionalWeakTable<DbContext, List<string>> _uncommitted = new();

    private AccountKeyWatch() { }

    private void Collect(DbContext? db)
    {
        if (db is null) return;
        List<string>? keys = null;
        // Interceptors run before saving detects changes: only the accounts are looked at here, each detected on its own,
        // so a context tracking many other rows does not pay for a second pass over all of them.
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in db.ChangeTracker.Entries<Account>())
            {
                if (detect) entry.DetectChanges();
                var property = entry.Property(a => a.ExternalId);
                var old = property.OriginalValue;
                if (entry.State == EntityState.Deleted || entry.State == EntityState.Modified && property.IsModified && old != property.CurrentValue)
                    (keys ??= []).Add(old);
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
        if (keys is not null) _saving.AddOrUpdate(db, keys);
    }

    private void Saved(DbContext? db)
    {
        if (db is null || !_saving.TryGetValue(db, out var keys)) return;
        _saving.Remove(db);
        AccountKeyChanges.Changed(keys);
        if (db.Database.CurrentTransaction is not null)
            _uncommitted.GetOrCreateValue(db).AddRange(keys);
    }

    private void Committed(DbContext? db)
    {
        if (db is null || !_uncommitted.TryGetValue(db, out var keys)) return;
        _uncommitted.Remove(db);
        AccountKeyChanges.Changed(keys);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => _saving.Remove(eventData.Context!);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        _saving.Remove(eventData.Context!);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Account ids by external id for the usage path, so a usage batch does not look its accounts up each time. Filled on a
/// miss from the database (a miss is never remembered, so an account created anywhere is found at once); an entry is
/// forgotten when this process renames or deletes its account (<see cref="AccountKeyChanges"/>), and every entry
/// expires after <see cref="Lifetime"/>, which bounds how long a rename made by another process can go unseen.
/// </summary>
public sealed class AccountIdCache : IDisposable
{
    /// <summary>How long an entry is trusted without asking the database again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private const int MaxEntries = 1_000_000;

    private readonly ConcurrentDictionary<string, (long Id, long Expires)> _ids = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private long _generation;

    public AccountIdCache(TimeProvider clock)
    {
        _clock = clock;
        AccountKeyChanges.Subscribe(this);
    }

    internal void Forget(IReadOnlyCollection<string> externalIds)
    {
        Interlocked.Increment(ref _generation);
        foreach (var id in externalIds) _ids.TryRemove(id, out _);
    }

    /// <summary>
    /// The ids of those of <paramref name="externalIds"/> that exist; those not remembered (or expired) are read from
    /// <paramref name="db"/>, and remembered unless a rename or delete was reported while they were read.
    /// </summary>
    public async Task<Dictionary<string, long>> IdsAsync(CsmDbContext db, IEnumerable<string> externalIds, CancellationToken ct)
    {
        var now = _clock.GetUtcNow().UtcTicks;
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        HashSet<string>? missing = null;
        foreach (var externalId in externalIds)
        {
            if (found.ContainsKey(externalId)) continue;
            if (_ids.TryGetValue(externalId, out var entry) && entry.Expires > now) found[externalId] = entry.Id;
            else (missing ??= new HashSet<string>(StringComparer.Ordinal)).Add(externalId);
        }
        if (missing is null) return found;
        var generation = Interlocked.Read(ref _generation);
        var read = await UsageIngest.AccountIdsAsync(db, missing, ct);
        if (_ids.Count + read.Count > MaxEntries) _ids.Clear();
        var remember = Interlocked.Read(ref _generation) == generation;
        var expires = now + Lifetime.Ticks;
        foreach (var (externalId, id) in read)
        {
            found[externalId] = id;
            if (remember) _ids[externalId] = (id, expires);
        }
        return found;
    }

    public void Dispose() => AccountKeyChanges.Unsubscribe(this);
}
