using CsmPayments.Accounts;
using CsmPayments.Segments;

namespace CsmPayments.Collections;

/// <summary>What a step does: write to the billing contact, or give an owner a task or a call to make.</summary>
public enum StepAction { Email, Task, Call }

/// <summary>The date a step's offset counts from.</summary>
public enum StepAnchor { Due, Issue }

/// <summary>Why an invoice's reminders wait.</summary>
public enum PauseKind { Disputed, Promised, OnPlan }

/// <summary>
/// One step of a playbook: on <see cref="Offset"/> days from the invoice's due date (or issue date), do
/// <see cref="Action"/>. An email is written in the name of <see cref="Role"/> with <see cref="Template"/>; a task or call
/// goes to <see cref="Role"/>. The step applies only to invoices whose balance (in the base currency) is at least
/// <see cref="MinAmount"/>, and waits while the invoice is in one of the <see cref="SkipWhen"/> states.
/// </summary>
public sealed record PlaybookStep(
    string Id,
    int Offset,
    StepAnchor Anchor,
    StepAction Action,
    UserRole Role,
    string? Template,
    string Title,
    decimal MinAmount,
    IReadOnlySet<PauseKind> SkipWhen)
{
    public DateOnly DateFor(DateOnly issueDate, DateOnly dueDate) => (Anchor == StepAnchor.Issue ? issueDate : dueDate).AddDays(Offset);

    /// <summary>Delivery of the invoice itself (anchored on the issue date) is not a reminder and is never merged into one.</summary>
    public StepChannel Channel => Action != StepAction.Email ? StepChannel.Work : Anchor == StepAnchor.Issue ? StepChannel.Delivery : StepChannel.Reminder;

    /// <summary>Escalation order: issue-anchored steps first, then by days from the due date.</summary>
    public int Rank => Anchor == StepAnchor.Issue ? int.MinValue / 2 + Offset : Offset;
}

public enum StepChannel { Delivery, Reminder, Work }

/// <summary>Limits within which a CSM may grant a payment plan and discount; above any of them finance approves [000].</summary>
public sealed record PlanLimits(decimal Amount, int Instalments, decimal DiscountPercent);

/// <summary>The numbers the workflows run on, from the <c>settings</c> section of the playbook file.</summary>
public sealed record CollectionSettings(
    int PromiseGraceDays,
    int PlanGraceDays,
    int PlanReminderDays,
    int SaveCallDays,
    int RenewalReviewDays,
    int BillingContactLeadDays,
    int PaymentLinkDays,
    PlanLimits CsmLimits,
    Workflows.RenewalInvoiceSettings RenewalInvoice)
{
    public static CollectionSettings Defaults { get; } = new(3, 5, 3, 3, 90, 7, 45, new PlanLimits(25_000m, 6, 10m), Workflows.RenewalInvoiceSettings.Defaults);
}

/// <summary>The playbooks per risk tier, each with the steps every tier shares, and the workflow settings.</summary>
public sealed class Playbook
{
    private readonly Dictionary<RiskTier, IReadOnlyList<PlaybookStep>> _steps;

    public Playbook(CollectionSettings settings, IReadOnlyList<PlaybookStep> everyTier, IReadOnlyDictionary<RiskTier, IReadOnlyList<PlaybookStep>> tiers)
    {
        Settings = settings;
        EveryTier = everyTier;
        _steps = Enum.GetValues<RiskTier>().ToDictionary(t => t, t =>
            (IReadOnlyList<PlaybookStep>)everyTier.Concat(tiers.GetValueOrDefault(t) ?? []).OrderBy(s => s.Rank).ToList());
    }

    public CollectionSettings Settings { get; }
    public IReadOnlyList<PlaybookStep> EveryTier { get; }

    /// <summary>The tier's steps in escalation order.</summary>
    public IReadOnlyList<PlaybookStep> StepsFor(RiskTier tier) => _steps[tier];

    public PlaybookStep? Find(string stepId) => _steps.Values.SelectMany(s => s).FirstOrDefault(s => s.Id == stepId);
}
