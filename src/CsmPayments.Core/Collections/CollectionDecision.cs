using CsmPayments.Organisation;
using CsmPayments.Segments;

namespace CsmPayments.Collections;

public sealed record PauseReason(PauseKind Kind, string Reason);

/// <summary>An invoice as the playbook sees it on one day: what is still owed, and what pauses its reminders.</summary>
public sealed record CollectionInvoice(
    long Id,
    string Number,
    DateOnly IssueDate,
    DateOnly DueDate,
    Money Amount,
    Money Balance,
    string? PoNumber,
    IReadOnlyList<PauseReason> Pauses)
{
    public int DaysOverdue(DateOnly asOf) => asOf.DayNumber - DueDate.DayNumber;
}

/// <summary>Everything the decision needs about one account on one day.</summary>
public sealed record AccountCollectionState(
    long AccountId,
    RiskTier Tier,
    bool HasBillingContact,
    bool Cancelled,
    IReadOnlyList<CollectionInvoice> Invoices,
    IReadOnlySet<(long InvoiceId, string StepId)> Done,
    bool RemindedToday = false,
    bool DeliveredToday = false);

/// <summary>One message to the billing contact: the step whose tone it takes, the invoices at that stage, and every (invoice, step) it settles.</summary>
public sealed record DueMessage(PlaybookStep Step, IReadOnlyList<CollectionInvoice> Invoices, IReadOnlyList<(long InvoiceId, string StepId)> Covers);

/// <summary>A task or call for the step's role about the invoices at that stage.</summary>
public sealed record DueWork(PlaybookStep Step, IReadOnlyList<CollectionInvoice> Invoices);

public sealed record NextStep(PlaybookStep Step, DateOnly On, string InvoiceNumber);

/// <summary>What is due for an account today, and where it stands.</summary>
public sealed record CollectionDay(
    long AccountId,
    RiskTier Tier,
    DueMessage? Delivery,
    DueMessage? Reminder,
    IReadOnlyList<DueWork> Work,
    bool BillingContactNeeded,
    IReadOnlyList<(string InvoiceNumber, PauseReason Pause)> Pauses,
    PlaybookStep? Stage,
    NextStep? Next,
    IReadOnlyList<DueMessage>? HeldForBillingContact = null)
{
    /// <summary>The messages that were due today and wait because nobody is known to send them to.</summary>
    public IReadOnlyList<DueMessage> Held => HeldForBillingContact ?? [];

    public bool IsQuiet => Delivery is null && Reminder is null && Work.Count == 0 && !BillingContactNeeded;
}

/// <summary>
/// Which playbook steps are due for an account today — a pure function of the account's state.
/// <list type="bullet">
/// <item>Only invoices with a balance count: a paid, credited or void invoice stops; a partial payment keeps it going.
/// A cancelled account gets nothing.</item>
/// <item>For each invoice and channel (invoice delivery, reminders, work for a role) the current step is the latest one
/// whose date has come and whose minimum amount the balance reaches; it is due unless already done or paused. So an
/// invoice imported late, or one whose pause ends after a step's date, resumes at the step it has reached, and earlier
/// steps it missed are not sent after the fact.</item>
/// <item>One reminder per account per day: the most escalated due reminder gives the message its tone and lists the
/// invoices at that stage; the other due reminders are settled by the same message. Invoice delivery is its own
/// message (one per account per day, all invoices issued together), sent up to <see cref="DeliveryCatchUpDays"/> days
/// late and never once the invoice is due. Work is one task per step per account.</item>
/// <item>No billing contact: reminders are held and the CSM is asked for one as soon as a reminder is due within
/// <see cref="CollectionSettings.BillingContactLeadDays"/> days.</item>
/// </list>
/// </summary>
public static class CollectionDecision
{
    /// <summary>How many days after its date an invoice delivery is still sent, for runs that were missed.</summary>
    public const int DeliveryCatchUpDays = 3;

    private static readonly StepChannel[] Channels = Enum.GetValues<StepChannel>();

    /// <summary>Whether the step waits while the invoice is paused for any of its reasons.</summary>
    private static bool Skips(PlaybookStep step, IReadOnlyList<PauseReason> pauses)
    {
        for (var i = 0; i < pauses.Count; i++)
            if (step.SkipWhen.Contains(pauses[i].Kind))
                return true;
        return false;
    }

