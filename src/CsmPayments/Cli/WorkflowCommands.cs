using System.CommandLine;
using System.Globalization;
using CsmPayments.Audit;
using CsmPayments.Cli.Reports;
using CsmPayments.Collections;
using CsmPayments.Work;
using CsmPayments.Workflows;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Cli;

/// <summary>
/// The money workflows on the command line: <c>promise</c>, <c>dispute</c>, <c>plan</c>, <c>renewal</c>,
/// <c>cancellation</c>, <c>task</c> and <c>audit</c>. Every change names the person making it (<c>--user</c>) and is
/// audited; <c>--on</c> dates it (default: today in the organisation's time zone).
/// </summary>
public static class WorkflowCommands
{
    public static IEnumerable<Command> Create(CliContext context) =>
        [Promise(context), Dispute(context), Plan(context), Renewal(context), Cancellation(context), Tasks(context), Audit(context)];

    private static Option<string> Required(string name, string description, string? help = null) =>
        new(name) { Description = description, Required = true, HelpName = help };

    private static Option<string?> Optional(string name, string description, string? help = null) =>
        new(name) { Description = description, HelpName = help };

    private static Option<string> UserOption() => Required("--user", "Email of the person making the decision", "email");

    private static Option<string?> OnOption() => Optional("--on", "The date of the decision, yyyy-MM-dd (default: today)", "yyyy-MM-dd");

    private static decimal Amount(string value, string option) =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount >= 0m
            ? amount
            : throw new UserErrorException($"{option} '{value}' is not an amount: use digits with '.' for decimals, e.g. 1250.00");

    private static int Whole(string value, string option) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new UserErrorException($"{option} '{value}' is not a whole number above zero");

    private static long Id(string value, string option) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new UserErrorException($"{option} '{value}' is not an id");

    private static DateOnly Date(string? value, string option, CliContext context) => ReportCommand.ParseDate(value, option) ?? context.Today;

    /// <summary>Runs a workflow step with the configured database; a refused step becomes one clear line.</summary>
    private static async Task<int> RunAsync(CliContext context, CancellationToken ct, Func<CollectionWorkflows, Task<string>> step)
    {
        var database = await context.DatabaseAsync(ct);
        CollectionWorkflows workflows;
        try
        {
            workflows = CollectionsSetup.Workflows(context.Configuration, database, context.Organisation, context.Clock);
        }
        catch (Exception e) when (e is PlaybookException or Messaging.TemplateException)
        {
            throw new UserErrorException(e.Message);
        }
        try
        {
            await context.Output.WriteLineAsync(await step(workflows));
            return 0;
        }
        catch (WorkflowException e)
        {
            throw new UserErrorException(e.Message);
        }
    }

    private static Command Promise(CliContext context)
    {
        var account = Required("--account", "The account's external id");
        var amount = Required("--amount", "The amount promised, in the account's currency");
        var by = Required("--by", "The date the customer promised to pay by", "yyyy-MM-dd");
        var note = Optional("--note", "What the customer said");
        var user = UserOption();
        var on = OnOption();
        var command = new Command("promise", "Record a promise to pay: the account's reminders pause until the date (plus grace)");
        foreach (var o in new Option[] { account, amount, by, note, user, on }) command.Options.Add(o);
        command.SetAction((parse, ct) =>
        {
            var value = Amount(parse.GetValue(amount)!, "--amount");
            var promisedFor = ReportCommand.ParseDate(parse.GetValue(by), "--by")!.Value;
            var today = Date(parse.GetValue(on), "--on", context);
            return RunAsync(context, ct, async w =>
            {
                var p = await w.RecordPromiseAsync(parse.GetValue(account)!, value, promisedFor, parse.GetValue(user)!, parse.GetValue(note), today, ct);
                return $"Promise {p.Id} recorded: {p.Amount} by {ReportOutput.Date(p.PromisedFor)}. Reminders for {parse.GetValue(account)} pause until then.";
            });
        });
        return command;
    }

