namespace CsmPayments.Messaging;

public enum OutboxStatus
{
    /// <summary>Waiting for delivery, from <see cref="OutboxMessage.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>Claimed by one dispatcher until its lease runs out.</summary>
    Sending,

    /// <summary>Accepted by the SMTP server.</summary>
    Sent,

    /// <summary>Given up after the last attempt; needs a person.</summary>
    Failed,

    /// <summary>
    /// Handed to the SMTP server, but whether the server took it is not known (the process died during the hand-over,
    /// or the connection broke after the message data may have been accepted). Never resent by itself: a person checks
    /// and resends it or marks it sent.
    /// </summary>
    Uncertain,
}

/// <summary>
/// An email written in the same transaction as the action that caused it, under a unique idempotency key, and
/// delivered later by the <see cref="OutboxDispatcher"/>. Its Message-ID follows from the key, so the one window no
/// outbox can close — the server accepted the mail but the process died before recording it — resends a mail the
/// receiving side recognises as the same message.
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage() { IdempotencyKey = ToAddress = ToName = FromName = Subject = Body = MessageId = ""; }

    public OutboxMessage(string idempotencyKey, long accountId, string toAddress, string toName, string fromName, string? replyTo,
        string subject, string body, DateTimeOffset createdAt, string? htmlBody = null)
    {
        IdempotencyKey = Guard.Required(idempotencyKey, nameof(idempotencyKey));
        AccountId = accountId;
        ToAddress = Guard.Email(toAddress);
        ToName = toName ?? "";
        FromName = Guard.Required(fromName, nameof(fromName));
        ReplyTo = string.IsNullOrWhiteSpace(replyTo) ? null : Guard.Email(replyTo);
        Subject = Guard.Required(subject, nameof(subject));
        Body = body ?? "";
        HtmlBody = string.IsNullOrEmpty(htmlBody) ? null : htmlBody;
        CreatedAt = createdAt.ToUniversalTime();
        NextAttemptAt = CreatedAt;
        Status = OutboxStatus.Pending;
        MessageId = MessageIdFor(IdempotencyKey);
    }

    public long Id { get; private set; }
    public string IdempotencyKey { get; private set; }
    public long AccountId { get; private set; }
    public string ToAddress { get; private set; }
    public string ToName { get; private set; }

    /// <summary>The person the mail is written in the name of; the address is the configured <c>Smtp:From</c>.</summary>
    public string FromName { get; private set; }

    /// <summary>Replies go to the sender in person.</summary>
    public string? ReplyTo { get; private set; }

    public string Subject { get; private set; }
    /// <summary>The plain-text part.</summary>
    public string Body { get; private set; }

    /// <summary>The HTML part; the mail goes as multipart/alternative when there is one.</summary>
    public string? HtmlBody { get; private set; }

    public string MessageId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public OutboxStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }

    /// <summary>Who holds the message while <see cref="OutboxStatus.Sending"/>; a new token per claim.</summary>
    public Guid? ClaimToken { get; private set; }

    public DateTimeOffset? LeaseUntil { get; private set; }

    /// <summary>
    /// When the current claim committed that it is handing the message to the SMTP server. A lease that runs out with
    /// this set means the server may have the mail: the message becomes <see cref="OutboxStatus.Uncertain"/>, not resent.
    /// </summary>
    public DateTimeOffset? HandedOverAt { get; private set; }

    /// <summary>Who resolved an uncertain message, and how (<c>resent</c> or <c>marked sent</c>).</summary>
    public string? ResolvedBy { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>A person resends an uncertain or failed message: it goes out again under the same Message-ID.</summary>
    public void Resend(string by, DateTimeOffset now)
    {
        if (Status is not (OutboxStatus.Uncertain or OutboxStatus.Failed))
            throw new OutboxStateException($"message {Id} is {Status.ToString().ToLowerInvariant()}; only an uncertain or failed message is resent by hand");
        Status = OutboxStatus.Pending;
        NextAttemptAt = now;
        LeaseUntil = null;
        HandedOverAt = null;
        ClaimToken = null;
        ResolvedBy = $"resent by {Guard.Required(by, nameof(by))}";
    }

    /// <summary>A person confirmed the recipient has the uncertain message: it is recorded as sent, and not sent again.</summary>
    public void MarkSent(string by, DateTimeOffset now)
    {
        if (Status != OutboxStatus.Uncertain) throw new OutboxStateException($"message {Id} is {Status.ToString().ToLowerInvariant()}; only an uncertain message is marked sent by hand");
        Status = OutboxStatus.Sent;
        SentAt = now;
        LeaseUntil = null;
        ResolvedBy = $"marked sent by {Guard.Required(by, nameof(by))}";
    }

    internal static string MessageIdFor(string idempotencyKey)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(idempotencyKey)));
        return $"{hash[..32]}@csm-payments";
    }
}

public sealed class OutboxStateException(string message) : InvalidOperationException(message);
