using CsmPayments.Collections;
using CsmPayments.Segments;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Tests.Messaging;
using CsmPayments.Work;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Collections;

/// <summary>Walks simulated days with a fake clock, runs the cycle and the dispatcher each day, and reads what the SMTP server received.</summary>
public sealed class LadderScenarioTests
{
    internal static async Task<List<(DateOnly Day, MimeMessage Mail)>> WalkAsync(CollectionsWorld world, SmtpTestServer smtp, DateOnly from, DateOnly through,
        Func<DateOnly, Task>? eachMorning = null)
    {
        var seen = 0;
        var mails = new List<(DateOnly, MimeMessage)>();
        for (var day = from; day <= through; day = day.AddDays(1))
        {
            if (eachMorning is not null) await eachMorning(day);
            await world.RunDayAsync(day);
            await world.Dispatcher(smtp.Port).DeliverDueAsync();
            var received = smtp.Received();
            mails.AddRange(received.Skip(seen).Select(m => (day, m)));
            seen = received.Count;
        }
        return mails;
    }

    internal static string Sender(MimeMessage m) => m.From.Mailboxes.Single().Name ?? "";

    [Theory, Providers]
    public async Task Ladder_writes_as_the_collector_then_the_csm_at_30_the_controller_at_60_and_the_cfo_at_90_days(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        var due = Start.AddDays(30);
        await world.InvoiceAsync(account, "INV-1001", Start, due, 800m, po: "PO-77");

        var mails = await WalkAsync(world, smtp, Start, due.AddDays(95));

        Assert.Equal(
            [
                (Start, "Carla Diaz (Northwind Analytics)", "Invoice INV-1001 from Northwind Analytics"),
                (due.AddDays(3), "Carla Diaz (Northwind Analytics)", "A friendly reminder: 800.00 USD open with Northwind Analytics"),
                (due.AddDays(30), "Casey Morgan (Northwind Analytics)", "Acme: open invoices with Northwind Analytics"),
                (due.AddDays(60), "Conor Walsh (Northwind Analytics)", "Acme: request for a payment update - 800.00 USD more than 60 days overdue"),
                (due.AddDays(90), "Fiona Lee (Northwind Analytics)", "Acme: 800.00 USD more than 90 days overdue"),
            ],
            mails.Select(m => (m.Day, Sender(m.Mail), m.Mail.Subject)));
        Assert.All(mails, m => Assert.Equal("ap@acme.test", m.Mail.To.Mailboxes.Single().Address));
        Assert.All(mails, m => Assert.Equal("billing@northwind.test", m.Mail.From.Mailboxes.Single().Address));
        Assert.Equal("fiona@northwind.test", mails[^1].Mail.ReplyTo.Mailboxes.Single().Address);
        var cfo = mails[^1].Mail.TextBody;
        Assert.Contains("Invoice INV-1001 (PO PO-77): 800.00 USD open, due on 2026-02-04 (90 days overdue)", cfo);
        Assert.Contains("https://pay.northwind.test/pay/", cfo);
        Assert.Contains("Chief Financial Officer, Northwind Analytics", cfo);

        await using var db = world.Database.Open();
        var task = await db.WorkTasks.SingleAsync(t => t.Kind == WorkTaskKind.CollectionFollowUp);
        Assert.Equal((world.Csm, due.AddDays(30)), (task.OwnerUserId!.Value, task.CreatedOn));
        Assert.Contains("INV-1001: 800.00 USD open, 30 days overdue", task.Detail);
    }

    [Theory, Providers]
    public async Task Reminder_is_not_sent_twice_when_the_cycle_reruns_the_same_day(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);

