using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Demo;
using CsmPayments.Engagement;

namespace CsmPayments.Tests.Demo;

public sealed class DemoCompanyTests(Demo300 demo) : IClassFixture<Demo300>
{
    private static readonly DateOnly AsOf = Demo300.AsOf;

    [Fact]
    public void Every_fate_is_dealt_in_its_share_of_the_book()
    {
        var counts = demo.Accounts.GroupBy(a => a.Profile.Fate).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(105, counts[AccountFate.Healthy]);
        Assert.Equal(45, counts[AccountFate.Growing]);
        Assert.Equal(15, counts[AccountFate.Contracting]);
        Assert.Equal(30, counts[AccountFate.New]);
        Assert.Equal(15, counts[AccountFate.Recovered]);
        Assert.Equal(30, counts[AccountFate.VoluntaryChurn]);
        Assert.Equal(15, counts[AccountFate.DelinquentChurn]);
        Assert.Equal(15, counts[AccountFate.SilentChurn]);
        Assert.Equal(15, counts[AccountFate.AtRisk]);
        Assert.Equal(15, counts[AccountFate.Delinquent]);
    }

    [Fact]
    public void Every_payment_behaviour_shows_in_the_rows_of_several_accounts()
    {
        int Count(Func<DemoAccount, bool> shows) => demo.Accounts.Count(shows);

        var onTime = Count(a => a.Profile.Payment == PaymentBehaviour.OnTime && a.Invoices.Count > 0 && a.Invoices
            .Where(i => i.Status == InvoiceStatus.Open && i.DueDate < AsOf.AddDays(-60))
            .All(i => a.Payments.Any(p => p.InvoiceNumber == i.Number && p.Status == PaymentStatus.Succeeded && p.PaidOn <= i.DueDate)));
        var late = Count(a => a.Invoices.Any(i => a.Payments.Any(p => p.InvoiceNumber == i.Number && p.Status == PaymentStatus.Succeeded && p.PaidOn > i.DueDate.AddDays(10))));
        var partial = Count(a => a.Invoices.Any(i => a.Payments.Count(p => p.InvoiceNumber == i.Number && p.Status == PaymentStatus.Succeeded && p.Amount < i.Amount) >= 1
            && a.CreditNotes.All(c => c.InvoiceNumber != i.Number)));
        var declinedThenPaid = Count(a => a.Invoices.Any(i => a.Payments.Any(p => p.InvoiceNumber == i.Number && p.Status == PaymentStatus.Failed)
            && a.Payments.Any(p => p.InvoiceNumber == i.Number && p.Status == PaymentStatus.Succeeded && p.Method == PaymentMethod.Card)));
        var declinedForGood = Count(a => a.Invoices.Any(i => a.Payments.Count(p => p.InvoiceNumber == i.Number && p.Status == PaymentStatus.Failed) >= 4
            && a.Payments.All(p => p.InvoiceNumber != i.Number || p.Status == PaymentStatus.Failed)));
        var disputedAndCredited = Count(a => a.CreditNotes.Count > 0 && a.Tickets.Any(t => t.Subject.StartsWith("Billing dispute", StringComparison.Ordinal)));
        var disputedAndUnpaid = Count(a => a.Tickets.Any(t => t.Subject.StartsWith("Billing dispute", StringComparison.Ordinal) && t.Status != TicketStatus.Solved));
        var unapplied = Count(a => a.Payments.Any(p => p.InvoiceNumber is null && p.Status == PaymentStatus.Succeeded));
        var voided = Count(a => a.Invoices.Any(i => i.Status == InvoiceStatus.Void));
        var writtenOff = Count(a => a.Invoices.Any(i => i.Status == InvoiceStatus.Uncollectible));

        Assert.True(onTime >= 100, $"{onTime} accounts always pay on time");
        Assert.True(late >= 30, $"{late} accounts paid an invoice more than ten days late");
        Assert.True(partial >= 10, $"{partial} accounts paid an invoice in part");
        Assert.True(declinedThenPaid >= 15, $"{declinedThenPaid} accounts had a card declined, then paid by card");
        Assert.True(declinedForGood >= 5, $"{declinedForGood} accounts had every retry declined");
        Assert.True(disputedAndCredited >= 5, $"{disputedAndCredited} accounts disputed an invoice and got a credit note");
        Assert.True(disputedAndUnpaid >= 2, $"{disputedAndUnpaid} accounts have a dispute still open");
        Assert.True(unapplied >= 5, $"{unapplied} accounts have unapplied payments");
        Assert.True(voided >= 5, $"{voided} accounts have a void invoice");
        Assert.True(writtenOff >= 3, $"{writtenOff} accounts have invoices written off as uncollectible");
        foreach (var behaviour in Enum.GetValues<PaymentBehaviour>())
            Assert.True(demo.Accounts.Count(a => a.Profile.Payment == behaviour) >= 10, $"few accounts behave {behaviour}");
    }