    private static Command Dispute(CliContext context)
    {
        var invoice = Required("--invoice", "The invoice number");
        var reason = Required("--reason", "Why the customer disputes it");
        var user = UserOption();
        var on = OnOption();
        var open = new Command("open", "Open a dispute on an invoice: its reminders pause");
        foreach (var o in new Option[] { invoice, reason, user, on }) open.Options.Add(o);
        open.SetAction((parse, ct) => RunAsync(context, ct, async w =>
        {
            var d = await w.OpenDisputeAsync(parse.GetValue(invoice)!, parse.GetValue(reason)!, parse.GetValue(user)!, Date(parse.GetValue(on), "--on", context), ct);
            return $"Dispute {d.Id} opened on {parse.GetValue(invoice)}; its reminders pause until it is resolved.";
        }));

        var id = Required("--id", "The dispute id");
        var resolution = Required("--resolution", "How it was resolved");
        var credit = Optional("--credit", "Issue a credit note for this amount");
        var user2 = UserOption();
        var on2 = OnOption();
        var resolve = new Command("resolve", "Resolve a dispute: the invoice stands, or --credit reduces it; reminders resume");
        foreach (var o in new Option[] { id, resolution, credit, user2, on2 }) resolve.Options.Add(o);
        resolve.SetAction((parse, ct) =>
        {
            var creditAmount = parse.GetValue(credit) is { } c ? Amount(c, "--credit") : (decimal?)null;
            return RunAsync(context, ct, async w =>
            {
                var d = await w.ResolveDisputeAsync(Id(parse.GetValue(id)!, "--id"), parse.GetValue(resolution)!, creditAmount, parse.GetValue(user2)!,
                    Date(parse.GetValue(on2), "--on", context), ct);
                return d.State == DisputeState.Credited ? $"Dispute {d.Id} resolved with credit note {d.CreditNoteId}; reminders resume for what is still owed."
                    : $"Dispute {d.Id} resolved; the invoice stands and its reminders resume.";
            });
        });
        var command = new Command("dispute", "Disputes: open, resolve");
        command.Subcommands.Add(open);
        command.Subcommands.Add(resolve);
        return command;
    }

    private static Command Plan(CliContext context)
    {
        var account = Required("--account", "The account's external id");
        var invoices = new Option<string[]>("--invoice") { Description = "An invoice the plan pays off (repeat; default: every open invoice)", AllowMultipleArgumentsPerToken = true };
        var count = Required("--instalments", "How many instalments");
        var every = Optional("--every", "Days between instalments (default 30)");
        var first = Required("--first", "The first instalment's date", "yyyy-MM-dd");
        var discount = Optional("--discount", "Discount percent granted with the plan (default 0)");
        var user = UserOption();
        var on = OnOption();
        var propose = new Command("propose", "Propose a payment plan; within the CSM's limits it is approved at once, above them finance approves");
        foreach (var o in new Option[] { account, invoices, count, every, first, discount, user, on }) propose.Options.Add(o);
        propose.SetAction((parse, ct) =>
        {
            var n = Whole(parse.GetValue(count)!, "--instalments");
            var days = parse.GetValue(every) is { } e ? Whole(e, "--every") : 30;
            var firstDue = ReportCommand.ParseDate(parse.GetValue(first), "--first")!.Value;
            var pct = parse.GetValue(discount) is { } p ? Amount(p, "--discount") : 0m;
            return RunAsync(context, ct, async w =>
            {
                var plan = await w.ProposePlanAsync(parse.GetValue(account)!, parse.GetValue(invoices) ?? [], n, days, firstDue, pct, parse.GetValue(user)!,
                    Date(parse.GetValue(on), "--on", context), ct);
                var schedule = string.Join(", ", plan.Instalments.Select(i => $"{i.Amount} on {ReportOutput.Date(i.DueOn)}"));
                return plan.State == PaymentPlanState.Active
                    ? $"Payment plan {plan.Id} approved: {schedule}."
                    : $"Payment plan {plan.Id} awaits finance approval ({schedule}).";
            });
        });

        var command = new Command("plan", "Payment plans: propose, approve, reject");
        command.Subcommands.Add(propose);
        command.Subcommands.Add(PlanDecision(context, "approve", "Approve a payment plan awaiting approval", reason: false));
        command.Subcommands.Add(PlanDecision(context, "reject", "Reject a payment plan awaiting approval", reason: true));
        return command;
    }

    private static Command PlanDecision(CliContext context, string name, string description, bool reason)
    {
        var id = Required("--id", "The payment plan id");
        var why = Required("--reason", "Why");
        var user = UserOption();
        var on = OnOption();
        var command = new Command(name, description);
        command.Options.Add(id);
        if (reason) command.Options.Add(why);
        command.Options.Add(user);
        command.Options.Add(on);
        command.SetAction((parse, ct) => RunAsync(context, ct, async w =>
        {
            var planId = Id(parse.GetValue(id)!, "--id");
            var today = Date(parse.GetValue(on), "--on", context);
            var plan = reason ? await w.RejectPlanAsync(planId, parse.GetValue(why)!, parse.GetValue(user)!, today, ct)
                : await w.ApprovePlanAsync(planId, parse.GetValue(user)!, today, ct);
            return $"Payment plan {plan.Id} is {(plan.State == PaymentPlanState.Active ? "approved" : "rejected")}.";
        }));
        return command;
    }

