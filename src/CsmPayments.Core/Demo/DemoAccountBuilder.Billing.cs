using CsmPayments.Billing;

namespace CsmPayments.Demo;

internal sealed partial class DemoAccountBuilder
{
    /// <summary>An invoice while its year is played out: what has been paid and credited on it, and when it was settled.</summary>
    private sealed class InvoiceDraft(DateOnly issue, DateOnly due, Money amount, string? po, InvoiceStatus status, string? subscriptionId)
    {
        public DateOnly Issue { get; } = issue;
        public DateOnly Due { get; } = due;
        public Money Amount { get; } = amount;
        public string? Po { get; } = po;
        public InvoiceStatus Status { get; set; } = status;
        public string? SubscriptionId { get; } = subscriptionId;
        public string Number { get; set; } = "";

        /// <summary>Everything paid or credited, including what will only happen after the as-of date.</summary>
        public Money Settled { get; set; } = Money.Zero(amount.Currency);

        public Money Remaining => Amount - Settled;

        /// <summary>The day the balance reached zero, when that is on or before the as-of date.</summary>
        public DateOnly? SettledOn { get; set; }

        public bool AnythingRecorded { get; set; }
        public bool Disputed { get; set; }
    }

    private sealed record PaymentDraft(int Order, string? InvoiceNumber, Money Amount, DateOnly PaidOn, PaymentMethod Method, PaymentStatus Status, string? Code);

    internal sealed record DisputeTicket(DateOnly OpenedOn, DateOnly? SolvedOn, string Subject);

    /// <summary>Invoices from the subscriptions, then how each one was paid, failed, disputed or credited.</summary>
    private sealed class BillingRun(DemoAccountBuilder account, IReadOnlyList<DemoSubscription> subscriptions)
    {
        private readonly Random _r = account.Stream(Draw.Billing);
        private readonly DemoProfile _p = account._profile;
        private readonly DateOnly _asOf = account._asOf;
        private readonly List<InvoiceDraft> _drafts = [];
        private readonly List<PaymentDraft> _payments = [];
        private readonly List<(int Order, DemoCreditNote Note)> _credits = [];

        public List<DemoInvoice> Invoices { get; } = [];
        public List<DemoPayment> Payments { get; } = [];
        public List<DemoCreditNote> CreditNotes { get; } = [];
        public List<DisputeTicket> DisputeTickets { get; } = [];

        /// <summary>The invoices that asked for money (not void), for the collection touchpoints.</summary>
        public IEnumerable<(string Number, DateOnly Due, DateOnly? SettledOn, bool Disputed)> Receivables =>
            _drafts.Where(d => d.Status != InvoiceStatus.Void).Select(d => (d.Number, d.Due, d.SettledOn, d.Disputed));

        public void Run()
        {
            IssueInvoices();
            AddVoidInvoices();
            for (var i = 0; i < _drafts.Count; i++)
                _drafts[i].Number = $"INV-{account._id}-{i + 1:D3}";

            var payable = _drafts.Where(d => d.Status == InvoiceStatus.Open && !IsNeverPaid(d)).ToList();
            var showcase = payable.Where(d => d.Issue <= _asOf.AddDays(-75)).ToList() is { Count: > 0 } mature
                ? _r.Pick(mature)
                : payable.FirstOrDefault();
            foreach (var draft in _drafts.Where(d => d.Status == InvoiceStatus.Open))
                Settle(draft, draft == showcase);

            if (_p.MakesUnappliedPayments) PayUnapplied();
            WriteOff();

            foreach (var d in _drafts)
                Invoices.Add(new DemoInvoice(d.Number, d.SubscriptionId, d.Issue, d.Due, d.Amount, d.Po, d.Status));
            var n = 0;
            foreach (var p in _payments.Where(p => p.PaidOn <= _asOf).OrderBy(p => p.PaidOn).ThenBy(p => p.Order))
                Payments.Add(new DemoPayment($"PAY-{account._id}-{++n:D4}", p.InvoiceNumber, p.Amount, p.PaidOn, p.Method, p.Status, p.Code));
            n = 0;
            foreach (var (_, note) in _credits.Where(c => c.Note.IssuedOn <= _asOf).OrderBy(c => c.Note.IssuedOn).ThenBy(c => c.Order))
                CreditNotes.Add(note with { Number = $"CN-{account._id}-{++n:D3}" });
        }

