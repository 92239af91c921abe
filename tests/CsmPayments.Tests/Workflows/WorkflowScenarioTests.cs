using CsmPayments.Accounts;
using CsmPayments.Audit;
using CsmPayments.Billing;
using CsmPayments.Collections;
using CsmPayments.Storage;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Tests.Messaging;
using CsmPayments.Work;
using CsmPayments.Workflows;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Collections.CollectionsWorld;
using static CsmPayments.Tests.Collections.LadderScenarioTests;

namespace CsmPayments.Tests.Workflows;

/// <summary>The workflows over simulated days: what the customer receives and what the owners are asked to do.</summary>
public sealed class WorkflowScenarioTests
{
    private const string Casey = "casey@northwind.test";
    private const string Conor = "conor@northwind.test";

    private static async Task<List<string>> ActionsAsync(CollectionsWorld world, long account)
    {
        await using var db = world.Database.Open();
        return (await CsmPayments.Audit.AuditLog.ForAccountAsync(db, account)).Select(a => a.Action).ToList();
    }

    [Theory, Providers]
    public Task A_kept_promise_pauses_the_ladder_and_nothing_more_is_sent(StorageProvider provider) => KeptPromiseAsync(provider, held: false);

    /// <summary>As the daily cycle writes on SQLite: what the day moved on was read on one connection and is saved in a transaction held on another.</summary>
    [Fact]
    public Task Under_the_health_stage_s_held_write_lock_a_kept_promise_pauses_the_ladder_and_nothing_more_is_sent() => KeptPromiseAsync(StorageProvider.Sqlite, held: true);

    private static async Task KeptPromiseAsync(StorageProvider provider, bool held)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        world.WritesUnderHeldLock = held;
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        var invoice = await world.InvoiceAsync(account, "INV-1", Start.AddDays(-30), Start, 800m);

        var mails = await WalkAsync(world, smtp, Start.AddDays(1), Start.AddDays(40), async day =>
        {
            if (day == Start.AddDays(2)) await world.Workflows().RecordPromiseAsync("acme", 800m, Start.AddDays(10), Casey, "AP run on the 10th", day);
            if (day == Start.AddDays(8)) await world.PayAsync(account, invoice, 800m, day);
        });