    private static Command Renewal(CliContext context)
    {
        Command Decide(string name, bool approve)
        {
            var id = Required("--id", "The renewal review id");
            var reason = approve ? Optional("--note", "A note for the record") : (Option<string?>)Required("--reason", "Why the invoice is held")!;
            var user = UserOption();
            var on = OnOption();
            var amount = Optional("--amount", "The renewal invoice's amount, when not the subscription's MRR × term (in the subscription's currency)");
            var command = new Command(name, approve ? "Approve: the cycle issues the renewal invoice and sends it to the billing contact" : "Hold the renewal invoice, with a reason");
            foreach (var o in approve ? new Option[] { id, reason, amount, user, on } : [id, reason, user, on]) command.Options.Add(o);
            command.SetAction((parse, ct) => RunAsync(context, ct, async w =>
            {
                var r = await w.DecideRenewalAsync(Id(parse.GetValue(id)!, "--id"), approve, parse.GetValue(reason), parse.GetValue(user)!, Date(parse.GetValue(on), "--on", context), ct,
                    approve && parse.GetValue(amount) is { } text ? Amount(text, "--amount") : null);
                return $"Renewal review {r.Id} ({ReportOutput.Date(r.RenewalDate)}): {(r.InvoiceMayGoOut ? "approved, the cycle issues the renewal invoice" + (r.ApprovedAmount is { } m ? $" for {m}" : "") : $"held: {r.Reason}")}.";
            }));
            return command;
        }

        var list = new Command("list", "Renewal reviews whose renewal invoice has not gone out: pending, held (with the reason), approved");
        list.SetAction(async (_, ct) =>
        {
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            var reviews = await db.RenewalReviews.AsNoTracking().Where(r => r.InvoiceId == null).ToListAsync(ct);
            var accounts = await db.Accounts.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.Name, ct);
            foreach (var r in reviews.OrderBy(r => r.RenewalDate))
                await context.Output.WriteLineAsync($"{r.Id}\t{accounts[r.AccountId]}\trenews {ReportOutput.Date(r.RenewalDate)}\t{Describe(r)}");
            if (reviews.Count == 0) await context.Output.WriteLineAsync("No renewal review is waiting.");
            return 0;
        });