        /// <summary>
        /// Accounts that stop paying altogether do so from one invoice on, so their oldest debt dates the delinquency;
        /// the others may leave an odd invoice unpaid while in trouble.
        /// </summary>
        private bool LeavesDebtsOpen => _p.FirstUnpaidInvoiceOn is null;

        private bool IsNeverPaid(InvoiceDraft d) => _p.FirstUnpaidInvoiceOn is { } unpaid && d.Issue >= unpaid;

        private void IssueInvoices()
        {
            var poNumbers = new Dictionary<(int, int), string>();
            var usesPo = _p.Tier == Accounts.ServiceTier.High ? _r.Chance(0.6) : DemoCatalog.Plan(account._usdMrr) == "Business" && _r.Chance(0.2);
            for (var s = 0; s < account._segments.Count; s++)
            {
                var segment = account._segments[s];
                var amount = segment.Interval == BillingInterval.Annual ? segment.Mrr * 12m : segment.Mrr;
                for (var k = 0; ; k++)
                {
                    var issue = Cycle(segment.Start, segment.Interval, k);
                    if (issue > _asOf || segment.End is { } end && issue >= end) break;
                    if (issue < account._historyStart) continue;
                    string? po = null;
                    if (usesPo)
                    {
                        // Enterprise buyers raise one purchase order per contract year.
                        var term = (s, segment.Interval == BillingInterval.Annual ? k : k / 12);
                        if (!poNumbers.TryGetValue(term, out po))
                            poNumbers[term] = po = $"PO-{issue.Year}-{_r.Between(10000, 99999)}";
                    }
                    _drafts.Add(new InvoiceDraft(issue, issue.AddDays(_p.PaymentTermDays), amount, po, InvoiceStatus.Open, subscriptions[s].ExternalId));
                }
            }
        }

        private void AddVoidInvoices()
        {
            if (_p.HasVoidInvoice && _drafts.Where(d => !IsNeverPaid(d)).ToList() is { Count: > 0 } candidates)
            {
                // Issued at the old list price by mistake, voided, and reissued correctly the same day.
                var twin = _r.Pick(candidates);
                var wrong = new Money(Math.Round(twin.Amount.Amount * (decimal)_r.Between(1.05, 1.3), 0), twin.Amount.Currency);
                _drafts.Insert(_drafts.IndexOf(twin), new InvoiceDraft(twin.Issue, twin.Due, wrong, twin.Po, InvoiceStatus.Void, twin.SubscriptionId));
            }
            if (_p.Fate == AccountFate.VoluntaryChurn && _p.Interval == BillingInterval.Monthly && _p.EndedOn is { } end && _r.Chance(0.5))
            {
                // The billing run issued one more invoice on the day the cancellation took effect; finance voided it.
                var last = account._segments[^1];
                _drafts.Add(new InvoiceDraft(end, end.AddDays(_p.PaymentTermDays), last.Mrr, null, InvoiceStatus.Void, subscriptions[^1].ExternalId));
            }
        }

        private void Settle(InvoiceDraft invoice, bool showcase)
        {
            if (IsNeverPaid(invoice))
            {
                NeverPaid(invoice);
                return;
            }
            // Silent churners keep paying: nothing in the ledger gives them away.
            var trouble = _p.Fate != AccountFate.SilentChurn && _p.InTrouble(invoice.Issue);
            switch (_p.Payment)
            {
                case PaymentBehaviour.Late:
                    if (showcase || _r.Chance(trouble ? 0.9 : 0.7)) PayLate(invoice, trouble);
                    else PayOnTime(invoice);
                    break;
                case PaymentBehaviour.Partial:
                    if (showcase || _r.Chance(trouble ? 0.8 : 0.45)) PayInParts(invoice, trouble);
                    else PayOnTime(invoice);
                    break;
                case PaymentBehaviour.FailingCard:
                    Charge(invoice, failFirst: showcase || _r.Chance(trouble ? 0.8 : 0.3), trouble);
                    break;
                case PaymentBehaviour.Disputes:
                    if (showcase || _r.Chance(trouble ? 0.35 : 0.08)) Dispute(invoice, trouble);
                    else if (_r.Chance(0.3)) PayLate(invoice, trouble);
                    else PayOnTime(invoice);
                    break;
                default:
                    // Even customers who always paid on time start paying late when they are on their way out.
                    if (trouble && _r.Chance(0.5)) PayLate(invoice, trouble);
                    else PayOnTime(invoice);
                    break;
            }
        }

