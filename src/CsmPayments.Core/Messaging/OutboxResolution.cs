using CsmPayments.Audit;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Messaging;

/// <summary>
/// What a person does with a message the dispatcher could not be sure about (<see cref="OutboxStatus.Uncertain"/>):
/// after checking with the recipient or the mail server's log, resend it (same Message-ID) or record it as sent. Each
/// decision is audited with who made it.
/// </summary>
public sealed class OutboxResolution(Database database, TimeProvider clock)
{
    public async Task<IReadOnlyList<OutboxMessage>> ListAsync(OutboxStatus? state, CancellationToken ct = default)
    {
        await using var db = database.Open();
        var query = db.OutboxMessages.AsNoTracking();
        if (state is { } s) query = query.Where(m => m.Status == s);
        return await query.OrderBy(m => m.Id).ToListAsync(ct);
    }

    /// <summary>Puts an uncertain or failed message back for delivery on the dispatcher's next pass.</summary>
    public Task<OutboxMessage> ResendAsync(long id, string userEmail, CancellationToken ct = default) =>
        DecideAsync(id, userEmail, AuditActions.MessageResent, (m, user, now) => m.Resend(user, now), "resent by hand under the same Message-ID", ct);

    /// <summary>Records an uncertain message as sent: the recipient has it, so it is never sent again.</summary>
    public Task<OutboxMessage> MarkSentAsync(long id, string userEmail, CancellationToken ct = default) =>
        DecideAsync(id, userEmail, AuditActions.MessageMarkedSent, (m, user, now) => m.MarkSent(user, now), "marked sent by hand; it is not sent again", ct);

    private async Task<OutboxMessage> DecideAsync(long id, string userEmail, string action, Action<OutboxMessage, string, DateTimeOffset> decide, string what,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var email = userEmail.Trim().ToLowerInvariant();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == email, ct)
                   ?? throw new OutboxStateException($"there is no user {userEmail}");
        var message = await db.OutboxMessages.SingleOrDefaultAsync(m => m.Id == id, ct) ?? throw new OutboxStateException($"there is no outbox message {id}");
        decide(message, user.Email, now);
        db.AuditEntries.Add(new AuditEntry(message.AccountId, now, user.Email, action, $"'{message.Subject}' to {message.ToAddress} (message {message.Id}) {what}"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return message;
    }
}
