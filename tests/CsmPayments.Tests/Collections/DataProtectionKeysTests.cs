using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CsmPayments.Cli;
using CsmPayments.Collections;
using CsmPayments.Hosting;
using CsmPayments.Storage;
using CsmPayments.Tests.Cli;
using CsmPayments.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Collections;

/// <summary>Data Protection keys at rest: encrypted with the configured certificate, readable by every host that has it.</summary>
public sealed class DataProtectionKeysTests
{
    private sealed class Warnings : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Sink(this);
        public void Dispose() { }

        private sealed class Sink(Warnings owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) owner.Messages.Enqueue(formatter(state, exception));
            }
        }
    }

    private sealed class Host(WebApplication app, HttpClient http, Warnings warnings) : IAsyncDisposable
    {
        public HttpClient Http { get; } = http;
        public PaymentLinks Links => app.Services.GetRequiredService<PaymentLinks>();
        public Warnings Warnings { get; } = warnings;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The real application on Kestrel (loopback, a free port) over <paramref name="database"/>, as one more process would run it.</summary>
    private static async Task<Host> StartAsync(TestDatabase database, string? certificate, string? password)
    {
        var settings = CliRun.Settings(database);
        settings["Scheduling:Enabled"] = "false";
        settings["Organisation:Name"] = "Northwind Analytics";
        settings["DataProtection:CertificatePath"] = certificate;
        settings["DataProtection:CertificatePassword"] = password;
        var warnings = new Warnings();
        var app = CsmWebHost.Build(CliContext.BuildConfiguration(settings), new FakeTimeProvider(At(Start)), ["http://127.0.0.1:0"],
            b => b.Logging.AddProvider(warnings));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Host(app, new HttpClient { BaseAddress = new Uri(address) }, warnings);
    }

    /// <summary>A self-signed certificate with its private key, written as a password-protected PKCS#12 file.</summary>
    private static string SelfSignedPfx(string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=CsmPayments Data Protection (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: false));
        // A fixed, wide validity: the test does not depend on the day it runs.
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var path = Path.Combine(Path.GetTempPath(), $"csm-dp-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    [Theory, Providers]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_another_host_with_it_opens_the_link_the_first_made(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        var account = await world.AccountAsync("Acme");
        await world.InvoiceAsync(account, "INV-1", Start.AddDays(-20), Start.AddDays(10), 250m);
        var pfx = SelfSignedPfx("pfx-pass-1");
        try
        {
            string link;
            await using (var first = await StartAsync(world.Database, pfx, "pfx-pass-1"))
            {
                link = first.Links.For(account, Start.AddDays(45));
                Assert.DoesNotContain(DataProtectionKeyOptions.UnprotectedWarning, first.Warnings.Messages);
            }

            await using (var db = world.Database.Open())
            {
                var xml = Assert.Single(await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync());
                Assert.Contains("<encryptedSecret", xml);
                Assert.Contains("EncryptedXmlDecryptor", xml);
                Assert.DoesNotContain("<masterKey", xml);
            }

            await using var second = await StartAsync(world.Database, pfx, "pfx-pass-1");
            var page = await second.Http.GetAsync(new Uri(link).AbsolutePath);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("INV-1", await page.Content.ReadAsStringAsync());
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    [Theory, Providers]
    public async Task Without_a_certificate_the_host_warns_once_that_the_keys_are_stored_unencrypted(StorageProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await StartAsync(database, null, null);
        host.Links.Token(1, Start.AddDays(1));

        Assert.Single(host.Warnings.Messages, m => m == DataProtectionKeyOptions.UnprotectedWarning);
    }

    [Fact]
    public void A_certificate_path_that_does_not_exist_is_a_configuration_error_naming_the_setting()
    {
        var e = Assert.Throws<UserErrorException>(() => new DataProtectionKeyOptions { CertificatePath = "/nowhere/keys.pfx" }.LoadCertificate());
        Assert.Equal("configuration: DataProtection:CertificatePath '/nowhere/keys.pfx' does not exist", e.Message);
    }
}
