namespace CsmPayments.Storage;

/// <summary>
/// A writing context whose transaction already holds the database's only write lock (SQLite) and keeps it until its
/// owner commits, shared by the writers that work under that lock: they take turns on it, one at a time, in the order
/// they ask. The daily cycle's health stage holds one from its start; the collection stage beside it reads each range on
/// its own connection and writes it here, so nothing another process writes can come between a range's reads and its
/// writes, and what the range wrote commits with everything else the day wrote. Entities a write left tracked are let go
/// after it.
/// </summary>
public sealed class HeldWriteLock(CsmDbContext writer) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Runs <paramref name="write"/> on the holding context, in its transaction, when no other write is using it.</summary>
    public async Task WriteAsync(Func<CsmDbContext, CancellationToken, Task> write, CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            await write(writer, ct);
        }
        finally
        {
            writer.ChangeTracker.Clear();
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
