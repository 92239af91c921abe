using CsmPayments.Accounts;
using CsmPayments.Collections;

namespace CsmPayments.Workflows;

public enum PaymentPlanState { AwaitingApproval, Active, Completed, Broken, Rejected }

/// <summary>One agreed payment of a plan.</summary>
public sealed class PlanInstalment
{
    private PlanInstalment() { Currency = ""; }

    internal PlanInstalment(int number, DateOnly dueOn, Money amount)
    {
        Number = number;
        DueOn = dueOn;
        AmountValue = amount.Amount;
        Currency = amount.Currency;
    }

    public long Id { get; private set; }
    public long PaymentPlanId { get; private set; }
    public int Number { get; private set; }
    public DateOnly DueOn { get; private set; }
    public decimal AmountValue { get; private set; }
    public string Currency { get; private set; }
    public Money Amount => new(AmountValue, Currency);
}

/// <summary>An invoice a payment plan pays off.</summary>
public sealed class PlanInvoice
{
    private PlanInvoice() { }

    internal PlanInvoice(long invoiceId) => InvoiceId = invoiceId;

    public long PaymentPlanId { get; private set; }
    public long InvoiceId { get; private set; }
}

/// <summary>
/// Open invoices paid off in instalments, optionally with a discount. A CSM approves plans within the configured limits
/// (total, number of instalments, discount percent); above any of them the plan waits for finance (controller, CFO or
/// admin) [000]. While active, the plan's invoices get instalment reminders instead of the ladder; an instalment still
/// unpaid after the grace period breaks the plan and the ladder resumes.
/// </summary>
public sealed class PaymentPlan
{
    private readonly List<PlanInstalment> _instalments = [];
    private readonly List<PlanInvoice> _invoices = [];

    private PaymentPlan() { Currency = ProposedBy = ""; }