    [Fact]
    public void Decline_codes_are_real_ones_and_only_on_failed_card_attempts()
    {
        string[] known = ["card_declined", "insufficient_funds", "expired_card", "do_not_honor", "processing_error"];
        var payments = demo.Accounts.SelectMany(a => a.Payments).ToList();
        Assert.All(payments.Where(p => p.Status == PaymentStatus.Failed), p =>
        {
            Assert.Contains(p.FailureCode, known);
            Assert.Equal(PaymentMethod.Card, p.Method);
        });
        Assert.All(payments.Where(p => p.Status == PaymentStatus.Succeeded), p => Assert.Null(p.FailureCode));
        Assert.All(known, code => Assert.Contains(payments, p => p.FailureCode == code));
    }

    [Fact]
    public void Churn_of_both_reasons_ends_every_subscription_before_the_as_of_date()
    {
        foreach (var (fate, reason) in new[] { (AccountFate.VoluntaryChurn, CancellationReason.Voluntary), (AccountFate.DelinquentChurn, CancellationReason.Delinquent) })
        {
            foreach (var a in demo.WithFate(fate))
            {
                var last = a.Subscriptions[^1];
                Assert.Equal(reason, last.CancellationReason);
                Assert.True(last.EndDate <= AsOf, $"{a.ExternalId} ends {last.EndDate}");
                Assert.True(last.EndDate >= demo.Company.Settings.HistoryStart.AddDays(120), $"{a.ExternalId} ends before it has a history");
                Assert.DoesNotContain(a.Subscriptions, s => s.IsActiveOn(AsOf));
                Assert.True(MonthlyRecurringRevenue.Of(Facts(a), last.EndDate!.Value.AddDays(-1), a.Currency).IsPositive);
                Assert.DoesNotContain(a.Usage, u => u.Date >= last.EndDate);
                Assert.DoesNotContain(a.Invoices, i => i.Status != InvoiceStatus.Void && i.IssueDate >= last.EndDate);
            }
        }
        Assert.All(demo.Accounts.Where(a => a.Profile.Fate is not (AccountFate.VoluntaryChurn or AccountFate.DelinquentChurn)),
            a => Assert.True(MonthlyRecurringRevenue.Of(Facts(a), AsOf, a.Currency).IsPositive, a.ExternalId));
    }

    [Fact]
    public void Delinquent_churners_had_invoices_overdue_60_to_120_days_when_they_were_ended()
    {
        foreach (var a in demo.WithFate(AccountFate.DelinquentChurn))
        {
            var end = a.Subscriptions[^1].EndDate!.Value;
            // Written-off invoices were still open when the subscription ended; the write-off came later.
            var owed = DemoLedger.Position(end, [a], beforeWriteOffs: true).Invoices.Where(i => i.Balance.IsPositive).ToList();
            Assert.NotEmpty(owed);
            var oldest = owed.Max(i => i.DaysPastDue(end));
            Assert.InRange(oldest, 60, 120);
        }
    }

