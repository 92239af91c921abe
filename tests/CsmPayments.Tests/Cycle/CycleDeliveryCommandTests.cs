using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Tests.Messaging;
using Microsoft.EntityFrameworkCore;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Cycle;

/// <summary><c>csm-payments cycle</c> delivers what it queued before it exits, once, and keeps it queued while SMTP is not set.</summary>
public sealed class CycleDeliveryCommandTests
{
    private static Dictionary<string, string?> Settings(CollectionsWorld world, int? smtpPort)
    {
        var settings = CliRun.Settings(world.Database);
        settings["Organisation:Name"] = "Northwind Analytics";
        if (smtpPort is { } port)
        {
            settings["Smtp:Host"] = "127.0.0.1";
            settings["Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Smtp:UseTls"] = "false";
            settings["Smtp:From"] = "billing@northwind.test";
        }
        return settings;
    }

    [Theory, Providers]
    public async Task The_cycle_command_sends_the_due_reminder_before_it_exits_and_a_rerun_sends_nothing(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);
        var settings = Settings(world, smtp.Port);

        var first = await CliRun.RunAsync(settings, At(Start), "cycle", "--as-of", "2026-01-05");
        var again = await CliRun.RunAsync(settings, At(Start), "cycle", "--as-of", "2026-01-05");

        Assert.Equal((0, ""), (first.ExitCode, first.Error));
        Assert.Contains("Collections 2026-01-05: 1 message(s), 1 task(s)", first.Output);
        Assert.Contains("Delivery: 1 sent, 0 waiting to retry, 0 failed", first.Output);
        Assert.Contains("Delivery: 0 sent", again.Output);
        var mail = Assert.Single(smtp.Received());
        Assert.Equal("ap@acme.test", mail.To.Mailboxes.Single().Address);
        Assert.Contains("INV-1", mail.TextBody);
    }

    [Theory, Providers]
    public async Task Without_an_smtp_host_messages_wait_in_the_outbox_and_go_out_on_the_first_run_after_it_is_set(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);

        var unset = await CliRun.RunAsync(Settings(world, null), At(Start), "cycle", "--as-of", "2026-01-05");
        Assert.Equal(0, unset.ExitCode);
        Assert.Contains("Smtp:Host is not set, so the messages wait in the outbox", unset.Output);
        await using (var db = world.Database.Open())
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.SentAt == null));
        Assert.Empty(smtp.Received());

        var next = await CliRun.RunAsync(Settings(world, smtp.Port), At(Start.AddDays(1)), "cycle", "--as-of", "2026-01-06");
        Assert.Contains("Delivery: 1 sent", next.Output);
        Assert.Single(smtp.Received());
    }

    [Theory, Providers]
    public async Task A_bad_smtp_setting_stops_the_cycle_with_one_line_before_anything_is_written(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);
        var settings = Settings(world, 2525);
        settings["Smtp:From"] = "not-an-address";

        var run = await CliRun.RunAsync(settings, At(Start), "cycle", "--as-of", "2026-01-05");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("csm-payments: Smtp:From 'not-an-address' is not an email address", run.Error.Trim());
        await using var db = world.Database.Open();
        Assert.Equal(0, await db.HealthSnapshots.CountAsync());
        Assert.Equal(0, await db.OutboxMessages.CountAsync());
    }
}
