using CsmPayments.Accounts;
using CsmPayments.Collections;
using CsmPayments.Workflows;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Workflows;

/// <summary>The workflow entities guard their own transitions; no database needed.</summary>
public sealed class WorkflowEntityTests
{
    private static readonly DateOnly Today = D("2026-03-02");

    [Fact]
    public void A_promise_is_kept_by_payment_and_broken_only_after_the_grace_period()
    {
        var promise = new PromiseToPay(1, 7, new Money(1000m, "EUR"), Today.AddDays(10), Today, "casey@x.test", null);
        Assert.Equal(PromiseState.Open, promise.Evaluate(new Money(999.99m, "EUR"), Today.AddDays(13), graceDays: 3));
        Assert.Equal(PromiseState.Broken, promise.Evaluate(new Money(999.99m, "EUR"), Today.AddDays(14), graceDays: 3));
        Assert.Equal(PromiseState.Kept, promise.Evaluate(new Money(1000m, "EUR"), Today.AddDays(30), graceDays: 3));
        promise.Break(Today.AddDays(14));
        Assert.Throws<WorkflowException>(() => promise.Keep(Today.AddDays(15)));
        Assert.Throws<WorkflowException>(() => new PromiseToPay(1, 7, new Money(0m, "EUR"), Today, Today, "casey@x.test", null));
    }

    [Fact]
    public void Instalments_add_up_to_the_total_to_the_cent()
    {
        var plan = new PaymentPlan(1, 7, [11], new Money(1000m, "USD"), 0m, [Today, Today.AddDays(30), Today.AddDays(60)], Today, "casey@x.test");
        Assert.Equal([333.33m, 333.33m, 333.34m], plan.Instalments.Select(i => i.AmountValue));
        Assert.Equal(plan.Instalments[1], plan.NextUnpaid(new Money(333.33m, "USD")));
        Assert.Null(plan.NextUnpaid(new Money(1000m, "USD")));
    }

    [Fact]
    public void A_plan_is_broken_when_an_instalment_is_unpaid_after_grace_and_completed_when_paid()
    {
        var plan = new PaymentPlan(1, 7, [11], new Money(900m, "USD"), 0m, [Today, Today.AddDays(30), Today.AddDays(60)], Today, "casey@x.test");
        Assert.Throws<WorkflowException>(() => plan.Complete(Today));
        plan.Approve(UserRole.Csm, "casey@x.test", exceeded: null, Today);
        Assert.Equal(PaymentPlanState.Active, plan.Evaluate(new Money(300m, "USD"), Today.AddDays(35), graceDays: 5));
        Assert.Equal(PaymentPlanState.Broken, plan.Evaluate(new Money(300m, "USD"), Today.AddDays(36), graceDays: 5));
        Assert.Equal(PaymentPlanState.Completed, plan.Evaluate(new Money(900m, "USD"), Today.AddDays(36), graceDays: 5));
        Assert.Throws<WorkflowException>(() => plan.Approve(UserRole.Controller, "conor@x.test", null, Today));
    }

    [Fact]
    public void Only_finance_approves_above_the_csm_limits_and_a_collector_approves_nothing()
    {
        var limits = new PlanLimits(25_000m, 6, 10m);
        Assert.Null(PaymentPlan.ExceededLimit(limits, 25_000m, 6, 10m));
        Assert.Equal("7 instalments are more than the CSM limit of 6", PaymentPlan.ExceededLimit(limits, 100m, 7, 0m));
        PaymentPlan Plan() => new(1, 7, [11], new Money(30_000m, "USD"), 0m, [Today], Today, "casey@x.test");
        var exceeded = PaymentPlan.ExceededLimit(limits, 30_000m, 1, 0m);
        Assert.Throws<WorkflowException>(() => Plan().Approve(UserRole.Csm, "casey@x.test", exceeded, Today));
        Assert.Throws<WorkflowException>(() => Plan().Approve(UserRole.Collector, "carla@x.test", null, Today));
        var byCfo = Plan();
        byCfo.Approve(UserRole.Cfo, "fiona@x.test", exceeded, Today);
        Assert.Equal(PaymentPlanState.Active, byCfo.State);
    }

    [Fact]
    public void A_cancellation_needs_its_outcome_before_finance_carries_it_out_and_non_payment_means_delinquent()
    {
        var request = new CancellationRequest(1, 2, 7, "Cannot pay", forNonPayment: true, Today, "casey@x.test", saveCallDays: 3);
        Assert.Equal(Today.AddDays(3), request.SaveCallDueOn);
        Assert.Throws<WorkflowException>(() => request.CarryOut("conor@x.test", Today));
        Assert.Throws<WorkflowException>(() => request.RecordOutcome(CancellationOutcome.Downgraded, "casey@x.test", Today, null, null, Today.AddDays(5)));
        request.RecordOutcome(CancellationOutcome.Cancelled, "casey@x.test", Today, null, null, Today.AddDays(5));
        Assert.Throws<WorkflowException>(() => request.RecordOutcome(CancellationOutcome.Saved, "casey@x.test", Today, null, null, null));
        request.CarryOut("conor@x.test", Today.AddDays(1));
        Assert.Equal((CancellationState.CarriedOut, CsmPayments.Billing.CancellationReason.Delinquent), (request.State, request.SubscriptionReason));
    }

    [Fact]
    public void A_dispute_is_resolved_once_and_a_renewal_is_held_only_with_a_reason()
    {
        var dispute = new Dispute(1, 11, 7, "Wrong seat count", Today, "casey@x.test");
        dispute.Resolve("Seats confirmed", Today.AddDays(2), "conor@x.test");
        Assert.Throws<WorkflowException>(() => dispute.Credit("again", Today.AddDays(3), "conor@x.test"));

        var review = new RenewalReview(1, 2, Today.AddDays(90), Today);
        Assert.Throws<WorkflowException>(() => review.Hold("conor@x.test", Today, " "));
        review.Hold("conor@x.test", Today, "Uplift to agree");
        Assert.False(review.InvoiceMayGoOut);
        review.Approve("casey@x.test", Today.AddDays(5), null);
        Assert.Throws<WorkflowException>(() => review.Approve("casey@x.test", Today.AddDays(6), null));
    }
}
