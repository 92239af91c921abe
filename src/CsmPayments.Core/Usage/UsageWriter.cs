using System.Threading.Channels;
using CsmPayments.Storage;

namespace CsmPayments.Usage;

/// <summary>
/// Writes the usage of concurrent requests together: each request hands over its rows and awaits their flush; one
/// writer merges whatever is waiting (<see cref="UsageRows.Merge"/>) and writes it with
/// <see cref="UsageIngest.WriteAsync(CsmDbContext, UsageRows, CancellationToken)"/>, one statement per table, while the
/// next requests queue up behind it. A failed flush fails every request in it, and its transaction stores nothing of
/// theirs. There is no timer: a request that arrives while the writer is idle is written at once.
/// </summary>
public sealed class UsageWriter : IAsyncDisposable
{
    /// <summary>Rows merged into one flush at most; more waits for the next.</summary>
    public const int MaxFlushRows = 200_000;

    private sealed record Pending(UsageRows Rows, TaskCompletionSource Done);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Database _database;
    private readonly Task _writer;

    public UsageWriter(Database database)
    {
        _database = database;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Completes once <paramref name="rows"/> are stored; throws what failed the flush they were part of.</summary>
    public Task WriteAsync(UsageRows rows)
    {
        if (rows.Days.Count == 0 && rows.Users.Count == 0) return Task.CompletedTask;
        var pending = new Pending(rows, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(UsageWriter), "the usage writer has stopped");
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var flush = new List<Pending>();
        Pending? carried = null;
        while (carried is not null || await _queue.Reader.WaitToReadAsync())
        {
            flush.Clear();
            var rows = 0;
            if (carried is not null)
            {
                flush.Add(carried);
                rows = Size(carried);
                carried = null;
            }
            while (_queue.Reader.TryRead(out var next))
            {
                if (flush.Count > 0 && rows + Size(next) > MaxFlushRows)
                {
                    carried = next;
                    break;
                }
                flush.Add(next);
                rows += Size(next);
            }
            if (flush.Count == 0) continue;
            try
            {
                await using var db = _database.Open();
                await UsageIngest.WriteAsync(db, UsageRows.Merge([.. flush.Select(p => p.Rows)]), CancellationToken.None);
                foreach (var p in flush) p.Done.SetResult();
            }
            catch (Exception e)
            {
                foreach (var p in flush) p.Done.SetException(e);
            }
        }
    }

    private static int Size(Pending p) => p.Rows.Days.Count + p.Rows.Users.Count;

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}