    public static CollectionDay Decide(Playbook playbook, AccountCollectionState state, DateOnly today, ExchangeRates rates)
    {
        var steps = playbook.StepsFor(state.Tier);
        var owing = state.Invoices.Where(i => i.Balance.IsPositive && i.IssueDate <= today).OrderBy(i => i.DueDate).ThenBy(i => i.Number, StringComparer.Ordinal).ToList();
        var pauses = owing.SelectMany(i => i.Pauses.Select(p => (i.Number, p))).ToList();
        if (state.Cancelled || owing.Count == 0)
            return new CollectionDay(state.AccountId, state.Tier, null, null, [], false, pauses, null, null);

        var due = new List<(CollectionInvoice Invoice, PlaybookStep Step)>();
        NextStep? next = null;
        PlaybookStep? stage = null;
        var leadUntil = today.AddDays(playbook.Settings.BillingContactLeadDays);
        var billingContactNeeded = false;

        // Plain loops over the tier's steps, in their order, for each channel in the enum's order: the decision is asked for
        // every owing account every day, and these are the rules the comments below state, without a list per invoice.
        foreach (var invoice in owing)
        {
            var balanceInBase = rates.ToBase(invoice.Balance.Amount, invoice.Balance.Currency);
            // By index: a foreach over the read-only list would box its enumerator, once per invoice and channel.
            for (var j = 0; j < steps.Count; j++)
            {
                var s = steps[j];
                if (balanceInBase >= s.MinAmount && s.Channel == StepChannel.Reminder && state.Done.Contains((invoice.Id, s.Id))
                    && (stage is null || s.Rank > stage.Rank))
                    stage = s;
            }

            foreach (var channel in Channels)
            {
                PlaybookStep? current = null, upcoming = null;
                for (var j = 0; j < steps.Count; j++)
                {
                    var s = steps[j];
                    if (balanceInBase < s.MinAmount || s.Channel != channel) continue;
                    if (s.DateFor(invoice.IssueDate, invoice.DueDate) <= today) current = s;
                    else if (upcoming is null && !Skips(s, invoice.Pauses)) upcoming = s;
                }
                // An invoice is delivered as new only around its issue date (a missed run or two is caught up); later the
                // customer has it already, and once it is overdue the reminders carry it.
                if (channel == StepChannel.Delivery && current is not null
                    && (today > invoice.DueDate || today > current.DateFor(invoice.IssueDate, invoice.DueDate).AddDays(DeliveryCatchUpDays))) current = null;
                if (current is not null && !state.Done.Contains((invoice.Id, current.Id)) && !Skips(current, invoice.Pauses))
                    due.Add((invoice, current));
                if (upcoming is not null)
                {
                    var on = upcoming.DateFor(invoice.IssueDate, invoice.DueDate);
                    if (next is null || on < next.On || (on == next.On && upcoming.Rank > next.Step.Rank)) next = new NextStep(upcoming, on, invoice.Number);
                    if (!state.HasBillingContact && upcoming.Action == StepAction.Email && on <= leadUntil) billingContactNeeded = true;
                }
            }
        }

        DueMessage? Message(StepChannel channel)
        {
            var mails = due.Where(d => d.Step.Channel == channel).ToList();
            if (mails.Count == 0) return null;
            var top = mails.MaxBy(d => d.Step.Rank).Step;
            return new DueMessage(top, mails.Where(d => d.Step.Id == top.Id).Select(d => d.Invoice).ToList(),
                mails.Select(d => (d.Invoice.Id, d.Step.Id)).ToList());
        }

        // One message of each kind per account per day, whatever step or tier an earlier run of the day chose: the
        // day's first run wrote it, a later one (which may see another risk tier) does not add a second.
        var delivery = state.DeliveredToday ? null : Message(StepChannel.Delivery);
        var reminder = state.RemindedToday ? null : Message(StepChannel.Reminder);
        var held = new List<DueMessage>();
        if (!state.HasBillingContact && (delivery is not null || reminder is not null))
        {
            // Held, not dropped: nothing is recorded as done, so once a billing contact is known the step the invoice
            // has reached by then goes out.
            billingContactNeeded = true;
            held.AddRange(new[] { delivery, reminder }.OfType<DueMessage>());
            delivery = reminder = null;
        }
        var work = due.Where(d => d.Step.Channel == StepChannel.Work)
            .GroupBy(d => d.Step.Id)
            .Select(g => new DueWork(g.First().Step, g.Select(d => d.Invoice).ToList()))
            .OrderBy(w => w.Step.Rank)
            .ToList();
        if (reminder is not null && (stage is null || reminder.Step.Rank > stage.Rank)) stage = reminder.Step;
        return new CollectionDay(state.AccountId, state.Tier, delivery, reminder, work, billingContactNeeded, pauses, stage, next, held);
    }
}
