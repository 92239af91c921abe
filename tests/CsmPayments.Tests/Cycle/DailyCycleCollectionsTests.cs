using CsmPayments.Cycle;
using CsmPayments.Health;
using CsmPayments.Segments;
using CsmPayments.Storage;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Tests.Messaging;
using CsmPayments.Work;
using CsmPayments.Workflows;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Cycle;

/// <summary>The whole daily run: health, then collections on the tiers health gave, alerts, and delivery before it ends.</summary>
public sealed class DailyCycleCollectionsTests
{
    private static async Task<CycleRun> RunDayAsync(CollectionsWorld world, SmtpTestServer smtp, DateOnly day, bool dryRun = false)
    {
        var now = At(day);
        if (now > world.Clock.GetUtcNow()) world.Clock.SetUtcNow(now);
        var settings = await new EvaluationSettings(new HealthOptions(), new SegmentOptions(), world.Organisation.Rates())
            .WithCollectionsAsync(world.Database.Database, day, CancellationToken.None);
        var run = new CycleRun(world.Database.Database, day, settings, dryRun) { Collections = world.Cycle(), Dispatcher = world.Dispatcher(smtp.Port) };
        await DailyCycle.RunAsync(run, CancellationToken.None);
        return run;
    }

    [Theory, Providers]
    public async Task The_cycle_scores_the_day_then_sends_the_due_reminder_once_and_delivers_it_before_it_ends(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);

        var first = await RunDayAsync(world, smtp, Start);
        var again = await RunDayAsync(world, smtp, Start);

