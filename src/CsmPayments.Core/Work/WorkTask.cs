using CsmPayments.Accounts;

namespace CsmPayments.Work;

/// <summary>What a task asks of its owner.</summary>
public enum WorkTaskKind
{
    /// <summary>A reminder the owner sends or makes themselves, e.g. the CSM at 30 days past due.</summary>
    CollectionFollowUp,

    /// <summary>A call to the customer about what it owes.</summary>
    CollectionCall,

    /// <summary>A promise to pay was not kept.</summary>
    BrokenPromise,

    /// <summary>A payment plan instalment was missed and the plan is broken.</summary>
    MissedInstalment,

    /// <summary>The account has no billing contact: find the paying authority [004].</summary>
    BillingContactMissing,

    /// <summary>Decide whether the renewal invoice goes out [001].</summary>
    RenewalReview,

    /// <summary>Call the customer who asked to cancel before finance carries it out [001].</summary>
    SaveCall,

    /// <summary>Finance carries out the outcome of a cancellation request.</summary>
    CarryOutCancellation,

    /// <summary>A payment plan above the CSM's limits waits for finance approval [000].</summary>
    ApprovePaymentPlan,
}

public enum WorkTaskState { Open, Done }

/// <summary>
/// A piece of work with an owner: a role, and the person holding it when known. Created at most once per
/// <see cref="IdempotencyKey"/>, so a re-run of the cycle never creates it twice.
/// </summary>
public sealed class WorkTask
{
    private WorkTask() { Title = Detail = IdempotencyKey = ""; }

    public WorkTask(string idempotencyKey, long accountId, WorkTaskKind kind, UserRole ownerRole, long? ownerUserId, string title,
        string detail, DateOnly createdOn, DateOnly dueOn)
    {
        IdempotencyKey = Guard.Required(idempotencyKey, nameof(idempotencyKey));
        AccountId = accountId;
        Kind = kind;
        OwnerRole = ownerRole;
        OwnerUserId = ownerUserId;
        Title = Guard.Required(title, nameof(title));
        Detail = detail ?? "";
        CreatedOn = createdOn;
        DueOn = dueOn >= createdOn ? dueOn : throw new ArgumentException("a task cannot be due before it is created", nameof(dueOn));
        State = WorkTaskState.Open;
    }

    public long Id { get; private set; }
    public string IdempotencyKey { get; private set; }
    public long AccountId { get; private set; }
    public WorkTaskKind Kind { get; private set; }
    public UserRole OwnerRole { get; private set; }
    public long? OwnerUserId { get; private set; }
    public string Title { get; private set; }
    public string Detail { get; private set; }
    public DateOnly CreatedOn { get; private set; }
    public DateOnly DueOn { get; private set; }
    public WorkTaskState State { get; private set; }
    public DateOnly? DoneOn { get; private set; }

    /// <summary>Marks the task done; a task is done once.</summary>
    public void Complete(DateOnly on)
    {
        if (State == WorkTaskState.Done) throw new WorkflowException($"task {Id} is already done");
        State = WorkTaskState.Done;
        DoneOn = on;
    }
}
