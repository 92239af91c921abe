namespace CsmPayments.Engagement;

public enum TicketPriority { Low, Normal, High, Urgent }

public enum TicketStatus { Open, Pending, Solved }

/// <summary>A support ticket raised by an account.</summary>
public sealed class Ticket
{
    private Ticket() { ExternalId = Subject = ""; }

    public Ticket(string externalId, long accountId, DateOnly openedOn, TicketPriority priority, TicketStatus status, DateOnly? solvedOn, string subject)
    {
        ExternalId = Guard.Required(externalId, nameof(externalId));
        AccountId = accountId;
        OpenedOn = openedOn;
        Priority = priority;
        Status = status;
        SolvedOn = solvedOn is null || solvedOn >= openedOn ? solvedOn : throw new ArgumentException("solved before it was opened", nameof(solvedOn));
        Subject = subject?.Trim() ?? "";
    }

    public long Id { get; private set; }
    public string ExternalId { get; private set; }
    public long AccountId { get; private set; }
    public DateOnly OpenedOn { get; private set; }
    public TicketPriority Priority { get; private set; }
    public TicketStatus Status { get; private set; }
    public DateOnly? SolvedOn { get; private set; }
    public string Subject { get; private set; }

    /// <summary>Open on D: opened on or before D and not solved by then.</summary>
    public bool IsOpenOn(DateOnly date) => OpenedOn <= date && (SolvedOn is null ? Status != TicketStatus.Solved : SolvedOn > date);
}
