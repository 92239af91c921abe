namespace CsmPayments.Collections;

/// <summary>
/// A playbook step that has been acted on for an invoice — by the message or task named by <see cref="ActionKey"/>.
/// The key (invoice, step) is unique, so no step is acted on twice for the same invoice, whichever process runs.
/// </summary>
public sealed class CollectionStepDone
{
    private CollectionStepDone() { StepId = ActionKey = ""; }

    public CollectionStepDone(long accountId, long invoiceId, string stepId, DateOnly actedOn, string actionKey)
    {
        AccountId = accountId;
        InvoiceId = invoiceId;
        StepId = Guard.Required(stepId, nameof(stepId));
        ActedOn = actedOn;
        ActionKey = Guard.Required(actionKey, nameof(actionKey));
    }

    public long AccountId { get; private set; }
    public long InvoiceId { get; private set; }
    public string StepId { get; private set; }
    public DateOnly ActedOn { get; private set; }

    /// <summary>The idempotency key of the outbox message or task that carried the step out.</summary>
    public string ActionKey { get; private set; }
}