        Assert.Equal(1, first.Summary.AccountsEvaluated);
        Assert.Equal(1, first.Delivery!.Sent);
        Assert.Equal(0, again.Delivery!.Sent);
        Assert.Empty(again.CollectionsResult!.Items);
        var mail = Assert.Single(smtp.Received());
        Assert.Equal("Casey Morgan (Northwind Analytics)", mail.From.Mailboxes.Single().Name);
        Assert.Contains("INV-1", mail.TextBody);
        await using var db = world.Database.Open();
        var snapshot = await db.HealthSnapshots.SingleAsync();
        Assert.Equal(Start, snapshot.AsOf);
        Assert.Contains("overdue_invoice", snapshot.Signals);
        var tier = (await SegmentAssignments.RiskTiersAsync(db, Start, CancellationToken.None))[account];
        Assert.Contains(first.CollectionsResult!.Items, i => i.AccountId == account);
        Assert.Equal(tier, first.Outcomes.Single().RiskTier);
    }

    [Theory, Providers]
    public async Task A_dry_run_lists_the_reminder_and_sends_and_stores_nothing(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);

        var dry = await RunDayAsync(world, smtp, Start, dryRun: true);

        Assert.Contains(dry.CollectionsResult!.Items, i => i.AccountId == account && i.Kind == CsmPayments.Collections.CycleItemKind.Email);
        Assert.Null(dry.Delivery);
        Assert.Empty(smtp.Received());
        await using var db = world.Database.Open();
        Assert.Equal(0, await db.OutboxMessages.CountAsync());
        Assert.Equal(0, await db.HealthSnapshots.CountAsync());
    }

    [Theory, Providers]
    public async Task A_broken_promise_resumes_reminders_and_opens_the_csm_s_alert_the_same_day_and_weighs_on_payment_health(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-30), Start, 800m);
        var sentOn = new List<DateOnly>();
        for (var day = Start.AddDays(1); day <= Start.AddDays(15); day = day.AddDays(1))
        {
            if (day == Start.AddDays(2))
                await world.Workflows().RecordPromiseAsync("acme", 800m, Start.AddDays(10), "casey@northwind.test", null, day);
            var before = smtp.Received().Count;
            await RunDayAsync(world, smtp, day);
            if (smtp.Received().Count > before) sentOn.Add(day);
        }

        // Promised for day 10 with three days' grace: broken on day 14, when the held reminder goes out.
        Assert.Contains(Start.AddDays(14), sentOn);
        Assert.DoesNotContain(sentOn, d => d > Start.AddDays(2) && d < Start.AddDays(14));
        await using var db = world.Database.Open();
        var alert = await db.Alerts.SingleAsync(a => a.Kind == AlertKind.BrokenPromise);
        Assert.Equal((account, world.Csm, Start.AddDays(14), (DateOnly?)null), (alert.AccountId, alert.OwnerId, alert.OpenedOn, alert.ClosedOn));
        var before14 = await db.HealthSnapshots.SingleAsync(s => s.AsOf == Start.AddDays(13));
        var after = await db.HealthSnapshots.SingleAsync(s => s.AsOf == Start.AddDays(15));
        Assert.DoesNotContain("broken_promise", before14.Signals);
        Assert.Contains("broken_promise", after.Signals);
    }

    /// <summary>
    /// The daily cycle's collection stage reads only the invoices its health stage found still owed; a collection run on
    /// its own reads each account's whole ledger. On a varied book over three weeks of days (part payments, credit notes,
    /// unapplied payments, a promise, a plan, a dispute, renewals, an account without a billing contact, invoices issued
    /// and paid as the days go by), both decide the same for every account every day.
    /// </summary>
    [Theory, Providers]
    public async Task The_cycle_s_collections_from_the_owed_invoices_decide_as_a_run_that_reads_the_whole_ledger(StorageProvider provider)
    {
        const string casey = "casey@northwind.test";
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var random = new Random(7);
        var accounts = new List<(long Id, string Slug)>();
        for (var a = 0; a < 24; a++)
        {
            var name = $"Account {a:00}";
            var id = await world.AccountAsync(name, billingEmail: a == 5 ? null : "ap@{0}.test", renewal: a % 4 == 0 ? Start.AddDays(20 + a * 3) : null,
                currency: a % 7 == 3 ? "EUR" : "USD");
            accounts.Add((id, name.ToLowerInvariant().Replace(' ', '-')));
            var currency = a % 7 == 3 ? "EUR" : "USD";
            for (var k = 0; k < 6; k++)
            {
                var issued = Start.AddDays(-150 + k * 30 + random.Next(0, 10));
                var amount = 100m * random.Next(3, 40) + 0.25m * random.Next(0, 4);
                var invoice = await world.InvoiceAsync(id, $"INV-{a:00}-{k}", issued, issued.AddDays(30), amount, currency: currency);
                switch (random.Next(0, 6))
                {
                    case 0: break; // unpaid
                    case 1: await world.PayAsync(id, invoice, amount, issued.AddDays(random.Next(10, 60)), currency); break;
                    case 2: await world.PayAsync(id, invoice, Math.Round(amount / 3, 2), issued.AddDays(20), currency); break;
                    case 3:
                        await using (var db = world.Database.Open())
                        {
                            db.CreditNotes.Add(new CsmPayments.Billing.CreditNote($"CN-{a:00}-{k}", id, invoice, new Money(amount, currency), issued.AddDays(5)));
                            await db.SaveChangesAsync();
                        }
                        break;
                    case 4: await world.PayAsync(id, null, 50m, issued.AddDays(3), currency); break;
                    default: await world.PayAsync(id, invoice, amount, Start.AddDays(random.Next(1, 20)), currency); break; // paid later, as the days go by
                }
            }
        }
        await world.InvoiceAsync(accounts[1].Id, "INV-LATE", Start.AddDays(6), Start.AddDays(36), 700m);
        // No billing contact and nothing overdue: its first reminder comes within the lead days before it is due, and only
        // then is the CSM asked for a contact (the day's playbook acts for an account with nothing due).
        var unknown = await world.AccountAsync("Nobody known", billingEmail: null);
        await world.InvoiceAsync(unknown, "INV-UNKNOWN", Start.AddDays(-25), Start.AddDays(12), 450m);
        // Accounts that owe nothing and still have something to do: a renewal to review, and a promise kept by a payment
        // that settles everything the account owed.
        await world.AccountAsync("Quiet renewal", renewal: Start.AddDays(40));
        var keeper = await world.AccountAsync("Promise keeper");
        var promised = await world.InvoiceAsync(keeper, "INV-KEEP", Start.AddDays(-40), Start.AddDays(-10), 300m);
        await world.PayAsync(keeper, promised, 300m, Start.AddDays(3));
        var differences = new List<string>();
        for (var day = Start; day <= Start.AddDays(20); day = day.AddDays(1))
        {
            if (day == Start.AddDays(1)) await world.Workflows().RecordPromiseAsync(accounts[2].Slug, 300m, Start.AddDays(6), casey, null, day);
            if (day == Start.AddDays(1)) await world.Workflows().OpenDisputeAsync("INV-03-4", "Billed for 40 seats, we have 25", casey, day);
            if (day == Start.AddDays(1)) await world.Workflows().RecordPromiseAsync("promise-keeper", 300m, Start.AddDays(6), casey, null, day);
            if (day == Start.AddDays(2))
                Assert.Equal(PaymentPlanState.Active, (await world.Workflows().ProposePlanAsync(accounts[6].Slug, [], 3, 7, Start.AddDays(5), 0m, casey, day)).State);
            var dry = await RunDayAsync(world, smtp, day, dryRun: true);
            var tiers = dry.Outcomes.ToDictionary(o => o.AccountId, o => o.RiskTier);
            var whole = await world.Cycle().RunAsync(day, dryRun: true, riskTiers: tiers);
            static List<string> Lines(CsmPayments.Collections.CycleResult r) =>
                r.Items.Select(i => $"{i.AccountId} {i.Kind} {i.Key} {i.Summary}").Order(StringComparer.Ordinal).ToList();
            var lean = Lines(dry.CollectionsResult!);
            var full = Lines(whole);
            if (!lean.SequenceEqual(full))
                differences.Add($"{day}: cycle [{string.Join(" | ", lean.Except(full))}] whole ledger [{string.Join(" | ", full.Except(lean))}]");
            var real = await RunDayAsync(world, smtp, day);
            Assert.Equal(lean, Lines(real.CollectionsResult!));
            if (day == Start) Assert.True(lean.Count > 20, $"the book has work on the first day: {lean.Count} item(s)");
        }
        Assert.Empty(differences);
        await using var check = world.Database.Open();
        // The book reached every kind of decision the comparison covers.
        Assert.True(await check.PromisesToPay.AnyAsync(p => p.State != PromiseState.Open));
        Assert.Equal(PromiseState.Kept, (await check.PromisesToPay.SingleAsync(p => p.AccountId == keeper)).State);
        Assert.True(await check.RenewalReviews.AnyAsync(r => r.AccountId == check.Accounts.Single(a => a.ExternalId == "quiet-renewal").Id));
        Assert.True(await check.CollectionStepsDone.AnyAsync(d => d.StepId.StartsWith("plan-")));
        Assert.True(await check.RenewalReviews.AnyAsync());
        Assert.True(await check.WorkTasks.AnyAsync(t => t.Kind == WorkTaskKind.BillingContactMissing));
        var asked = await check.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.BillingContactMissing && t.AccountId == unknown);
        Assert.True(asked.CreatedOn < asked.DueOn, $"asked on {asked.CreatedOn} for a reminder due {asked.DueOn}");
        Assert.False(await check.OutboxMessages.AnyAsync(m => m.AccountId == unknown));
        Assert.True(await check.OutboxMessages.AnyAsync(m => m.Body.Contains("INV-LATE")));
    }

    /// <summary>
    /// The collection stage works beside the health stage, each range as soon as the health stage has given its accounts
    /// their tiers: here the health stage is held after its first range until the collection stage has written that
    /// range's work (it would wait for ever if collections followed health). On PostgreSQL each range commits on its own;
    /// on SQLite, whose one write lock the health stage holds, the range is written in the health stage's transaction:
    /// another connection sees none of it until the stage commits, and then all of it.
    /// </summary>
    [Theory, Providers]
    public async Task Collections_work_each_range_behind_the_health_stage_committing_on_their_own_on_postgres_and_with_health_on_sqlite(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var accounts = await FourInvoicedAccountsAsync(world);
        var settings = new EvaluationSettings(new HealthOptions(), new SegmentOptions(), world.Organisation.Rates());
        var firstWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var evaluatedAtWrite = new List<long>();
        var progress = new HealthProgress();
        var sqlite = provider == StorageProvider.Sqlite;
        var collections = new CsmPayments.Collections.CollectionCycle(world.Database.Database, world.Playbook, world.Templates, world.Organisation, world.Links, world.Clock)
        {
            RangeSize = 1,
            Stage = (stage, _) =>
            {
                if (stage != (sqlite ? "written" : "committed")) return Task.CompletedTask;
                lock (evaluatedAtWrite) evaluatedAtWrite.Add(progress.Done);
                firstWritten.TrySetResult();
                return Task.CompletedTask;
            },
        };
        var seenWhileHeld = -1;
        // Held after the first range until the collection stage has written its work; meanwhile another connection looks.
        progress.OnReport = done =>
        {
            if (done != 1) return;
            Assert.True(firstWritten.Task.Wait(TimeSpan.FromSeconds(60)), "collections wrote nothing while health was held");
            using var look = world.Database.Open();
            seenWhileHeld = look.OutboxMessages.Count();
        };
        var run = new CycleRun(world.Database.Database, Start, settings, false, progress) { RangeSize = 1, Collections = collections };
        await DailyCycle.RunAsync(run, CancellationToken.None);

        Assert.NotNull(run.CollectingBesideHealth);
        Assert.Equal(sqlite, run.HeldWriteLock is not null);
        Assert.Equal(accounts.Count, run.CollectionsResult!.Count(CsmPayments.Collections.CycleItemKind.Email));
        Assert.Equal(accounts.Count, evaluatedAtWrite.Count);
        Assert.Equal(1, evaluatedAtWrite[0]);
        Assert.Equal(sqlite ? 0 : 1, seenWhileHeld);
        await using var db = world.Database.Open();
        Assert.Equal(accounts.Count, await db.OutboxMessages.CountAsync());
        Assert.Equal(accounts.Count, await db.HealthSnapshots.CountAsync(s => s.AsOf == Start));
    }

    /// <summary>
    /// The daily cycle issues an approved review's renewal invoice before its health stage reads the ledger: the day's
    /// health finds it owed, the collection stage beside health delivers it that day, and only once.
    /// </summary>
    [Theory, Providers]
    public async Task The_cycle_issues_the_renewal_invoice_before_health_reads_the_ledger_and_delivers_it_the_same_day(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var renewal = Start.AddDays(60);
        var acme = await world.AccountAsync("Acme", renewal: renewal, mrr: 1250m);
        var paid = await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-20), Start, 1250m);
        await world.PayAsync(acme, paid, 1250m, Start);
        await RunDayAsync(world, smtp, Start); // the review opens, 90 days ahead
        await using (var db = world.Database.Open())
            await world.Workflows().DecideRenewalAsync((await db.RenewalReviews.SingleAsync()).Id, approve: true, "renews as is", "casey@northwind.test", Start);
        var issueOn = renewal.AddDays(-world.Playbook.Settings.RenewalInvoice.IssueDaysBefore);
        var before = smtp.Received().Count;

        var day = await RunDayAsync(world, smtp, issueOn);
        var again = await RunDayAsync(world, smtp, issueOn);

        await using var check = world.Database.Open();
        var invoice = await check.Invoices.SingleAsync(i => i.Number.StartsWith("REN-"));
        Assert.Equal(issueOn, invoice.IssueDate);
        Assert.Contains(invoice.Id, day.Owed.InRange(acme, acme));
        Assert.Equal(1, day.CollectionsResult!.Count(CsmPayments.Collections.CycleItemKind.RenewalInvoice));
        Assert.Equal(0, again.CollectionsResult!.Count(CsmPayments.Collections.CycleItemKind.RenewalInvoice));
        var mail = Assert.Single(smtp.Received().Skip(before));
        Assert.Equal($"Invoice {invoice.Number} from Northwind Analytics", mail.Subject);
    }

    /// <summary>Four accounts, each with an invoice issued on <see cref="CollectionsWorld.Start"/> (delivered that day); the clock set to it.</summary>
    private static async Task<List<long>> FourInvoicedAccountsAsync(CollectionsWorld world)
    {
        var accounts = new List<long>();
        foreach (var name in new[] { "Acme", "Globex", "Initech", "Umbrella" })
        {
            var id = await world.AccountAsync(name);
            await world.InvoiceAsync(id, $"INV-{name}", Start, Start.AddDays(30), 900m);
            accounts.Add(id);
        }
        world.Clock.SetUtcNow(At(Start));
        return accounts;
    }

    /// <summary>
    /// A health stage that fails part way fails the run with its own error, and the collection stage beside it goes no
    /// further than the accounts the health stage had evaluated, and has ended when the run fails (on SQLite, where it
    /// wrote in the health stage's transaction, nothing of it stays).
    /// </summary>
    [Theory, Providers]
    public async Task When_the_health_stage_fails_part_way_collections_go_no_further_than_the_accounts_it_evaluated(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var accounts = await FourInvoicedAccountsAsync(world);
        // One more, with nothing owed and a renewal to review: work the collection stage finds without the health stage.
        await world.AccountAsync("Stark", renewal: Start.AddDays(40));
        var settings = new EvaluationSettings(new HealthOptions(), new SegmentOptions(), world.Organisation.Rates());
        var collections = new CsmPayments.Collections.CollectionCycle(world.Database.Database, world.Playbook, world.Templates, world.Organisation, world.Links, world.Clock)
        {
            RangeSize = 1,
        };
        var progress = new HealthProgress { OnReport = done => { if (done == 2) throw new InvalidOperationException("evaluation stopped"); } };
        var run = new CycleRun(world.Database.Database, Start, settings, false, progress) { RangeSize = 1, Collections = collections };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DailyCycle.RunAsync(run, CancellationToken.None));

        Assert.Equal("evaluation stopped", error.Message);
        // The stage beside health has ended by the time the run fails: nothing it could still write is missed below.
        Assert.True(run.CollectingBesideHealth is { IsCompleted: true });
        await using var db = world.Database.Open();
        Assert.Equal(0, await db.HealthSnapshots.CountAsync());
        var reminded = await db.OutboxMessages.Select(m => m.AccountId).ToListAsync();
        Assert.All(reminded, a => Assert.Contains(a, accounts.Take(2)));
        // On SQLite what the collection stage wrote was in the health stage's transaction, rolled back with it.
        if (provider == StorageProvider.Sqlite) Assert.Empty(reminded);
        Assert.Equal(0, await db.RenewalReviews.CountAsync());
        Assert.Equal(0, await db.WorkTasks.CountAsync());
    }

    /// <summary>A progress report taken at once on the reporting thread (Progress&lt;T&gt; would post it elsewhere).</summary>
    private sealed class HealthProgress : IProgress<CycleProgress>
    {
        private long _done;

        public long Done => Interlocked.Read(ref _done);

        public Action<long>? OnReport { get; set; }

        public void Report(CycleProgress value)
        {
            if (value.Stage != "segments and health") return;
            Interlocked.Exchange(ref _done, value.Done);
            OnReport?.Invoke(value.Done);
        }
    }
}
