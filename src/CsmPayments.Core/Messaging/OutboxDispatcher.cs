using CsmPayments.Audit;
using CsmPayments.Storage;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace CsmPayments.Messaging;

/// <summary>What one dispatch run did. <see cref="Uncertain"/> counts messages the server may have received and that wait for a person.</summary>
public sealed record DispatchResult(int Sent, int Retrying, int Failed, string? LastError, int Uncertain = 0);

/// <summary>
/// Delivers pending outbox messages over SMTP. Each message is claimed with one conditional UPDATE (status pending and
/// due, or a sending lease that ran out), so two dispatchers — in one process or on two machines sharing the database —
/// never both hold it; on PostgreSQL the UPDATE re-checks its condition after waiting for a competing row lock, on
/// SQLite writers are serialised. Delivery is recorded under the same claim token. A failing server puts the message
/// back with an exponential back-off (1, 2, 4 … minutes, at most an hour) until <see cref="MaxAttempts"/>.
/// <para>
/// The window between the server taking a mail and the database recording it cannot be closed, so it is made honest:
/// right before a message is handed to the server the claim commits <see cref="OutboxMessage.HandedOverAt"/>. A lease
/// that runs out before that is retried as usual (nothing reached the server); one that runs out after it, or a
/// connection that breaks once the server has accepted the recipient (the message data may have been taken), makes the
/// message <see cref="OutboxStatus.Uncertain"/>: never resent by itself, shown by <c>outbox list</c>, and resolved by a
/// person who resends it or marks it sent (<see cref="OutboxResolution"/>). A finance team would rather check one mail
/// than send a dunning letter twice.
/// </para>
/// </summary>
public sealed class OutboxDispatcher(Database database, SmtpOptions smtp, TimeProvider clock)
{
    public const int MaxAttempts = 12;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>How many messages one run claims at a time.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>
    /// Called at each stage of a delivery — <c>claimed</c> (before the hand-over is recorded), <c>handing-over</c> (the
    /// hand-over is committed, the mail not yet sent), <c>accepted</c> (the server took it, not yet recorded) — so crash
    /// tests can stop the process exactly there.
    /// </summary>
    internal Func<string, OutboxMessage, Task>? Stage { get; init; }

    public static TimeSpan BackOff(int attempts) => TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>Delivers every message due now, batch after batch, until none is left or the server fails.</summary>
    public async Task<DispatchResult> DeliverDueAsync(CancellationToken ct = default)
    {
        smtp.Validate();
        int sent = 0, retrying = 0, failed = 0, uncertain = 0;
        string? lastError = null;
        while (true)
        {
            var (claimed, abandoned) = await ClaimBatchAsync(ct);
            uncertain += abandoned;
            if (claimed.Count == 0) break;
            var (s, r, f, u, error) = await DeliverAsync(claimed, ct);
            sent += s;
            retrying += r;
            failed += f;
            uncertain += u;
            lastError = error ?? lastError;
            if (s == 0) break; // the server is failing: the rest waits for its back-off
        }
        return new DispatchResult(sent, retrying, failed, lastError, uncertain);
    }

