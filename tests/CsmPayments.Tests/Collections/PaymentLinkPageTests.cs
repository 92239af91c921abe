using System.Net;
using CsmPayments.Collections;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Collections;

/// <summary>The payment page through the real ASP.NET Core pipeline on Kestrel, loopback, a free port.</summary>
public sealed class PaymentLinkPageTests
{
    private sealed class Site(WebApplication app, HttpClient http) : IAsyncDisposable
    {
        public HttpClient Http { get; } = http;
        public PaymentLinks Links => app.Services.GetRequiredService<PaymentLinks>();

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<Site> StartAsync(CollectionsWorld world, FakeTimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPaymentLinks(world.Database.Database, world.Organisation,
            new CollectionsOptions { PublicBaseUrl = "https://pay.northwind.test", HowToPay = "Wire to IBAN GB00 NWND 0000 1234, reference: the invoice number" }, clock);
        var app = builder.Build();
        app.MapPaymentLinkPage();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Site(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static string PathOf(string link) => new Uri(link).AbsolutePath;

    [Theory, Providers]
    public async Task The_link_opens_the_accounts_open_invoices_and_how_to_pay_in_any_process_sharing_the_database(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var acme = await world.AccountAsync("Acme <Corp>");
        var paid = await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m, po: "PO-9");
        await world.InvoiceAsync(acme, "INV-2", Start.AddDays(-20), Start.AddDays(10), 250m);
        await world.InvoiceAsync(acme, "INV-3", Start.AddDays(-90), Start.AddDays(-60), 100m);
        await world.PayAsync(acme, paid, 300m, Start.AddDays(-5));
        await world.PayAsync(acme, await world.InvoiceAsync(acme, "INV-0", Start.AddDays(-90), Start.AddDays(-60), 70m), 70m, Start.AddDays(-50));
        var clock = new FakeTimeProvider(At(Start));
        await using var writer = await StartAsync(world, clock);
        var link = writer.Links.For(acme, Start.AddDays(45));
        await using var reader = await StartAsync(world, clock); // another process: same database, same keys

        var response = await reader.Http.GetAsync(PathOf(link));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Acme &lt;Corp&gt;", html);
        Assert.Contains("<td>INV-1</td><td>PO-9</td><td>2025-11-06</td><td>2025-12-06 (30 days overdue)</td><td>800.00 USD</td><td>500.00 USD</td>", html);
        Assert.Contains("<td>INV-2</td>", html);
        Assert.DoesNotContain("INV-0", html);
        Assert.Contains("<th>850.00 USD</th>", html);
        Assert.Contains("Wire to IBAN GB00 NWND 0000 1234", html);
        await using var db = world.Database.Open();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
    }

    [Theory, Providers]
    public async Task A_tampered_or_expired_link_is_refused(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var acme = await world.AccountAsync("Acme");
        await world.InvoiceAsync(acme, "INV-1", Start.AddDays(-60), Start.AddDays(-30), 800m);
        var clock = new FakeTimeProvider(At(Start));
        await using var site = await StartAsync(world, clock);
        var path = PathOf(site.Links.For(acme, Start.AddDays(2)));
        var token = path["/pay/".Length..];
        var tampered = "/pay/" + token[..^3] + (token[^3] == 'A' ? 'B' : 'A') + token[^2..];

        Assert.Equal(HttpStatusCode.OK, (await site.Http.GetAsync(path)).StatusCode);
        var refused = await site.Http.GetAsync(tampered);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.DoesNotContain("INV-1", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await site.Http.GetAsync("/pay/not-a-token")).StatusCode);

        clock.SetUtcNow(At(Start.AddDays(2)).AddHours(17)); // the last valid day, late evening
        Assert.Equal(HttpStatusCode.OK, (await site.Http.GetAsync(path)).StatusCode);
        clock.SetUtcNow(At(Start.AddDays(3)));
        var expired = await site.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("This payment link has expired", await expired.Content.ReadAsStringAsync());
    }
}