        var first = await world.RunDayAsync(Start);
        var again = await world.RunDayAsync(Start);
        await world.Dispatcher(smtp.Port).DeliverDueAsync();
        var third = await world.RunDayAsync(Start);
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        Assert.Equal([CycleItemKind.Email, CycleItemKind.Task], first.Items.Select(i => i.Kind).Order());
        Assert.Empty(again.Items);
        Assert.Empty(third.Items);
        Assert.Equal(["Acme: open invoices with Northwind Analytics"], smtp.Received().Select(m => m.Subject));
    }

    [Theory, Providers]
    public async Task One_message_per_account_per_day_lists_all_its_invoices_at_that_stage(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var acme = await world.AccountAsync("Acme");
        var globex = await world.AccountAsync("Globex");
        var due = Start.AddDays(-3);
        await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-33), due, 300m);
        await world.InvoiceAsync(acme, "INV-2", Start.AddDays(-33), due, 450m);
        await world.InvoiceAsync(acme, "INV-3", Start, Start.AddDays(30), 99m);
        await world.InvoiceAsync(globex, "INV-4", Start.AddDays(-33), due, 120m);

        var result = await world.RunDayAsync(Start);
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        Assert.Equal([$"email:{acme}:reminder:2026-01-05", $"email:{globex}:reminder:2026-01-05"],
            result.Items.Where(i => i.Kind == CycleItemKind.Email && !i.Key.Contains(":delivery:", StringComparison.Ordinal)).Select(i => i.Key).Order());
        // INV-3 is issued today: it is delivered in its own message, and no reminder lists it.
        var toAcme = smtp.Received().Where(m => m.To.Mailboxes.Single().Address == "ap@acme.test").ToList();
        Assert.Equal(["A friendly reminder: 750.00 USD open with Northwind Analytics", "Invoice INV-3 from Northwind Analytics"], toAcme.Select(m => m.Subject ?? "").Order());
        var mail = toAcme.Single(m => m.Subject?.StartsWith("A friendly", StringComparison.Ordinal) == true);
        Assert.Equal("A friendly reminder: 750.00 USD open with Northwind Analytics", mail.Subject);
        Assert.Contains("Invoice INV-1: 300.00 USD open, due on 2026-01-02", mail.TextBody);
        Assert.Contains("Invoice INV-2: 450.00 USD open, due on 2026-01-02", mail.TextBody);
        Assert.DoesNotContain("INV-3", mail.TextBody);
    }

    [Theory, Providers]
    public async Task A_second_run_of_the_day_that_sees_another_risk_tier_queues_no_second_reminder(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        // Three days overdue: low risk's gentle reminder is due, and so is medium and high risk's first one.
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-33), Start.AddDays(-3), 800m);
        world.Clock.SetUtcNow(At(Start));

        var low = await world.Cycle().RunAsync(Start, riskTiers: new Dictionary<long, RiskTier> { [account] = RiskTier.Low });
        var medium = await world.Cycle().RunAsync(Start, riskTiers: new Dictionary<long, RiskTier> { [account] = RiskTier.Medium });
        var high = await world.Cycle().RunAsync(Start, riskTiers: new Dictionary<long, RiskTier> { [account] = RiskTier.High });
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        Assert.Equal([$"email:{account}:reminder:2026-01-05"], low.Items.Where(i => i.Kind == CycleItemKind.Email).Select(i => i.Key));
        Assert.DoesNotContain(medium.Items, i => i.Kind == CycleItemKind.Email);
        Assert.DoesNotContain(high.Items, i => i.Kind == CycleItemKind.Email);
        Assert.Equal(["A friendly reminder: 800.00 USD open with Northwind Analytics"], smtp.Received().Select(m => m.Subject));
        await using var db = world.Database.Open();
        Assert.Equal(1, await db.OutboxMessages.CountAsync());
        // The next day the medium tier's own step goes out: the playbook carries on, it only waited a day.
        world.Clock.SetUtcNow(At(Start.AddDays(1)));
        var next = await world.Cycle().RunAsync(Start.AddDays(1), riskTiers: new Dictionary<long, RiskTier> { [account] = RiskTier.Medium });
        Assert.Equal([$"email:{account}:reminder:2026-01-06"], next.Items.Where(i => i.Kind == CycleItemKind.Email).Select(i => i.Key));
    }

    [Theory, Providers]
    public async Task A_partial_payment_keeps_the_ladder_going_for_the_rest_and_full_payment_stops_it(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        var due = Start;
        var invoice = await world.InvoiceAsync(account, "INV-1", due.AddDays(-30), due, 800m);
        await world.PayAsync(account, invoice, 500m, due.AddDays(10));

        var mails = await WalkAsync(world, smtp, due.AddDays(1), due.AddDays(70), async day =>
        {
            if (day == due.AddDays(45)) await world.PayAsync(account, invoice, 300m, day);
        });

        Assert.Equal(["A friendly reminder: 800.00 USD open with Northwind Analytics", "Acme: open invoices with Northwind Analytics"], mails.Select(m => m.Mail.Subject));
        Assert.Contains("Invoice INV-1: 300.00 USD open, due on 2026-01-05 (30 days ago)", mails[1].Mail.TextBody);
    }

    [Theory, Providers]
    public async Task Dry_run_lists_what_would_happen_and_changes_nothing(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);

        var dry = await world.RunDayAsync(Start, dryRun: true);

        Assert.Equal(
            [
                (CycleItemKind.Email, $"email:{account}:reminder:2026-01-05"),
                (CycleItemKind.Task, $"task:{account}:ladder-30-csm-task:2026-01-05"),
            ],
            dry.Items.Select(i => (i.Kind, i.Key)).Order());
        await using var db = world.Database.Open();
        Assert.Equal(0, await db.OutboxMessages.CountAsync() + await db.WorkTasks.CountAsync() + await db.CollectionStepsDone.CountAsync() + await db.AuditEntries.CountAsync());
        var real = await world.RunDayAsync(Start);
        Assert.Equal(dry.Items.Select(i => i.Key).Order(), real.Items.Select(i => i.Key).Order());
    }

    [Theory, Providers]
    public async Task A_range_refused_because_another_writer_recorded_an_action_first_is_written_account_by_account(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var acme = await world.AccountAsync("Acme");
        var globex = await world.AccountAsync("Globex");
        await world.InvoiceAsync(acme, "INV-A", Start.AddDays(-60), Start.AddDays(-30), 800m);
        await world.InvoiceAsync(globex, "INV-G", Start.AddDays(-60), Start.AddDays(-30), 900m);
        // Another writer queued Acme's reminder of the day without taking the range's locks (its unique key is the
        // account and the day), so the range's write meets that key.
        await using (var db = world.Database.Open())
        {
            db.OutboxMessages.Add(new CsmPayments.Messaging.OutboxMessage(CollectionCycle.MessageKey(acme, StepChannel.Reminder, Start), acme, "ap@acme.test", "Acme Payables",
                "Accounts Receivable", null, "Reminder", "Written elsewhere", At(Start)));
            await db.SaveChangesAsync();
        }

        var result = await world.RunDayAsync(Start);

        Assert.Equal(1, result.AlreadyDone);
        Assert.All(result.Items, i => Assert.Equal(globex, i.AccountId));
        Assert.Contains(result.Items, i => i.Kind == CycleItemKind.Email);
        await using var check = world.Database.Open();
        var messages = await check.OutboxMessages.OrderBy(m => m.AccountId).Select(m => new { m.AccountId, m.Body }).ToListAsync();
        Assert.Equal(2, messages.Count);
        Assert.Equal((acme, "Written elsewhere"), (messages[0].AccountId, messages[0].Body));
        Assert.Contains("INV-G", messages[1].Body);
        // Nothing of Acme's day was written beside the other writer's message: no task, no step recorded as done.
        Assert.False(await check.WorkTasks.AnyAsync(t => t.AccountId == acme));
        Assert.False(await check.CollectionStepsDone.AnyAsync(d => d.AccountId == acme));
        Assert.True(await check.WorkTasks.AnyAsync(t => t.AccountId == globex));
        Assert.True(await check.CollectionStepsDone.AnyAsync(d => d.AccountId == globex));
    }
}
