using CsmPayments.Collections;
using CsmPayments.Storage;

namespace CsmPayments.Cycle;

/// <summary>
/// The health stage's writing context on SQLite, whose transaction holds the database's only write lock from the stage's
/// start until it commits, shared with the collection stage beside it: the health stage's writes and each collection
/// range's take turns on it, one at a time, in the order they ask. Entities a write left tracked are let go after it.
/// </summary>
public sealed class HeldWriteLock(CsmDbContext writer) : IHeldWriteLock, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

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
