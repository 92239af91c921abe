using System.Threading.Channels;

namespace CsmPayments.Hosting;

/// <summary>
/// The one place every write path reports the accounts an accepted request changed, so their health can be brought
/// up to date at once instead of waiting for the daily cycle. Reporting never blocks a request.
/// </summary>
public sealed class AccountChanges
{
    private readonly Channel<IReadOnlyCollection<long>> _channel =
        Channel.CreateUnbounded<IReadOnlyCollection<long>>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<IReadOnlyCollection<long>> Reader => _channel.Reader;

    public void Report(IReadOnlyCollection<long> accountIds)
    {
        if (accountIds.Count > 0) _channel.Writer.TryWrite(accountIds);
    }
}

/// <summary>What is done with a batch of changed accounts.</summary>
public delegate Task AccountChangeHandler(IReadOnlyCollection<long> accountIds, CancellationToken ct);

/// <summary>
/// Drains <see cref="AccountChanges"/>, handing each batch of distinct account ids (those reported while the previous
/// batch was handled) to the registered <see cref="AccountChangeHandler"/>.
/// </summary>
public sealed class AccountChangesConsumer(AccountChanges changes, AccountChangeHandler handle, ILogger<AccountChangesConsumer> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await changes.Reader.WaitToReadAsync(stoppingToken))
        {
            var batch = new HashSet<long>();
            while (changes.Reader.TryRead(out var ids)) batch.UnionWith(ids);
            try
            {
                await handle(batch, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One failed refresh must not stop the ones after it; the daily cycle catches up on these accounts.
                log.LogError(e, "Handling changes of {Count} account(s) failed", batch.Count);
            }
        }
    }
}
