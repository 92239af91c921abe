using System.Net;
using System.Net.Http.Json;
using CsmPayments.Access;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Work;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Api;

/// <summary>An event that changes an account's money updates its health, tier and alerts within seconds, without the daily cycle.</summary>
public sealed class FreshHealthTests
{
    [Theory, Providers]
    public async Task A_failed_payment_posted_to_the_api_opens_the_csm_s_alert_and_today_s_snapshot_within_seconds(StorageProvider provider)
    {
        await using var server = await ApiServer.StartAsync(provider, refreshHealth: true);
        var (csm, a1, _) = await server.SeedAccountsAsync();
        var client = await server.ClientWithAsync(ApiScopes.LedgerWrite);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/subscriptions",
            new { external_id = "S-1", account_external_id = "A-1", plan = "Growth", mrr = "1250.00", currency = "USD", start_date = "2025-06-01" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/invoices",
            new { number = "INV-1", account_external_id = "A-1", issue_date = "2026-02-01", due_date = "2026-02-28", amount = "1250.00", currency = "USD" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/payments",
            new { external_id = "P-1", account_external_id = "A-1", invoice_number = "INV-1", amount = "1250.00", currency = "USD", paid_on = "2026-03-02", method = "card", status = "failed", failure_code = "card_declined" })).StatusCode);

        var today = DateOnly.FromDateTime(ApiServer.Now.UtcDateTime);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        Alert? alert = null;
        while (alert is null && DateTime.UtcNow < deadline)
        {
            await using var db = server.Database.Open();
            alert = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(x => x.AccountId == a1 && x.Kind == AlertKind.FailedPayment);
            if (alert is null) await Task.Delay(50);
        }
        Assert.NotNull(alert);
        Assert.Equal((csm, today, (DateOnly?)null), (alert.OwnerId, alert.OpenedOn, alert.ClosedOn));
        await using var check = server.Database.Open();
        var snapshot = await check.HealthSnapshots.AsNoTracking().SingleAsync(s => s.AccountId == a1);
        Assert.Equal(today, snapshot.AsOf);
        Assert.Contains("failed_payment", snapshot.Signals);
        Assert.True(snapshot.PaymentHealth < 100);
        Assert.NotEmpty(await check.SegmentAssignments.AsNoTracking().Where(s => s.AccountId == a1).ToListAsync());
    }
}