        Assert.Empty(mails);
        await using var db = world.Database.Open();
        Assert.Equal(PromiseState.Kept, (await db.PromisesToPay.SingleAsync()).State);
        Assert.Equal([AuditActions.PromiseRecorded, AuditActions.PromiseKept], await ActionsAsync(world, account));
    }

    [Theory, Providers]
    public Task A_broken_promise_resumes_the_ladder_after_the_grace_period_and_tells_the_csm(StorageProvider provider) => BrokenPromiseAsync(provider, held: false);

    /// <summary>As the daily cycle writes on SQLite: what the day moved on was read on one connection and is saved in a transaction held on another.</summary>
    [Fact]
    public Task Under_the_health_stage_s_held_write_lock_a_broken_promise_resumes_the_ladder_and_tells_the_csm() => BrokenPromiseAsync(StorageProvider.Sqlite, held: true);

    private static async Task BrokenPromiseAsync(StorageProvider provider, bool held)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        world.WritesUnderHeldLock = held;
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-30), Start, 800m);

        var mails = await WalkAsync(world, smtp, Start.AddDays(1), Start.AddDays(20), async day =>
        {
            if (day == Start.AddDays(2)) await world.Workflows().RecordPromiseAsync("acme", 800m, Start.AddDays(10), Casey, null, day);
        });

        // Promised for day 10, three days' grace: broken on day 14, when the reminder it held goes out.
        Assert.Equal([(Start.AddDays(14), "A friendly reminder: 800.00 USD open with Northwind Analytics")], mails.Select(m => (m.Day, m.Mail.Subject)));
        await using var db = world.Database.Open();
        var task = await db.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.BrokenPromise);
        Assert.Equal((world.Csm, Start.AddDays(14)), (task.OwnerUserId!.Value, task.CreatedOn));
        Assert.Contains(AuditActions.PromiseBroken, await ActionsAsync(world, account));
    }

    [Theory, Providers]
    public async Task A_dispute_pauses_its_invoice_only_and_a_credit_resolves_it_for_what_is_left(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-A", Start.AddDays(-30), Start, 800m);
        await world.InvoiceAsync(account, "INV-B", Start.AddDays(-30), Start, 200m);
        long dispute = 0;

        var mails = await WalkAsync(world, smtp, Start.AddDays(1), Start.AddDays(30), async day =>
        {
            if (day == Start.AddDays(1)) dispute = (await world.Workflows().OpenDisputeAsync("INV-A", "Billed for 40 seats, we have 25", Casey, day)).Id;
            if (day == Start.AddDays(20)) await world.Workflows().ResolveDisputeAsync(dispute, "Seat count corrected", 300m, Conor, day);
        });

        Assert.Equal([Start.AddDays(3), Start.AddDays(20), Start.AddDays(30)], mails.Select(m => m.Day));
        Assert.Contains("INV-B: 200.00 USD", mails[0].Mail.TextBody);
        Assert.DoesNotContain("INV-A", mails[0].Mail.TextBody);
        Assert.Contains("INV-A: 500.00 USD open", mails[1].Mail.TextBody);
        Assert.Contains("INV-A: 500.00 USD open", mails[2].Mail.TextBody);
        Assert.Contains("INV-B: 200.00 USD open", mails[2].Mail.TextBody);
        await using var db = world.Database.Open();
        Assert.Equal(DisputeState.Credited, (await db.Disputes.SingleAsync()).State);
        Assert.Equal(300m, (await db.CreditNotes.SingleAsync()).AmountValue);
        await Assert.ThrowsAsync<WorkflowException>(() => world.Workflows().ResolveDisputeAsync(dispute, "again", null, Conor, Start.AddDays(31)));
    }

    [Theory, Providers]
    public Task Plan_reminders_follow_the_instalments_and_a_missed_one_breaks_the_plan_and_resumes_the_ladder(StorageProvider provider) => PlanAsync(provider, held: false);

    /// <summary>As the daily cycle writes on SQLite: what the day moved on was read on one connection and is saved in a transaction held on another.</summary>
    [Fact]
    public Task Under_the_health_stage_s_held_write_lock_plan_reminders_follow_the_instalments_and_a_missed_one_breaks_the_plan() => PlanAsync(StorageProvider.Sqlite, held: true);

    private static async Task PlanAsync(StorageProvider provider, bool held)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        world.WritesUnderHeldLock = held;
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-30), Start, 3000m);

        var mails = await WalkAsync(world, smtp, Start.AddDays(3), Start.AddDays(50), async day =>
        {
            if (day == Start.AddDays(5)) await world.Workflows().ProposePlanAsync("acme", ["INV-1"], 3, 30, Start.AddDays(10), 0m, Casey, day);
            if (day == Start.AddDays(10)) await world.PayAsync(account, null, 1000m, day);
        });

        Assert.Equal(
            [
                (Start.AddDays(3), "A friendly reminder: 3,000.00 USD open with Northwind Analytics"),
                (Start.AddDays(7), "Northwind Analytics: instalment 1 of 3 due on 2026-01-15"),
                (Start.AddDays(37), "Northwind Analytics: instalment 2 of 3 due on 2026-02-14"),
                (Start.AddDays(46), "Acme: open invoices with Northwind Analytics"),
            ],
            mails.Select(m => (m.Day, m.Mail.Subject ?? "")));
        Assert.Equal("Casey Morgan (Northwind Analytics)", Sender(mails[3].Mail));
        Assert.Contains("Amount: 1,000.00 USD", mails[1].Mail.TextBody);
        Assert.Contains("Remaining on the plan after this instalment: 1,000.00 USD", mails[2].Mail.TextBody);
        await using var db = world.Database.Open();
        Assert.Equal(PaymentPlanState.Broken, (await db.PaymentPlans.SingleAsync()).State);
        Assert.Equal(world.Csm, (await db.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.MissedInstalment)).OwnerUserId);
        Assert.Equal([AuditActions.PlanProposed, AuditActions.PlanApproved, AuditActions.PlanBroken],
            (await ActionsAsync(world, account)).Where(a => a.StartsWith("plan.", StringComparison.Ordinal)));
    }

    [Theory, Providers]
    public async Task A_plan_above_the_csm_limits_waits_for_finance_and_its_discount_becomes_credit_notes(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-30), Start, 2000m);
        await world.InvoiceAsync(account, "INV-2", Start.AddDays(-30), Start, 1000m);
        var today = Start.AddDays(5);

        var plan = await world.Workflows().ProposePlanAsync("acme", [], 4, 30, today.AddDays(5), 15m, Casey, today);
        Assert.Equal(PaymentPlanState.AwaitingApproval, plan.State);
        var refused = await Assert.ThrowsAsync<WorkflowException>(() => world.Workflows().ApprovePlanAsync(plan.Id, Casey, today));
        Assert.Equal("a CSM cannot approve this plan: a 15% discount is above the CSM limit of 10%; finance must approve it", refused.Message);
        var approved = await world.Workflows().ApprovePlanAsync(plan.Id, Conor, today);

        Assert.Equal((PaymentPlanState.Active, Conor), (approved.State, approved.ApprovedBy));
        Assert.Equal(new Money(2550m, "USD"), approved.Total);
        await using var db = world.Database.Open();
        Assert.Equal([300m, 150m], (await db.CreditNotes.OrderBy(c => c.Number).ToListAsync()).Select(c => c.AmountValue));
        Assert.Equal(WorkTaskState.Done, (await db.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.ApprovePaymentPlan)).State);
        Assert.Contains(AuditActions.DiscountGranted, await ActionsAsync(world, account));
    }

    [Theory, Providers]
    public async Task Renewal_review_opens_90_days_before_the_renewal_for_the_csm_and_finance(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var renewal = Start.AddDays(120);
        var account = await world.AccountAsync("Acme", renewal: renewal);

        for (var day = Start.AddDays(28); day <= Start.AddDays(32); day = day.AddDays(1)) await world.RunDayAsync(day);

        await using var db = world.Database.Open();
        var review = await db.RenewalReviews.SingleAsync();
        Assert.Equal((Start.AddDays(30), renewal, RenewalReviewState.Pending), (review.OpenedOn, review.RenewalDate, review.State));
        var tasks = (await db.WorkTasks.Where(t => t.Kind == WorkTaskKind.RenewalReview).ToListAsync()).OrderBy(t => t.OwnerRole).ToList();
        Assert.Equal([(UserRole.Csm, world.Csm), (UserRole.Controller, world.Controller)], tasks.Select(t => (t.OwnerRole, t.OwnerUserId!.Value)));

        await Assert.ThrowsAsync<WorkflowException>(() => world.Workflows().DecideRenewalAsync(review.Id, approve: false, "  ", Conor, Start.AddDays(33)));
        var held = await world.Workflows().DecideRenewalAsync(review.Id, approve: false, "Price uplift to agree first", Conor, Start.AddDays(33));
        Assert.Equal((RenewalReviewState.Held, "Price uplift to agree first", false), (held.State, held.Reason, held.InvoiceMayGoOut));
        var approved = await world.Workflows().DecideRenewalAsync(review.Id, approve: true, null, Casey, Start.AddDays(40));
        Assert.True(approved.InvoiceMayGoOut);
        Assert.Equal([AuditActions.RenewalReviewOpened, AuditActions.TaskCreated, AuditActions.TaskCreated, AuditActions.RenewalHeld, AuditActions.RenewalApproved],
            await ActionsAsync(world, account));
    }

    [Theory, Providers]
    public async Task An_approved_renewal_review_issues_the_renewal_invoice_once_and_delivers_it_while_a_held_one_issues_nothing_and_says_why(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var renewal = Start.AddDays(120);
        var acme = await world.AccountAsync("Acme", renewal: renewal, mrr: 1250m);
        var globex = await world.AccountAsync("Globex", renewal: renewal);
        // Acme pays on 20-day terms: its last invoice says so. It is paid, so no reminder gets in the way.
        var paid = await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-20), Start, 1250m);
        await world.PayAsync(acme, paid, 1250m, Start);
        async Task<List<CycleItem>> DayAsync(DateOnly day)
        {
            var result = await world.RunDayAsync(day);
            await world.Dispatcher(smtp.Port).DeliverDueAsync();
            return result.Items.ToList();
        }

        await DayAsync(Start.AddDays(30)); // both reviews open
        await using (var db = world.Database.Open())
        {
            var reviews = await db.RenewalReviews.ToDictionaryAsync(r => r.AccountId, r => r.Id);
            await world.Workflows().DecideRenewalAsync(reviews[acme], approve: true, "renews as is", Casey, Start.AddDays(40));
            await world.Workflows().DecideRenewalAsync(reviews[globex], approve: false, "Seats to true up before we invoice", Conor, Start.AddDays(41));
        }
        var issueOn = renewal.AddDays(-world.Playbook.Settings.RenewalInvoice.IssueDaysBefore);
        Assert.DoesNotContain(await DayAsync(issueOn.AddDays(-1)), i => i.Kind == CycleItemKind.RenewalInvoice);

        var issued = await DayAsync(issueOn);
        var again = await DayAsync(issueOn);
        var later = await DayAsync(issueOn.AddDays(1));

        var number = $"REN-sub-acme-{renewal:yyyyMMdd}";
        Assert.Equal([acme], issued.Where(i => i.Kind == CycleItemKind.RenewalInvoice).Select(i => i.AccountId));
        Assert.DoesNotContain(again.Concat(later), i => i.Kind == CycleItemKind.RenewalInvoice);
        await using (var db = world.Database.Open())
        {
            var invoice = await db.Invoices.SingleAsync(i => i.Number.StartsWith("REN-"));
            Assert.Equal((number, acme, issueOn, issueOn.AddDays(20), new Money(15000m, "USD")), (invoice.Number, invoice.AccountId, invoice.IssueDate, invoice.DueDate, invoice.Amount));
            var review = await db.RenewalReviews.SingleAsync(r => r.AccountId == acme);
            Assert.Equal((invoice.Id, issueOn), (review.InvoiceId!.Value, review.InvoiceIssuedOn!.Value));
            Assert.False(await db.RenewalReviews.AnyAsync(r => r.AccountId == globex && r.InvoiceId != null));
        }
        var mail = Assert.Single(smtp.Received());
        Assert.Equal(($"Invoice {number} from Northwind Analytics", "ap@acme.test"), (mail.Subject, mail.To.Mailboxes.Single().Address));
        Assert.Contains("Amount: 15,000.00 USD", mail.TextBody);
        Assert.Contains(AuditActions.RenewalInvoiceIssued, await ActionsAsync(world, acme));
        Assert.DoesNotContain(AuditActions.RenewalInvoiceIssued, await ActionsAsync(world, globex));

        var cycle = world.Cycle();
        var rows = CollectionsReport.Rows(await cycle.PlanAsync(issueOn), issueOn, await cycle.RenewalNotesAsync(issueOn));
        var held = Assert.Single(rows, r => r.AccountExternalId == "globex");
        Assert.Contains($"renewal invoice for sub-globex (renews {renewal:yyyy-MM-dd}) held by {Conor} on {Start.AddDays(41):yyyy-MM-dd}: Seats to true up before we invoice; it does not go out", held.Pauses);
    }

    [Fact]
    public void A_renewal_invoice_is_for_the_approved_amount_or_mrr_times_term_and_due_by_the_account_terms()
    {
        var settings = new RenewalInvoiceSettings(30, 12, 45);
        var subscription = new Subscription("sub-1", 1, "Growth", new Money(900m, "EUR"), Start.AddYears(-1), null, Start.AddDays(60), null);
        var review = new RenewalReview(1, 0, Start.AddDays(60), Start.AddDays(-30));
        Assert.Null(RenewalInvoicing.Draft(review, subscription, null, settings, Start.AddDays(30))); // not decided
        review.Approve(Casey, Start, null, new Money(9990m, "EUR"));
        Assert.Null(RenewalInvoicing.Draft(review, subscription, null, settings, Start.AddDays(29))); // before its issue date

        var draft = RenewalInvoicing.Draft(review, subscription, null, settings, Start.AddDays(30))!;
        Assert.Equal((new Money(9990m, "EUR"), Start.AddDays(30), Start.AddDays(75)), (draft.Amount, draft.IssueDate, draft.DueDate));
        var byTerm = new RenewalReview(1, 0, Start.AddDays(60), Start.AddDays(-30));
        byTerm.Approve(Casey, Start, null);
        Assert.Equal((new Money(10800m, "EUR"), Start.AddDays(44)), (RenewalInvoicing.Draft(byTerm, subscription, 14, settings, Start.AddDays(30))!.Amount,
            RenewalInvoicing.Draft(byTerm, subscription, 14, settings, Start.AddDays(30))!.DueDate));
        byTerm.RecordInvoice(7, Start.AddDays(30));
        Assert.Null(RenewalInvoicing.Draft(byTerm, subscription, 14, settings, Start.AddDays(31)));
        Assert.Throws<WorkflowException>(() => byTerm.RecordInvoice(8, Start.AddDays(31)));
    }

    [Theory, Providers]
    public async Task Cancellation_for_non_payment_gets_a_save_call_then_finance_ends_it_as_delinquent_and_the_ladder_stops(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-30), Start, 800m);
        var flow = world.Workflows();

        var request = await flow.RequestCancellationAsync("sub-acme", "Cannot pay, asked to close the account", forNonPayment: true, Casey, Start.AddDays(4));
        await using (var db = world.Database.Open())
        {
            var call = await db.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.SaveCall);
            Assert.Equal((world.Csm, Start.AddDays(7)), (call.OwnerUserId!.Value, call.DueOn));
        }
        await Assert.ThrowsAsync<WorkflowException>(() => flow.CarryOutCancellationAsync(request.Id, Conor, Start.AddDays(5)));
        await flow.RecordCancellationOutcomeAsync(request.Id, CancellationOutcome.Cancelled, "Call held, they go", null, Start.AddDays(10), Casey, Start.AddDays(6));
        await Assert.ThrowsAsync<WorkflowException>(() => flow.CarryOutCancellationAsync(request.Id, Casey, Start.AddDays(7)));
        await flow.CarryOutCancellationAsync(request.Id, Conor, Start.AddDays(7));

        var mails = await WalkAsync(world, smtp, Start.AddDays(11), Start.AddDays(40));

        Assert.Empty(mails);
        await using var after = world.Database.Open();
        var subscription = await after.Subscriptions.SingleAsync();
        Assert.Equal((Start.AddDays(10), CancellationReason.Delinquent), (subscription.EndDate!.Value, subscription.CancellationReason!.Value));
        Assert.Equal([WorkTaskState.Done, WorkTaskState.Done], (await after.WorkTasks.Where(t => t.Kind == WorkTaskKind.SaveCall || t.Kind == WorkTaskKind.CarryOutCancellation).ToListAsync()).Select(t => t.State));
        Assert.Equal([AuditActions.CancellationRequested, AuditActions.CancellationOutcome, AuditActions.CancellationCarriedOut], await ActionsAsync(world, account));
    }

    [Theory, Providers]
    public async Task An_account_without_a_billing_contact_gets_a_data_task_first_and_mail_once_the_contact_is_known(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme", billingEmail: null);
        await world.InvoiceAsync(account, "INV-1", Start, Start.AddDays(30), 800m);

        var mails = await WalkAsync(world, smtp, Start, Start.AddDays(6), async day =>
        {
            if (day != Start.AddDays(2)) return;
            await using var db = world.Database.Open();
            db.Contacts.Add(new Contact("payables@acme.test", account, "Pat Payables", ContactRole.Billing));
            await db.SaveChangesAsync();
        });

        Assert.Equal([(Start.AddDays(2), "payables@acme.test")], mails.Select(m => (m.Day, m.Mail.To.Mailboxes.Single().Address)));
        await using var check = world.Database.Open();
        var task = await check.WorkTasks.SingleAsync();
        Assert.Equal((WorkTaskKind.BillingContactMissing, world.Csm, Start), (task.Kind, task.OwnerUserId!.Value, task.CreatedOn));
    }

    [Theory, Providers]
    public async Task Without_a_billing_contact_reminders_are_held_and_shown_then_go_out_once_one_exists_and_the_task_closes_itself(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme", billingEmail: null);
        var due = Start;
        await world.InvoiceAsync(account, "INV-1", due.AddDays(-30), due, 800m);
        var contactOn = due.AddDays(8);

        var mails = await WalkAsync(world, smtp, due.AddDays(-5), due.AddDays(12), async day =>
        {
            if (day != contactOn) return;
            await using var db = world.Database.Open();
            db.Contacts.Add(new Contact("payables@acme.test", account, "Pat Payables", ContactRole.Billing));
            await db.SaveChangesAsync();
        });

        // The CSM was asked a week before the gentle reminder (due + 3) would go out; it waited until the contact was known.
        Assert.Equal([(contactOn, "payables@acme.test", "A friendly reminder: 800.00 USD open with Northwind Analytics")],
            mails.Select(m => (m.Day, m.Mail.To.Mailboxes.Single().Address, m.Mail.Subject)));
        await using (var db = world.Database.Open())
        {
            var task = await db.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.BillingContactMissing);
            Assert.Equal((due.AddDays(-4), WorkTaskState.Done, contactOn), (task.CreatedOn, task.State, task.DoneOn!.Value));
        }

        // While it waited, report collections said what was held and why.
        await using var again = await CollectionsWorld.CreateAsync(provider);
        var other = await again.AccountAsync("Globex", billingEmail: null);
        await again.InvoiceAsync(other, "INV-9", due.AddDays(-30), due, 800m);
        var day = due.AddDays(5);
        again.Clock.SetUtcNow(At(day));
        var cycle = again.Cycle();
        var row = Assert.Single(CollectionsReport.Rows(await cycle.PlanAsync(day), day, await cycle.RenewalNotesAsync(day)));
        Assert.Equal(["no billing contact: low-gentle for INV-9 waits until the CSM adds one"], row.Pauses);
    }

    [Theory, Providers]
    public async Task Cadence_follows_the_risk_tier(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var due = Start;
        var risky = await world.AccountAsync("Risky");
        foreach (var n in new[] { 1, 2 })
        {
            var old = await world.InvoiceAsync(risky, $"OLD-{n}", due.AddDays(-200), due.AddDays(-170), 5000m);
            await world.PayAsync(risky, old, 5000m, due.AddDays(-140));
        }
        await world.InvoiceAsync(risky, "BIG-1", due.AddDays(-30), due, 30_000m);
        var middling = await world.AccountAsync("Middling");
        await world.InvoiceAsync(middling, "MID-1", due.AddDays(-30), due, 6_000m);
        var small = await world.AccountAsync("Small");
        await world.InvoiceAsync(small, "SML-1", due.AddDays(-30), due, 400m);

        var mails = await WalkAsync(world, smtp, due.AddDays(1), due.AddDays(25));

        int[] DaysTo(string slug) => mails.Where(m => m.Mail.To.Mailboxes.Single().Address == $"ap@{slug}.test").Select(m => m.Day.DayNumber - due.DayNumber).ToArray();
        Assert.Equal([1, 7], DaysTo("risky"));
        Assert.Equal([1, 10, 20], DaysTo("middling"));
        Assert.Equal([3], DaysTo("small"));
        await using var db = world.Database.Open();
        var call = await db.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.CollectionCall);
        Assert.Equal((risky, world.Csm, due.AddDays(14)), (call.AccountId, call.OwnerUserId!.Value, call.CreatedOn));
    }
}
