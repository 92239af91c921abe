namespace CsmPayments.Engagement;

public enum TouchpointKind { Call, Email, Meeting, Qbr, Note }

/// <summary>A contact between someone of ours and an account: a call, an email, a meeting, a QBR, a note.</summary>
public sealed class Touchpoint
{
    private Touchpoint() { Summary = ""; }

    public Touchpoint(long accountId, long userId, DateOnly occurredOn, TouchpointKind kind, string summary)
    {
        AccountId = accountId;
        UserId = userId;
        OccurredOn = occurredOn;
        Kind = kind;
        Summary = summary?.Trim() ?? "";
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public long UserId { get; private set; }
    public DateOnly OccurredOn { get; private set; }
    public TouchpointKind Kind { get; private set; }
    public string Summary { get; private set; }
}
