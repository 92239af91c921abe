using CsmPayments.Audit;
using CsmPayments.Storage;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace CsmPayments.Messaging;

/// <summary>What one dispatch run did.</summary>
public sealed record DispatchResult(int Sent, int Retrying, int Failed, string? LastError);

/// <summary>
/// Delivers pending outbox messages over SMTP. Each message is claimed with one conditional UPDATE (status pending and
/// due, or a sending lease that ran out), so two dispatchers — in one process or on two machines sharing the database —
/// never both hold it; on PostgreSQL the UPDATE re-checks its condition after waiting for a competing row lock, on
/// SQLite writers are serialised. Delivery is recorded under the same claim token. A failing server puts the message
/// back with an exponential back-off (1, 2, 4 … minutes, at most an hour) until <see cref="MaxAttempts"/>.
/// </summary>
public sealed class OutboxDispatcher(Database database, SmtpOptions smtp, TimeProvider clock)
{
    public const int MaxAttempts = 12;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>How many messages one run claims at a time.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>
    /// Called at each stage of a delivery — <c>claimed</c> (before sending), <c>accepted</c> (the server took it, not yet
    /// recorded) — so crash tests can stop the process exactly there.
    /// </summary>
    internal Func<string, OutboxMessage, Task>? Stage { get; init; }

    public static TimeSpan BackOff(int attempts) => TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>Delivers every message due now, batch after batch, until none is left or the server fails.</summary>
    public async Task<DispatchResult> DeliverDueAsync(CancellationToken ct = default)
    {
        smtp.Validate();
        int sent = 0, retrying = 0, failed = 0;
        string? lastError = null;
        while (true)
        {
            var claimed = await ClaimBatchAsync(ct);
            if (claimed.Count == 0) break;
            var (s, r, f, error) = await DeliverAsync(claimed, ct);
            sent += s;
            retrying += r;
            failed += f;
            lastError = error ?? lastError;
            if (s == 0) break; // the server is failing: the rest waits for its back-off
        }
        return new DispatchResult(sent, retrying, failed, lastError);
    }

    private async Task<List<(OutboxMessage Message, Guid Token)>> ClaimBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = database.Open();
        var candidates = (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Sending)
                .Select(m => new { m.Id, m.Status, m.NextAttemptAt, m.LeaseUntil })
                .ToListAsync(ct))
            .Where(m => m.Status == OutboxStatus.Pending ? m.NextAttemptAt <= now : m.LeaseUntil < now)
            .OrderBy(m => m.Id)
            .Take(BatchSize)
            .ToList();

        var claimed = new List<(OutboxMessage, Guid)>();
        foreach (var candidate in candidates)
        {
            var token = Guid.NewGuid();
            var rows = await Claim(db, candidate.Id, candidate.Status, candidate.NextAttemptAt, candidate.LeaseUntil)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Sending)
                    .SetProperty(m => m.ClaimToken, token)
                    .SetProperty(m => m.LeaseUntil, now + Lease)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
            if (rows == 1)
                claimed.Add((await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == candidate.Id, ct), token));
        }
        return claimed;
    }

    /// <summary>The claim condition: the row is still exactly as it was read, so only one claimer can match it.</summary>
    private static IQueryable<OutboxMessage> Claim(CsmDbContext db, long id, OutboxStatus status, DateTimeOffset nextAttemptAt, DateTimeOffset? leaseUntil) =>
        status == OutboxStatus.Pending
            ? db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxStatus.Pending && m.NextAttemptAt == nextAttemptAt)
            : db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxStatus.Sending && m.LeaseUntil == leaseUntil);

    private async Task<(int Sent, int Retrying, int Failed, string? Error)> DeliverAsync(List<(OutboxMessage Message, Guid Token)> claimed, CancellationToken ct)
    {
        int sent = 0, retrying = 0, failed = 0;
        string? error = null;
        using var client = new SmtpClient();
        try
        {
            var secure = !smtp.UseTls ? SecureSocketOptions.None : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
            await client.ConnectAsync(smtp.Host, smtp.Port, secure, ct);
            if (!string.IsNullOrEmpty(smtp.UserName)) await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or SmtpCommandException or SmtpProtocolException
                                      or AuthenticationException or SslHandshakeException or TimeoutException)
        {
            error = $"cannot reach the SMTP server {smtp.Host}:{smtp.Port}: {e.Message}";
            foreach (var (message, token) in claimed)
                if (await ReleaseAsync(message, token, error, ct)) retrying++;
                else failed++;
            return (0, retrying, failed, error);
        }

        foreach (var (message, token) in claimed)
        {
            if (Stage is { } claimedHook) await claimedHook("claimed", message);
            try
            {
                await client.SendAsync(ToMime(message), ct);
            }
            catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException)
            {
                error = $"the SMTP server refused message {message.Id}: {e.Message}";
                if (await ReleaseAsync(message, token, error, ct)) retrying++;
                else failed++;
                if (!client.IsConnected) break;
                continue;
            }
            if (Stage is { } acceptedHook) await acceptedHook("accepted", message);
            await RecordSentAsync(message, token, ct);
            sent++;
        }
        if (client.IsConnected) await client.DisconnectAsync(quit: true, ct);
        return (sent, retrying, failed, error);
    }

    private MimeMessage ToMime(OutboxMessage m)
    {
        var mime = new MimeMessage { Subject = m.Subject, MessageId = m.MessageId, Date = m.CreatedAt };
        mime.From.Add(new MailboxAddress(m.FromName, smtp.From));
        if (m.ReplyTo is not null) mime.ReplyTo.Add(new MailboxAddress(m.FromName, m.ReplyTo));
        mime.To.Add(new MailboxAddress(m.ToName, m.ToAddress));
        // Plain text first, HTML last: mail readers show the last part of a multipart/alternative they can display.
        mime.Body = m.HtmlBody is null ? new TextPart("plain") { Text = m.Body } : new BodyBuilder { TextBody = m.Body, HtmlBody = m.HtmlBody }.ToMessageBody();
        return mime;
    }

    private async Task RecordSentAsync(OutboxMessage message, Guid token, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.OutboxMessages.Where(m => m.Id == message.Id && m.ClaimToken == token && m.Status == OutboxStatus.Sending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, OutboxStatus.Sent)
                .SetProperty(m => m.SentAt, now)
                .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.LastError, (string?)null), ct);
        if (rows == 1)
        {
            db.AuditEntries.Add(new AuditEntry(message.AccountId, now, "system", AuditActions.ReminderSent,
                $"'{message.Subject}' to {message.ToAddress} in the name of {message.FromName}"));
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Puts a claimed message back for a later attempt, or gives up on it; true while it will be retried.</summary>
    private async Task<bool> ReleaseAsync(OutboxMessage message, Guid token, string error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var attempts = message.Attempts; // read after the claim, which counted this attempt
        var giveUp = attempts >= MaxAttempts;
        await using var db = database.Open();
        await db.OutboxMessages.Where(m => m.Id == message.Id && m.ClaimToken == token && m.Status == OutboxStatus.Sending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, giveUp ? OutboxStatus.Failed : OutboxStatus.Pending)
                .SetProperty(m => m.NextAttemptAt, now + BackOff(attempts))
                .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.LastError, error.Length > 300 ? error[..300] : error), ct);
        return !giveUp;
    }
}