        static string Describe(RenewalReview r) => r.State switch
        {
            RenewalReviewState.Held => $"held: {r.Reason}; no renewal invoice goes out",
            RenewalReviewState.Approved => "approved; the cycle issues the renewal invoice" + (r.ApprovedAmount is { } m ? $" for {m}" : ""),
            _ => "pending",
        };
        var renewal = new Command("renewal", "Renewal-invoice reviews, opened 90 days before each renewal: list, approve, hold");
        renewal.Subcommands.Add(list);
        renewal.Subcommands.Add(Decide("approve", approve: true));
        renewal.Subcommands.Add(Decide("hold", approve: false));
        return renewal;
    }

    private static Command Cancellation(CliContext context)
    {
        var subscription = Required("--subscription", "The subscription's external id");
        var reason = Required("--reason", "Why the customer wants to cancel");
        var nonPayment = new Option<bool>("--non-payment") { Description = "The cancellation is for non-payment (reason delinquent)" };
        var user = UserOption();
        var on = OnOption();
        var request = new Command("request", "Log a cancellation request; the CSM gets a save-call task");
        foreach (var o in new Option[] { subscription, reason, nonPayment, user, on }) request.Options.Add(o);
        request.SetAction((parse, ct) => RunAsync(context, ct, async w =>
        {
            var r = await w.RequestCancellationAsync(parse.GetValue(subscription)!, parse.GetValue(reason)!, parse.GetValue(nonPayment), parse.GetValue(user)!,
                Date(parse.GetValue(on), "--on", context), ct);
            return $"Cancellation request {r.Id} logged; the CSM's save call is due by {ReportOutput.Date(r.SaveCallDueOn)}.";
        }));

        var id = Required("--id", "The cancellation request id");
        var outcomeOption = Required("--outcome", "saved, downgraded or cancelled", "saved|downgraded|cancelled");
        var mrr = Optional("--mrr", "For a downgrade: the new MRR");
        var effective = Optional("--effective", "For a downgrade or cancellation: the first day it applies", "yyyy-MM-dd");
        var note = Optional("--note", "What was said on the call");
        var user2 = UserOption();
        var on2 = OnOption();
        var outcome = new Command("outcome", "Record the save call's outcome");
        foreach (var o in new Option[] { id, outcomeOption, mrr, effective, note, user2, on2 }) outcome.Options.Add(o);
        outcome.SetAction((parse, ct) =>
        {
            var result = parse.GetValue(outcomeOption)!.Trim().ToLowerInvariant() switch
            {
                "saved" => CancellationOutcome.Saved,
                "downgraded" => CancellationOutcome.Downgraded,
                "cancelled" or "canceled" => CancellationOutcome.Cancelled,
                var other => throw new UserErrorException($"--outcome '{other}' is not an outcome: use saved, downgraded or cancelled"),
            };
            var newMrr = parse.GetValue(mrr) is { } m ? Amount(m, "--mrr") : (decimal?)null;
            var from = ReportCommand.ParseDate(parse.GetValue(effective), "--effective");
            return RunAsync(context, ct, async w =>
            {
                var r = await w.RecordCancellationOutcomeAsync(Id(parse.GetValue(id)!, "--id"), result, parse.GetValue(note), newMrr, from, parse.GetValue(user2)!,
                    Date(parse.GetValue(on2), "--on", context), ct);
                return result == CancellationOutcome.Saved ? $"Cancellation request {r.Id}: saved." : $"Cancellation request {r.Id}: {r.State.ToString().ToLowerInvariant()}; finance carries it out.";
            });
        });

        var id3 = Required("--id", "The cancellation request id");
        var user3 = UserOption();
        var on3 = OnOption();
        var carryOut = new Command("carry-out", "Finance carries out a downgrade or cancellation");
        foreach (var o in new Option[] { id3, user3, on3 }) carryOut.Options.Add(o);
        carryOut.SetAction((parse, ct) => RunAsync(context, ct, async w =>
        {
            var r = await w.CarryOutCancellationAsync(Id(parse.GetValue(id3)!, "--id"), parse.GetValue(user3)!, Date(parse.GetValue(on3), "--on", context), ct);
            return $"Cancellation request {r.Id} carried out from {ReportOutput.Date(r.EffectiveOn!.Value)}" + (r.NewMrrValue is null ? $" (reason {r.SubscriptionReason.ToString().ToLowerInvariant()})." : ".");
        }));

        var command = new Command("cancellation", "Cancellation requests: request, outcome, carry-out");
        command.Subcommands.Add(request);
        command.Subcommands.Add(outcome);
        command.Subcommands.Add(carryOut);
        return command;
    }

    private static Command Tasks(CliContext context)
    {
        var user = Optional("--user", "Only this person's tasks", "email");
        var list = new Command("list", "Open tasks and calls, oldest due first");
        list.Options.Add(user);
        list.SetAction(async (parse, ct) =>
        {
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Email, ct);
            var tasks = await db.WorkTasks.AsNoTracking().Where(t => t.State == WorkTaskState.Open).ToListAsync(ct);
            var only = parse.GetValue(user)?.Trim().ToLowerInvariant();
            var shown = tasks.Where(t => only is null || (t.OwnerUserId is { } o && users[o] == only)).OrderBy(t => t.DueOn).ThenBy(t => t.Id).ToList();
            foreach (var t in shown)
                await context.Output.WriteLineAsync($"{t.Id}\tdue {ReportOutput.Date(t.DueOn)}\t{(t.OwnerUserId is { } o ? users[o] : t.OwnerRole.ToString().ToLowerInvariant())}\t{t.Title}");
            if (shown.Count == 0) await context.Output.WriteLineAsync("No open tasks.");
            return 0;
        });
        var id = Required("--id", "The task id");
        var doneUser = UserOption();
        var on = OnOption();
        var done = new Command("done", "Mark a task done");
        foreach (var o in new Option[] { id, doneUser, on }) done.Options.Add(o);
        done.SetAction((parse, ct) => RunAsync(context, ct, async w =>
        {
            var t = await w.CompleteTaskAsync(Id(parse.GetValue(id)!, "--id"), parse.GetValue(doneUser)!, Date(parse.GetValue(on), "--on", context), ct);
            return $"Task {t.Id} done.";
        }));
        var command = new Command("task", "Tasks and calls for CSMs, collectors and finance: list, done");
        command.Subcommands.Add(list);
        command.Subcommands.Add(done);
        return command;
    }

    private static Command Audit(CliContext context)
    {
        var account = Required("--account", "The account's external id");
        var format = new Option<string?>("--format") { Description = "table (default), json or csv", HelpName = "table|json|csv" };
        var command = new Command("audit", "The audit log of one account's money decisions: who, when, what");
        command.Options.Add(account);
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            var kind = ReportCommand.ParseFormat(parse.GetValue(format));
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            var externalId = parse.GetValue(account)!;
            var found = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.ExternalId == externalId, ct)
                        ?? throw new UserErrorException($"there is no account {externalId}");
            var entries = await AuditLog.ForAccountAsync(db, found.Id, ct);
            await AuditOutput.WriteAsync(found.Name, entries, kind, context);
            return 0;
        });
        return command;
    }
}