        private void PayOnTime(InvoiceDraft invoice)
        {
            var paidOn = _p.Method == PaymentMethod.Card
                ? invoice.Issue
                : invoice.Issue.AddDays(_r.Between(2, Math.Max(2, _p.PaymentTermDays - 1)));
            Pay(invoice, paidOn, invoice.Remaining, _p.Method);
        }

        private void PayLate(InvoiceDraft invoice, bool trouble)
        {
            if (_p.Method == PaymentMethod.Card)
            {
                Charge(invoice, failFirst: true, trouble);
                return;
            }
            var daysLate = trouble ? _r.Between(20, 75) : Math.Min(80, 3 + (int)Math.Round(_r.Exponential(12)));
            Pay(invoice, invoice.Due.AddDays(daysLate), invoice.Remaining, _p.Method);
        }

        private void PayInParts(InvoiceDraft invoice, bool trouble)
        {
            var first = new Money(Math.Round(invoice.Amount.Amount * (decimal)_r.Between(0.3, 0.7), 0), invoice.Amount.Currency);
            var firstOn = Later(invoice.Issue, invoice.Due.AddDays(_r.Between(-5, 10)));
            Pay(invoice, firstOn, first, _p.Method);
            if (trouble && LeavesDebtsOpen && _r.Chance(0.5)) return; // the rest never comes
            Pay(invoice, firstOn.AddDays(_r.Between(10, 45)), invoice.Remaining, _p.Method);
        }

        /// <summary>Card on file charged on the issue date; failed charges are retried after 3, 7 and 14 days.</summary>
        private void Charge(InvoiceDraft invoice, bool failFirst, bool trouble)
        {
            if (!failFirst)
            {
                Pay(invoice, invoice.Issue, invoice.Remaining, PaymentMethod.Card);
                return;
            }
            var code = _r.Pick(DemoCatalog.DeclineCodes);
            Fail(invoice, invoice.Issue, code);
            foreach (var retry in (int[])[3, 7, 14])
            {
                // An expired card fails until the customer updates it; other declines may clear on a retry.
                if (code != "expired_card" && _r.Chance(trouble ? 0.15 : 0.55))
                {
                    Pay(invoice, invoice.Issue.AddDays(retry), invoice.Remaining, PaymentMethod.Card);
                    return;
                }
                Fail(invoice, invoice.Issue.AddDays(retry), code);
            }
            if (trouble && _p.Fate == AccountFate.AtRisk && _r.Chance(0.5)) return; // still open
            Pay(invoice, invoice.Issue.AddDays(14 + _r.Between(2, 12)), invoice.Remaining, PaymentMethod.Card);
        }

        private void Dispute(InvoiceDraft invoice, bool trouble)
        {
            invoice.Disputed = true;
            var openedOn = invoice.Issue.AddDays(_r.Between(2, 20));
            var subject = $"Billing dispute: {invoice.Number} " + _r.Pick(["charges for unused seats", "price does not match the order form", "billed after downgrade request", "service credits for outage not applied"]);
            if (trouble && LeavesDebtsOpen && _r.Chance(0.5))
            {
                DisputeTickets.Add(new DisputeTicket(openedOn, null, subject)); // left unpaid, unresolved
                return;
            }
            var creditedOn = Later(openedOn, invoice.Due.AddDays(_r.Between(10, 50)));
            var credit = new Money(Math.Round(invoice.Amount.Amount * (decimal)_r.Between(0.1, 0.5), 0), invoice.Amount.Currency);
            Credit(invoice, creditedOn, credit);
            DisputeTickets.Add(new DisputeTicket(openedOn, creditedOn, subject));
            Pay(invoice, creditedOn.AddDays(_r.Between(2, 12)), invoice.Remaining, _p.Method);
        }