    public PaymentPlan(long accountId, long ownerUserId, IReadOnlyList<long> invoiceIds, Money owed, decimal discountPercent,
        IReadOnlyList<DateOnly> instalmentDates, DateOnly proposedOn, string proposedBy)
    {
        if (invoiceIds.Count == 0) throw new WorkflowException("a payment plan needs at least one open invoice");
        if (!owed.IsPositive) throw new WorkflowException("a payment plan needs something owed");
        if (discountPercent is < 0m or >= 100m) throw new WorkflowException($"a discount of {discountPercent}% is not possible: use 0 to less than 100");
        if (instalmentDates.Count == 0) throw new WorkflowException("a payment plan needs at least one instalment");
        if (instalmentDates.Zip(instalmentDates.Skip(1)).Any(p => p.Second <= p.First) || instalmentDates[0] < proposedOn)
            throw new WorkflowException("instalment dates must be in order, one per date, and not before today");
        AccountId = accountId;
        OwnerUserId = ownerUserId;
        OwedValue = owed.Amount;
        Currency = owed.Currency;
        DiscountPercent = discountPercent;
        ProposedOn = proposedOn;
        ProposedBy = Guard.Required(proposedBy, nameof(proposedBy));
        State = PaymentPlanState.AwaitingApproval;
        _invoices.AddRange(invoiceIds.Distinct().Select(id => new PlanInvoice(id)));

        var total = Total;
        var each = new Money(total.Amount / instalmentDates.Count, total.Currency);
        var sum = Money.Zero(total.Currency);
        for (var i = 0; i < instalmentDates.Count; i++)
        {
            var amount = i == instalmentDates.Count - 1 ? total - sum : each; // the last one takes the rounding
            sum += amount;
            _instalments.Add(new PlanInstalment(i + 1, instalmentDates[i], amount));
        }
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public long OwnerUserId { get; private set; }

    /// <summary>The balance of the plan's invoices when it was proposed.</summary>
    public decimal OwedValue { get; private set; }

    public string Currency { get; private set; }
    public decimal DiscountPercent { get; private set; }
    public DateOnly ProposedOn { get; private set; }
    public string ProposedBy { get; private set; }
    public PaymentPlanState State { get; private set; }
    public string? ApprovedBy { get; private set; }
    public DateOnly? ApprovedOn { get; private set; }
    public DateOnly? ClosedOn { get; private set; }
    public string? CloseReason { get; private set; }

    public IReadOnlyList<PlanInstalment> Instalments => _instalments;
    public IReadOnlyList<PlanInvoice> Invoices => _invoices;

    public Money Owed => new(OwedValue, Currency);
    public Money Discount => Owed * (DiscountPercent / 100m);
    public Money Total => Owed - Discount;

    /// <summary>Whether a CSM may approve it, with the first limit it exceeds otherwise; <paramref name="totalInBase"/> is <see cref="Total"/> in the base currency.</summary>
    public static string? ExceededLimit(PlanLimits limits, decimal totalInBase, int instalments, decimal discountPercent) =>
        totalInBase > limits.Amount ? $"the total {totalInBase:0.00} is above the CSM limit of {limits.Amount:0.00}"
        : instalments > limits.Instalments ? $"{instalments} instalments are more than the CSM limit of {limits.Instalments}"
        : discountPercent > limits.DiscountPercent ? $"a {discountPercent:0.##}% discount is above the CSM limit of {limits.DiscountPercent:0.##}%"
        : null;

    /// <summary>
    /// Approves the plan. A CSM may approve only within the limits (<paramref name="exceeded"/> is null); finance —
    /// controller, CFO, admin — may approve any plan. Nobody approves their own plan above the limits.
    /// </summary>
    public void Approve(UserRole approverRole, string approver, string? exceeded, DateOnly on)
    {
        if (State != PaymentPlanState.AwaitingApproval) throw new WorkflowException($"payment plan {Id} is {Describe(State)}, not awaiting approval");
        var finance = approverRole is UserRole.Controller or UserRole.Cfo or UserRole.Admin;
        if (!finance && approverRole != UserRole.Csm) throw new WorkflowException($"a {approverRole.ToString().ToLowerInvariant()} cannot approve payment plans");
        if (!finance && exceeded is not null) throw new WorkflowException($"a CSM cannot approve this plan: {exceeded}; finance must approve it");
        State = PaymentPlanState.Active;
        ApprovedBy = Guard.Required(approver, nameof(approver));
        ApprovedOn = on;
    }

    public void Reject(string by, string reason, DateOnly on)
    {
        if (State != PaymentPlanState.AwaitingApproval) throw new WorkflowException($"payment plan {Id} is {Describe(State)}, not awaiting approval");
        Close(PaymentPlanState.Rejected, $"{reason} ({by})", on);
    }

    /// <summary>
    /// Where an active plan stands on <paramref name="today"/> given what the account paid since approval: completed
    /// when the total is paid; broken when the instalments due by today minus the grace period add up to more than that.
    /// </summary>
    public PaymentPlanState Evaluate(Money paidSinceApproval, DateOnly today, int graceDays)
    {
        if (State != PaymentPlanState.Active) return State;
        if (paidSinceApproval >= Total) return PaymentPlanState.Completed;
        var owedByNow = _instalments.Where(i => i.DueOn.AddDays(graceDays) < today).Aggregate(Money.Zero(Currency), (s, i) => s + i.Amount);
        return paidSinceApproval < owedByNow ? PaymentPlanState.Broken : PaymentPlanState.Active;
    }

    /// <summary>The first instalment not yet covered by what was paid since approval.</summary>
    public PlanInstalment? NextUnpaid(Money paidSinceApproval)
    {
        var cumulative = Money.Zero(Currency);
        foreach (var instalment in _instalments.OrderBy(i => i.Number))
        {
            cumulative += instalment.Amount;
            if (paidSinceApproval < cumulative) return instalment;
        }
        return null;
    }

    public void Complete(DateOnly on) => CloseActive(PaymentPlanState.Completed, "paid in full", on);

    public void Break(DateOnly on, string reason) => CloseActive(PaymentPlanState.Broken, reason, on);

    private void CloseActive(PaymentPlanState to, string reason, DateOnly on)
    {
        if (State != PaymentPlanState.Active) throw new WorkflowException($"payment plan {Id} is {Describe(State)}, not active");
        Close(to, reason, on);
    }

    private void Close(PaymentPlanState to, string reason, DateOnly on)
    {
        State = to;
        CloseReason = reason;
        ClosedOn = on;
    }

    private static string Describe(PaymentPlanState state) => state switch
    {
        PaymentPlanState.AwaitingApproval => "awaiting approval",
        _ => state.ToString().ToLowerInvariant(),
    };
}
