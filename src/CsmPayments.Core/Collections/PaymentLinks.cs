using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace CsmPayments.Collections;

public enum PaymentLinkStatus { Valid, Expired, Invalid }

public readonly record struct PaymentLinkCheck(PaymentLinkStatus Status, long AccountId, DateOnly ExpiresOn);

/// <summary>
/// Signed, expiring links to an account's payment page: the account and the last valid day, protected with ASP.NET
/// Core Data Protection. The keys live in the database, so a link written by the cycle on one machine opens on any
/// other. A changed character or a passed date is refused.
/// </summary>
public sealed class PaymentLinks(IDataProtectionProvider provider, string baseUrl)
{
    private const string Purpose = "CsmPayments.Collections.PaymentLink.v1";
    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string BaseUrl { get; } = baseUrl.TrimEnd('/');

    /// <summary>
    /// Makes sure the key ring has a key before a caller opens a write transaction: creating the first key writes it to
    /// the database through a connection of its own, which on SQLite would wait for that very transaction.
    /// </summary>
    public void EnsureKey() => _protector.Protect("key-ring-ready");

    public string For(long accountId, DateOnly expiresOn) => $"{BaseUrl}/pay/{Token(accountId, expiresOn)}";

    public string Token(long accountId, DateOnly expiresOn) =>
        _protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{accountId}|{expiresOn:yyyy-MM-dd}"));

    /// <summary>Checks a token on <paramref name="today"/>; the link is valid through its last day.</summary>
    public PaymentLinkCheck Check(string token, DateOnly today)
    {
        string payload;
        try
        {
            payload = _protector.Unprotect(token);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return new PaymentLinkCheck(PaymentLinkStatus.Invalid, 0, default);
        }
        var parts = payload.Split('|');
        if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var accountId)
                              || !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires))
            return new PaymentLinkCheck(PaymentLinkStatus.Invalid, 0, default);
        return new PaymentLinkCheck(today > expires ? PaymentLinkStatus.Expired : PaymentLinkStatus.Valid, accountId, expires);
    }
}