    [Fact]
    public void Silent_churners_stopped_using_the_product_while_billing_and_paying_continue()
    {
        foreach (var a in demo.WithFate(AccountFate.SilentChurn))
        {
            var stopped = a.Profile.UsageStoppedOn!.Value;
            Assert.True(stopped <= AsOf.AddDays(-30));
            Assert.All(a.Usage.Where(u => u.Date >= stopped), u => Assert.Equal((0, 0L), (u.ActiveUsers, u.Events)));
            Assert.True(a.Usage.Where(u => u.Date < stopped.AddDays(-30)).Sum(u => u.ActiveUsers) > 0);
            Assert.True(MonthlyRecurringRevenue.Of(Facts(a), AsOf, a.Currency).IsPositive);
            if (a.Profile.Interval == BillingInterval.Monthly)
            {
                Assert.Contains(a.Invoices, i => i.IssueDate > stopped);
                Assert.Contains(a.Payments, p => p.Status == PaymentStatus.Succeeded && p.PaidOn > stopped);
            }
            else
            {
                // Paid for the year ahead; the renewal is where it will show.
                Assert.Contains(a.Payments, p => p.Status == PaymentStatus.Succeeded && p.PaidOn > AsOf.AddYears(-1));
            }
        }
        // Nobody else goes a month without a single active user.
        Assert.All(demo.Accounts.Where(a => a.Profile.Fate != AccountFate.SilentChurn && a.Usage.Count > 60), a =>
            Assert.True(a.Usage.TakeLast(30).Sum(u => u.ActiveUsers) > 0, a.ExternalId));
    }

    [Fact]
    public void Every_aging_bucket_holds_open_invoices_as_of_the_as_of_date()
    {
        var position = DemoLedger.Position(AsOf, demo.Accounts);
        var buckets = position.Invoices.Where(i => i.Balance.IsPositive).GroupBy(i => DemoLedger.Bucket(i.DaysPastDue(AsOf)))
            .ToDictionary(g => g.Key, g => g.Count());
        foreach (var bucket in new[] { "current", "1-30", "31-60", "61-90", "90+" })
            Assert.True(buckets.GetValueOrDefault(bucket) >= 10, $"{bucket}: {buckets.GetValueOrDefault(bucket)} invoices");

        // The accounts that stopped paying have invoices in every overdue bucket between them, and none of their own is paid.
        var delinquent = DemoLedger.Position(AsOf, demo.WithFate(AccountFate.Delinquent)).Invoices.Where(i => i.Balance.IsPositive)
            .Select(i => DemoLedger.Bucket(i.DaysPastDue(AsOf))).ToHashSet();
        Assert.Superset(new HashSet<string> { "1-30", "31-60", "61-90", "90+" }, delinquent);
        Assert.All(position.CreditByAccount.Values, credit => Assert.True(credit.IsPositive));
    }

    [Fact]
    public void Nothing_happens_after_the_as_of_date_and_history_covers_a_year()
    {
        var start = demo.Company.Settings.HistoryStart;
        foreach (var a in demo.Accounts)
        {
            var events = a.Invoices.Select(i => i.IssueDate)
                .Concat(a.Payments.Select(p => p.PaidOn))
                .Concat(a.CreditNotes.Select(c => c.IssuedOn))
                .Concat(a.Usage.Select(u => u.Date))
                .Concat(a.Tickets.Select(t => t.OpenedOn))
                .Concat(a.Tickets.Where(t => t.SolvedOn is not null).Select(t => t.SolvedOn!.Value))
                .Concat(a.NpsResponses.Select(n => n.RespondedOn))
                .Concat(a.Touchpoints.Select(t => t.OccurredOn))
                .Concat(a.Subscriptions.Select(s => s.StartDate))
                .Concat(a.Subscriptions.Where(s => s.EndDate is not null).Select(s => s.EndDate!.Value))
                .ToList();
            Assert.All(events, d => Assert.True(d <= AsOf, $"{a.ExternalId}: {d}"));
            Assert.All(events.Except(a.Subscriptions.Select(s => s.StartDate)), d => Assert.True(d >= start, $"{a.ExternalId}: {d} before the history starts"));
            // Renewal and due dates look ahead by nature; the renewal of a running subscription is the next one.
            Assert.All(a.Subscriptions.Where(s => s.EndDate is null), s => Assert.True(s.RenewalDate > AsOf));
        }
        Assert.Equal(start, demo.Accounts.SelectMany(a => a.Usage).Min(u => u.Date));
        Assert.Equal(AsOf, demo.Accounts.SelectMany(a => a.Usage).Max(u => u.Date));
        Assert.True(AsOf.DayNumber - start.DayNumber >= 365);
    }