    private async Task<(List<(OutboxMessage Message, Guid Token)> Claimed, int Uncertain)> ClaimBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = database.Open();
        var expired = (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Sending)
                .Select(m => new { m.Id, m.AccountId, m.Status, m.NextAttemptAt, m.LeaseUntil, m.HandedOverAt, m.Subject, m.ToAddress })
                .ToListAsync(ct))
            .Where(m => m.Status == OutboxStatus.Pending ? m.NextAttemptAt <= now : m.LeaseUntil < now)
            .OrderBy(m => m.Id)
            .ToList();

        // A lease that ran out after the hand-over was recorded: the server may have the mail. Not resent.
        var uncertain = 0;
        foreach (var lost in expired.Where(m => m.Status == OutboxStatus.Sending && m.HandedOverAt is not null))
        {
            var error = $"the dispatcher stopped while handing the message to the SMTP server (from {lost.HandedOverAt:yyyy-MM-dd HH:mm:ss} UTC); the server may have it";
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var rows = await db.OutboxMessages.Where(m => m.Id == lost.Id && m.Status == OutboxStatus.Sending && m.LeaseUntil == lost.LeaseUntil && m.HandedOverAt != null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Uncertain)
                    .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.LastError, error), ct);
            if (rows == 1)
            {
                db.AuditEntries.Add(new AuditEntry(lost.AccountId, now, "system", AuditActions.MessageUncertain, $"'{lost.Subject}' to {lost.ToAddress}: {error}; not resent until a person decides"));
                await db.SaveChangesAsync(ct);
                uncertain++;
            }
            await tx.CommitAsync(ct);
        }

        var candidates = expired.Where(m => m.HandedOverAt is null || m.Status == OutboxStatus.Pending).Take(BatchSize).ToList();
        var claimed = new List<(OutboxMessage, Guid)>();
        foreach (var candidate in candidates)
        {
            var token = Guid.NewGuid();
            var rows = await Claim(db, candidate.Id, candidate.Status, candidate.NextAttemptAt, candidate.LeaseUntil)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Sending)
                    .SetProperty(m => m.ClaimToken, token)
                    .SetProperty(m => m.LeaseUntil, now + Lease)
                    .SetProperty(m => m.HandedOverAt, (DateTimeOffset?)null)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
            if (rows == 1)
                claimed.Add((await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == candidate.Id, ct), token));
        }
        return (claimed, uncertain);
    }

    /// <summary>The claim condition: the row is still exactly as it was read, so only one claimer can match it.</summary>
    private static IQueryable<OutboxMessage> Claim(CsmDbContext db, long id, OutboxStatus status, DateTimeOffset nextAttemptAt, DateTimeOffset? leaseUntil) =>
        status == OutboxStatus.Pending
            ? db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxStatus.Pending && m.NextAttemptAt == nextAttemptAt)
            : db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxStatus.Sending && m.LeaseUntil == leaseUntil);

    /// <summary>Knows whether the server accepted the recipient of the message being sent: from then on the next command is DATA.</summary>
    private sealed class TrackingSmtpClient : SmtpClient
    {
        public bool RecipientAccepted { get; set; }

        protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            RecipientAccepted = true;
            base.OnRecipientAccepted(message, mailbox, response);
        }
    }

    private async Task<(int Sent, int Retrying, int Failed, int Uncertain, string? Error)> DeliverAsync(List<(OutboxMessage Message, Guid Token)> claimed, CancellationToken ct)
    {
        int sent = 0, retrying = 0, failed = 0, uncertain = 0;
        string? error = null;
        using var client = new TrackingSmtpClient();
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
            return (0, retrying, failed, 0, error);
        }

        foreach (var (message, token) in claimed)
        {
            if (Stage is { } claimedHook) await claimedHook("claimed", message);
            if (!client.IsConnected)
            {
                // An earlier message broke the connection: this one was never handed over, so it is simply retried.
                if (await ReleaseAsync(message, token, error ?? "the SMTP connection closed", ct)) retrying++;
                else failed++;
                continue;
            }
            if (!await RecordHandOverAsync(message, token, ct)) continue; // the claim was lost to another dispatcher
            if (Stage is { } handingOverHook) await handingOverHook("handing-over", message);
            client.RecipientAccepted = false;
            try
            {
                await client.SendAsync(ToMime(message), ct);
            }
            catch (SmtpCommandException e)
            {
                // The server answered with a refusal: it did not take the message.
                error = $"the SMTP server refused message {message.Id}: {e.Message}";
                if (await ReleaseAsync(message, token, error, ct)) retrying++;
                else failed++;
                continue;
            }
            catch (Exception e) when (e is SmtpProtocolException or IOException or System.Net.Sockets.SocketException)
            {
                if (client.RecipientAccepted)
                {
                    error = $"the connection to the SMTP server broke while message {message.Id} was being transferred; the server may have accepted it: {e.Message}";
                    await MarkUncertainAsync(message, token, error, ct);
                    uncertain++;
                }
                else
                {
                    error = $"the SMTP server dropped the connection before taking message {message.Id}: {e.Message}";
                    if (await ReleaseAsync(message, token, error, ct)) retrying++;
                    else failed++;
                }
                continue;
            }
            if (Stage is { } acceptedHook) await acceptedHook("accepted", message);
            await RecordSentAsync(message, token, ct);
            sent++;
        }
        if (client.IsConnected) await client.DisconnectAsync(quit: true, ct);
        return (sent, retrying, failed, uncertain, error);
    }

    /// <summary>Commits, under the claim, that the message is about to go to the server; false when the claim is no longer ours.</summary>
    private async Task<bool> RecordHandOverAsync(OutboxMessage message, Guid token, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = database.Open();
        return await db.OutboxMessages.Where(m => m.Id == message.Id && m.ClaimToken == token && m.Status == OutboxStatus.Sending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.HandedOverAt, now), ct) == 1;
    }

    private async Task MarkUncertainAsync(OutboxMessage message, Guid token, string error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.OutboxMessages.Where(m => m.Id == message.Id && m.ClaimToken == token && m.Status == OutboxStatus.Sending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, OutboxStatus.Uncertain)
                .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.LastError, error.Length > 300 ? error[..300] : error), ct);
        if (rows == 1)
        {
            db.AuditEntries.Add(new AuditEntry(message.AccountId, now, "system", AuditActions.MessageUncertain,
                $"'{message.Subject}' to {message.ToAddress}: {error}; not resent until a person decides"));
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
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
                .SetProperty(m => m.HandedOverAt, (DateTimeOffset?)null)
                .SetProperty(m => m.LastError, error.Length > 300 ? error[..300] : error), ct);
        return !giveUp;
    }
}
