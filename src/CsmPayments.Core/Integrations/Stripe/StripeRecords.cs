namespace CsmPayments.Integrations.Stripe;

/// <summary>A Stripe event that was received and dealt with: a second delivery of the same event id changes nothing.</summary>
public sealed class StripeEventRecord
{
    private StripeEventRecord() { EventId = Type = Outcome = ""; }

    public StripeEventRecord(string eventId, string type, DateTimeOffset created, DateTimeOffset receivedAt, StripeOutcome outcome, string? note)
    {
        EventId = Guard.Required(eventId, nameof(eventId));
        Type = Guard.Required(type, nameof(type));
        Created = created;
        ReceivedAt = receivedAt;
        Outcome = outcome.ToString().ToLowerInvariant();
        Note = note is { Length: > 1000 } ? note[..1000] : note;
    }

    public string EventId { get; private set; }
    public string Type { get; private set; }

    /// <summary>When Stripe created the event.</summary>
    public DateTimeOffset Created { get; private set; }

    public DateTimeOffset ReceivedAt { get; private set; }

    /// <summary>applied, stale, or ignored (see <see cref="StripeOutcome"/>).</summary>
    public string Outcome { get; private set; }

    public string? Note { get; private set; }

    /// <summary>Says what became of the event once its changes are written.</summary>
    public void Complete(StripeOutcome outcome, string? note)
    {
        Outcome = outcome.ToString().ToLowerInvariant();
        Note = note is { Length: > 1000 } ? note[..1000] : note;
    }
}

/// <summary>What became of an event.</summary>
public enum StripeOutcome
{
    /// <summary>At least one change it carries was written.</summary>
    Applied,

    /// <summary>Every object it describes was already changed by a newer event.</summary>
    Stale,

    /// <summary>Nothing of it concerns the ledger: an event type not mapped, or a customer linked to no account.</summary>
    Ignored,
}

/// <summary>
/// The creation time of the newest event applied to one Stripe object (a customer, subscription, invoice, charge,
/// credit note or dispute), so that an older event delivered late never overwrites newer state.
/// </summary>
public sealed class StripeObjectVersion
{
    private StripeObjectVersion() { ObjectId = ""; }

    public StripeObjectVersion(string objectId, long eventCreated, string? localKey)
    {
        ObjectId = Guard.Required(objectId, nameof(objectId));
        EventCreated = eventCreated;
        LocalKey = localKey;
    }

    public string ObjectId { get; private set; }

    /// <summary>Unix seconds: the <c>created</c> of the last event applied to the object.</summary>
    public long EventCreated { get; private set; }

    /// <summary>The key of the object here, when it differs from Stripe's id: an invoice's number.</summary>
    public string? LocalKey { get; private set; }

    /// <summary>False when an event created at <paramref name="created"/> is older than the last one applied.</summary>
    public bool Admits(long created) => created >= EventCreated;

    public void Advance(long created, string? localKey)
    {
        if (!Admits(created)) throw new InvalidOperationException($"an event of {created} is older than the last one applied to {ObjectId}");
        EventCreated = created;
        LocalKey = localKey ?? LocalKey;
    }
}

/// <summary>A card payment disputed by the customer's bank (a chargeback), from Stripe.</summary>
public sealed class ChargeDispute
{
    private ChargeDispute() { DisputeId = PaymentExternalId = Currency = Reason = Status = ""; }

    public ChargeDispute(string disputeId, long accountId, string paymentExternalId, Money amount, string reason, string status,
        DateOnly openedOn, DateOnly? closedOn)
    {
        DisputeId = Guard.Required(disputeId, nameof(disputeId));
        AccountId = accountId;
        PaymentExternalId = Guard.Required(paymentExternalId, nameof(paymentExternalId));
        Guard.NotNegative(amount, nameof(amount));
        AmountValue = amount.Amount;
        Currency = amount.Currency;
        Reason = reason?.Trim() ?? "";
        Status = Guard.Required(status, nameof(status));
        OpenedOn = openedOn;
        ClosedOn = closedOn is null || closedOn >= openedOn ? closedOn : throw new ArgumentException("closed before it was opened", nameof(closedOn));
    }

    public long Id { get; private set; }
    public string DisputeId { get; private set; }
    public long AccountId { get; private set; }

    /// <summary>The disputed payment: the Stripe charge id, as payments from Stripe are keyed.</summary>
    public string PaymentExternalId { get; private set; }

    public decimal AmountValue { get; private set; }
    public string Currency { get; private set; }
    public string Reason { get; private set; }

    /// <summary>Stripe's dispute status: warning_needs_response, needs_response, under_review, won, lost…</summary>
    public string Status { get; private set; }

    public DateOnly OpenedOn { get; private set; }
    public DateOnly? ClosedOn { get; private set; }

    public Money Amount => new(AmountValue, Currency);
    public bool IsOpen => ClosedOn is null;
}