    [Fact]
    public void Invoices_follow_the_subscriptions()
    {
        var start = demo.Company.Settings.HistoryStart;
        foreach (var a in demo.Accounts)
        {
            var billed = a.Invoices.Where(i => i.Status != InvoiceStatus.Void).ToList();
            foreach (var i in billed)
            {
                var s = Assert.Single(a.Subscriptions, s => s.ExternalId == i.SubscriptionId);
                Assert.True(s.IsActiveOn(i.IssueDate), $"{i.Number} issued while {s.ExternalId} was not running");
                Assert.Contains(i.IssueDate, Cycles(s, start));
                Assert.Equal(s.Interval == BillingInterval.Annual ? s.Mrr * 12m : s.Mrr, i.Amount);
                Assert.Contains(i.DueDate.DayNumber - i.IssueDate.DayNumber, new[] { 15, 30 });
            }
            foreach (var s in a.Subscriptions)
                Assert.Equal(Cycles(s, start).ToList(), billed.Where(i => i.SubscriptionId == s.ExternalId).Select(i => i.IssueDate).ToList());
            Assert.Equal(a.Invoices.Select(i => i.IssueDate).Order().ToList(), a.Invoices.Select(i => i.IssueDate).ToList());
        }

        // Replaced subscriptions hand over on the same day: expansions and contractions, not gaps.
        foreach (var a in demo.WithFate(AccountFate.Growing, AccountFate.Contracting))
        {
            Assert.Equal(2, a.Subscriptions.Count);
            Assert.Equal(a.Subscriptions[0].EndDate, a.Subscriptions[1].StartDate);
            Assert.Null(a.Subscriptions[0].CancellationReason);
            if (a.Profile.Fate == AccountFate.Growing) Assert.True(a.Subscriptions[1].Mrr > a.Subscriptions[0].Mrr);
            else Assert.True(a.Subscriptions[1].Mrr < a.Subscriptions[0].Mrr);
        }
        var intervals = demo.Accounts.SelectMany(a => a.Subscriptions).GroupBy(s => s.Interval).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(intervals[BillingInterval.Monthly] >= 100 && intervals[BillingInterval.Annual] >= 50);
    }

    private static IEnumerable<DateOnly> Cycles(DemoSubscription s, DateOnly historyStart)
    {
        for (var k = 0; ; k++)
        {
            var issue = s.Interval == BillingInterval.Annual ? s.StartDate.AddYears(k) : s.StartDate.AddMonths(k);
            if (issue > AsOf || s.EndDate is { } end && issue >= end) yield break;
            if (issue >= historyStart) yield return issue;
        }
    }

