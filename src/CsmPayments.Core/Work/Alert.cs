namespace CsmPayments.Work;

/// <summary>What an alert is about [003].</summary>
public enum AlertKind { UsageDecline, SilentChurn, FailedPayment, OverdueFollowUp, UrgentTicket, HealthBandDrop, BrokenPromise }

/// <summary>
/// Something the account's CSM should act on. At most one alert of a kind is open per account; it closes itself on the
/// first day its condition no longer holds.
/// </summary>
public sealed class Alert
{
    private Alert() { Detail = ""; }

    public Alert(long accountId, AlertKind kind, long ownerId, DateOnly openedOn, string detail)
    {
        AccountId = accountId;
        Kind = kind;
        OwnerId = ownerId;
        OpenedOn = openedOn;
        Detail = detail?.Trim() ?? "";
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public AlertKind Kind { get; private set; }

    /// <summary>The account's CSM when the alert opened.</summary>
    public long OwnerId { get; private set; }

    public DateOnly OpenedOn { get; private set; }
    public DateOnly? ClosedOn { get; private set; }
    public string Detail { get; private set; }

    public bool IsOpen => ClosedOn is null;

    /// <summary>Open on D: opened on or before D and not closed by then.</summary>
    public bool IsOpenOn(DateOnly date) => OpenedOn <= date && (ClosedOn is null || ClosedOn > date);

    /// <summary>Closes the alert on the day its condition cleared; an alert closes once, never before it opened.</summary>
    public void Close(DateOnly on)
    {
        if (ClosedOn is { } closed) throw new InvalidOperationException($"the alert was already closed on {closed:yyyy-MM-dd}");
        if (on < OpenedOn) throw new InvalidOperationException($"an alert opened on {OpenedOn:yyyy-MM-dd} cannot close on {on:yyyy-MM-dd}");
        ClosedOn = on;
    }
}