        private void NeverPaid(InvoiceDraft invoice)
        {
            if (_p.Method == PaymentMethod.Card)
            {
                foreach (var retry in (int[])[0, 3, 7, 14])
                    Fail(invoice, invoice.Issue.AddDays(retry), _r.Pick(DemoCatalog.DeclineCodes));
                return;
            }
            if (invoice.Issue == _p.FirstUnpaidInvoiceOn && _r.Chance(0.3))
            {
                // A good-faith part payment after the first chase, then nothing.
                var part = new Money(Math.Round(invoice.Amount.Amount * (decimal)_r.Between(0.2, 0.4), 0), invoice.Amount.Currency);
                Pay(invoice, invoice.Due.AddDays(_r.Between(5, 25)), part, _p.Method);
            }
        }

        /// <summary>Money received without an invoice to apply it to: a payment sent twice, or an advance payment.</summary>
        private void PayUnapplied()
        {
            var method = _p.Method == PaymentMethod.Card ? PaymentMethod.Ach : _p.Method;
            var paidTwice = _drafts.Where(d => d.SettledOn is { } on && on <= _asOf.AddDays(-10) && !d.Disputed).ToList();
            if (paidTwice.Count > 0 && _r.Chance(0.5))
            {
                var invoice = _r.Pick(paidTwice);
                Record(new PaymentDraft(_payments.Count, null, invoice.Amount, invoice.SettledOn!.Value.AddDays(_r.Between(1, 6)), method, PaymentStatus.Succeeded, null));
                return;
            }
            var advance = new Money(Math.Round(account._segments[^1].Mrr.Amount * _r.Between(1, 3), 0), account._currency);
            Record(new PaymentDraft(_payments.Count, null, advance, _r.Between(account.FirstDay, account.LastDay), method, PaymentStatus.Succeeded, null));
        }

        /// <summary>Half of the delinquent churners' unpaid invoices were written off a month after the end; the rest stay in collections.</summary>
        private void WriteOff()
        {
            if (_p.Fate != AccountFate.DelinquentChurn || _p.EndedOn is not { } end || end > _asOf.AddDays(-30) || !_r.Chance(0.5)) return;
            foreach (var invoice in _drafts.Where(d => d.Status == InvoiceStatus.Open && IsNeverPaid(d) && !d.AnythingRecorded))
                invoice.Status = InvoiceStatus.Uncollectible;
        }

        private void Pay(InvoiceDraft invoice, DateOnly paidOn, Money amount, PaymentMethod method)
        {
            if (!amount.IsPositive) return;
            invoice.Settled += amount;
            if (paidOn > _asOf) return;
            invoice.AnythingRecorded = true;
            if (!invoice.Remaining.IsPositive) invoice.SettledOn = paidOn;
            Record(new PaymentDraft(_payments.Count, invoice.Number, amount, paidOn, method, PaymentStatus.Succeeded, null));
        }

        private void Fail(InvoiceDraft invoice, DateOnly triedOn, string code) =>
            Record(new PaymentDraft(_payments.Count, invoice.Number, invoice.Remaining, triedOn, PaymentMethod.Card, PaymentStatus.Failed, code));

        private void Credit(InvoiceDraft invoice, DateOnly issuedOn, Money amount)
        {
            invoice.Settled += amount;
            if (issuedOn > _asOf) return;
            invoice.AnythingRecorded = true;
            if (!invoice.Remaining.IsPositive) invoice.SettledOn = issuedOn;
            _credits.Add((_credits.Count, new DemoCreditNote("", invoice.Number, amount, issuedOn)));
        }

        private void Record(PaymentDraft payment)
        {
            if (payment.PaidOn <= _asOf) _payments.Add(payment);
        }
    }
}