    [Fact]
    public void Rows_agree_with_each_other()
    {
        var userEmails = demo.Company.Staff.All.Select(u => u.Email).ToHashSet();
        var contactEmails = new HashSet<string>();
        foreach (var a in demo.Accounts)
        {
            Assert.All(a.Contacts, c => Assert.True(contactEmails.Add(c.Email), $"{c.Email} twice"));
            Assert.Contains(a.Contacts, c => c.Role == ContactRole.Billing);
            Assert.Contains(a.Contacts, c => c.Role == ContactRole.Champion);
            Assert.Contains(a.CsmEmail, demo.Company.Staff.Csms.Select(c => c.Email));
            Assert.All(a.Subscriptions, s => Assert.Equal(a.Currency, s.Mrr.Currency));
            Assert.All(a.Invoices, i => Assert.Equal(a.Currency, i.Amount.Currency));
            Assert.All(a.Payments, p => Assert.Equal(a.Currency, p.Amount.Currency));
            Assert.All(a.CreditNotes, c => Assert.Equal(a.Currency, c.Amount.Currency));

            var invoices = a.Invoices.ToDictionary(i => i.Number);
            foreach (var i in a.Invoices)
            {
                var paid = a.Payments.Where(p => p.InvoiceNumber == i.Number && p.Status == PaymentStatus.Succeeded).Sum(p => p.Amount.Amount);
                var credited = a.CreditNotes.Where(c => c.InvoiceNumber == i.Number).Sum(c => c.Amount.Amount);
                Assert.True(paid + credited <= i.Amount.Amount, $"{i.Number}: {paid} paid and {credited} credited on {i.Amount}");
                if (i.Status != InvoiceStatus.Open) Assert.Equal(0m, paid + credited);
            }
            Assert.All(a.Payments.Where(p => p.InvoiceNumber is not null), p => Assert.True(p.PaidOn >= invoices[p.InvoiceNumber!].IssueDate));
            Assert.All(a.CreditNotes, c => Assert.True(c.IssuedOn >= invoices[c.InvoiceNumber].IssueDate));
            Assert.All(a.Payments.Concat<object>(a.CreditNotes).Concat(a.Invoices), row => Assert.True(row switch
            {
                DemoPayment p => p.Amount.IsPositive,
                DemoCreditNote c => c.Amount.IsPositive,
                DemoInvoice i => i.Amount.IsPositive,
                _ => false,
            }));

            Assert.All(a.Tickets, t => Assert.Equal(t.Status == TicketStatus.Solved, t.SolvedOn is not null));
            Assert.All(a.Tickets, t => Assert.True(t.SolvedOn is null || t.SolvedOn >= t.OpenedOn));
            Assert.All(a.NpsResponses, n => Assert.Contains(n.ContactEmail, a.Contacts.Select(c => c.Email)));
            Assert.All(a.NpsResponses, n => Assert.InRange(n.Score, 0, 10));
            Assert.All(a.Touchpoints, t => Assert.Contains(t.UserEmail, userEmails));

            // The keys rows are matched on when imported are unique, so a second import changes nothing.
            AssertUnique(a.Invoices.Select(i => i.Number));
            AssertUnique(a.Payments.Select(p => p.ExternalId));
            AssertUnique(a.CreditNotes.Select(c => c.Number));
            AssertUnique(a.Subscriptions.Select(s => s.ExternalId));
            AssertUnique(a.Tickets.Select(t => t.ExternalId));
            AssertUnique(a.Usage.Select(u => u.Date));
            AssertUnique(a.NpsResponses.Select(n => (n.ContactEmail, n.RespondedOn)));
            AssertUnique(a.Touchpoints.Select(t => (t.UserEmail, t.OccurredOn, t.Kind)));
            Assert.Equal(a.Usage.Select(u => u.Date).Order(), a.Usage.Select(u => u.Date));
        }
        AssertUnique(demo.Accounts.Select(a => a.ExternalId));
        AssertUnique(demo.Accounts.Select(a => a.Name));
    }

    private static void AssertUnique<T>(IEnumerable<T> keys)
    {
        var list = keys.ToList();
        Assert.Equal(list.Count, list.Distinct().Count());
    }

