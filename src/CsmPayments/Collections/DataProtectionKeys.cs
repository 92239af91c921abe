using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CsmPayments.Cli;

namespace CsmPayments.Collections;

/// <summary>
/// The <c>DataProtection</c> section: the certificate (PKCS#12 file and its password) that encrypts the Data Protection
/// keys stored in the database. Every process sharing the database needs the same certificate to read them.
/// </summary>
public sealed class DataProtectionKeyOptions
{
    public const string Section = "DataProtection";

    public const string UnprotectedWarning =
        "DataProtection:CertificatePath is not set: the keys that sign payment links are stored in the database unencrypted. " +
        "Anyone who can read the database can forge payment links. Set DataProtection:CertificatePath (and DataProtection:CertificatePassword) " +
        "to a PKCS#12 certificate shared by every process.";

    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }

    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>The certificate with its private key; a missing or unreadable file is a configuration error naming the setting.</summary>
    public X509Certificate2 LoadCertificate()
    {
        var path = CertificatePath!;
        if (!File.Exists(path)) throw new UserErrorException($"configuration: DataProtection:CertificatePath '{path}' does not exist");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new UserErrorException($"configuration: DataProtection:CertificatePath '{path}' cannot be read with DataProtection:CertificatePassword: {e.Message}");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new UserErrorException($"configuration: DataProtection:CertificatePath '{path}' has no private key; the keys could be encrypted but never read back");
        }
        return certificate;
    }
}

/// <summary>Says once, at start-up, that the Data Protection keys are stored unencrypted.</summary>
internal sealed class UnprotectedKeysWarning(ILogger<UnprotectedKeysWarning> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        log.LogWarning(DataProtectionKeyOptions.UnprotectedWarning);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