    [Fact]
    public void The_book_looks_like_a_real_one()
    {
        var staff = demo.Company.Staff;
        Assert.Equal(8, staff.Csms.Count);
        Assert.All(staff.Csms, c => Assert.True(c.Capacity > 0));
        Assert.Equal([UserRole.Collector, UserRole.Collector, UserRole.Controller, UserRole.Cfo, UserRole.CsLead, UserRole.Admin],
            staff.All.Skip(8).Select(u => u.Role));
        var books = demo.Accounts.GroupBy(a => a.CsmEmail).Select(g => g.Count()).ToList();
        Assert.Equal(8, books.Count);
        Assert.True(books.Max() >= 2 * books.Min(), "books are uneven, as they are in real teams");

        var rates = Cycle.CycleBook.DemoRates;
        var arr = demo.Accounts.Where(a => a.Subscriptions.Any(s => s.IsActiveOn(AsOf)))
            .Select(a => (Account: a, Arr: rates.ToBase(MonthlyRecurringRevenue.Of(Facts(a), AsOf, a.Currency)).Amount * 12))
            .OrderByDescending(x => x.Arr).ToList();
        var total = arr.Sum(x => x.Arr);
        Assert.True(arr.Take(arr.Count / 10).Sum(x => x.Arr) >= 0.35m * total, "a long tail: the largest tenth holds much of the ARR");
        Assert.True(arr[arr.Count / 2].Arr < total / arr.Count, "the median account is smaller than the mean");
        decimal MedianArr(ServiceTier tier) => arr.Where(x => x.Account.Profile.Tier == tier).Select(x => x.Arr).Order().ElementAt(arr.Count(x => x.Account.Profile.Tier == tier) / 2);
        Assert.True(MedianArr(ServiceTier.High) > MedianArr(ServiceTier.Medium) && MedianArr(ServiceTier.Medium) > MedianArr(ServiceTier.Low));
        Assert.InRange(demo.Accounts.Count(a => a.Profile.Tier == ServiceTier.High), 12, 45);
        Assert.InRange(demo.Accounts.Count(a => a.ExplicitTier is null), 50, 130);

        var currencies = demo.Accounts.GroupBy(a => a.Currency).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(currencies["USD"] > 150);
        Assert.All(new[] { "EUR", "GBP", "CAD", "AUD" }, c => Assert.True(currencies.GetValueOrDefault(c) >= 5, c));
        Assert.All(demo.Accounts.Where(a => a.Currency == "EUR"), a => Assert.Contains(a.Country, new[] { "IE", "DE", "FR", "NL", "ES" }));
        Assert.All(demo.Accounts.Where(a => a.Currency == "GBP"), a => Assert.Equal("GB", a.Country));
        Assert.All(demo.Accounts.Where(a => a.Currency == "CAD"), a => Assert.Equal("CA", a.Country));
        Assert.All(demo.Accounts.Where(a => a.Currency == "AUD"), a => Assert.Equal("AU", a.Country));
        Assert.True(demo.Accounts.Select(a => a.Industry).Distinct().Count() >= 10);
        Assert.True(demo.Accounts.Count(a => a.TimeZone is not null) > 250);
        Assert.InRange(demo.Accounts.Min(a => a.Employees), 3, 20);
        Assert.True(demo.Accounts.Max(a => a.Employees) >= 2_000);

        var withPo = demo.Accounts.Where(a => a.Invoices.Any(i => i.PoNumber is not null)).ToList();
        Assert.NotEmpty(withPo);
        Assert.All(withPo, a => Assert.True(a.Profile.Tier == ServiceTier.High
            || a.Subscriptions.Any(s => s.Plan.StartsWith("Business", StringComparison.Ordinal) || s.Plan.StartsWith("Enterprise", StringComparison.Ordinal)), a.ExternalId));

        // High-touch accounts get QBRs and hear from their CSM most often.
        double PerAccount(ServiceTier tier) => demo.Accounts.Where(a => a.Profile.Tier == tier && a.Profile.Fate == AccountFate.Healthy)
            .Average(a => a.Touchpoints.Count(t => t.UserEmail == a.CsmEmail));
        Assert.True(PerAccount(ServiceTier.High) > PerAccount(ServiceTier.Medium) && PerAccount(ServiceTier.Medium) > PerAccount(ServiceTier.Low));
        Assert.All(demo.Accounts.SelectMany(a => a.Touchpoints.Where(t => t.Kind == TouchpointKind.Qbr).Select(_ => a)),
            a => Assert.Equal(ServiceTier.High, a.Profile.Tier));
    }

    [Fact]
    public void An_account_does_not_depend_on_how_many_accounts_follow_it()
    {
        var small = new DemoCompany(new DemoSettings(40, 42, AsOf)).Accounts().ToList();
        for (var i = 0; i < small.Count; i++)
        {
            var (a, b) = (small[i], demo.Accounts[i]);
            Assert.Equal((a.ExternalId, a.Name, a.Profile, a.CsmEmail), (b.ExternalId, b.Name, b.Profile, b.CsmEmail));
            Assert.Equal(a.Invoices, b.Invoices);
            Assert.Equal(a.Payments, b.Payments);
            Assert.Equal(a.Usage, b.Usage);
            Assert.Equal(a.Touchpoints, b.Touchpoints);
        }
    }

    internal static IEnumerable<SubscriptionFacts> Facts(DemoAccount a) =>
        a.Subscriptions.Select(s => new SubscriptionFacts(a.Index, s.Mrr.Amount, s.Mrr.Currency, s.StartDate, s.EndDate, s.CancellationReason));
}
