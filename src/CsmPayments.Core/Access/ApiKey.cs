using System.Security.Cryptography;
using System.Text;

namespace CsmPayments.Access;

/// <summary>What an API key may do. <see cref="Admin"/> may do everything.</summary>
public static class ApiScopes
{
    public const string LedgerRead = "ledger:read";
    public const string LedgerWrite = "ledger:write";
    public const string UsageWrite = "usage:write";
    public const string CollectionsRead = "collections:read";
    public const string CollectionsWrite = "collections:write";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [LedgerRead, LedgerWrite, UsageWrite, CollectionsRead, CollectionsWrite, Admin];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}

/// <summary>
/// A key a program presents to the API. The key itself is shown once, when issued; only its SHA-256 hash is stored, so
/// a copy of the database does not give access. Keys are found by their public prefix and compared in constant time.
/// </summary>
public sealed class ApiKey
{
    private const string Marker = "csm_";
    private const int PrefixBytes = 6;
    private const int SecretBytes = 32;

    private ApiKey() { Name = Prefix = SecretHash = Scopes = ""; }

    private ApiKey(string name, string prefix, string secretHash, IReadOnlyCollection<string> scopes, DateTimeOffset createdAt)
    {
        Name = name;
        Prefix = prefix;
        SecretHash = secretHash;
        Scopes = string.Join(' ', scopes);
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }

    /// <summary>The public part of the key, shown in listings and used to find the key.</summary>
    public string Prefix { get; private set; }

    /// <summary>Hex SHA-256 of the whole key.</summary>
    public string SecretHash { get; private set; }

    /// <summary>The scopes, separated by spaces.</summary>
    public string Scopes { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsRevoked => RevokedAt is not null;

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Issues a key; the returned text is the key, which is not stored and cannot be shown again.</summary>
    public static (ApiKey Key, string Text) Issue(string name, IEnumerable<string> scopes, DateTimeOffset now)
    {
        var trimmed = Guard.Required(name, nameof(name));
        if (trimmed.Length > 100) throw new ArgumentException("a key's name is at most 100 characters", nameof(name));
        var list = scopes.Select(s => s.Trim().ToLowerInvariant()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0) throw new ArgumentException($"a key needs at least one scope: {string.Join(", ", ApiScopes.All)}", nameof(scopes));
        var unknown = list.FirstOrDefault(s => !ApiScopes.IsKnown(s));
        if (unknown is not null)
            throw new ArgumentException($"'{unknown}' is not a scope; the scopes are {string.Join(", ", ApiScopes.All)}", nameof(scopes));
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixBytes));
        var text = Marker + prefix + "_" + Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        return (new ApiKey(trimmed, prefix, Hash(text), list, now), text);
    }

    /// <summary>The prefix a presented key claims, or null when the text is not shaped like a key.</summary>
    public static string? PrefixOf(string? text)
    {
        if (text is null || !text.StartsWith(Marker, StringComparison.Ordinal)) return null;
        var end = text.IndexOf('_', Marker.Length);
        return end == Marker.Length + PrefixBytes * 2 ? text[Marker.Length..end] : null;
    }

    /// <summary>True when <paramref name="text"/> is this key and it is not revoked.</summary>
    public bool Accepts(string text) =>
        !IsRevoked && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(text)), Encoding.ASCII.GetBytes(SecretHash));

    /// <summary>True when the key holds <paramref name="scope"/>, or is an admin key.</summary>
    public bool Allows(string scope) => ScopeList.Contains(scope, StringComparer.Ordinal) || ScopeList.Contains(ApiScopes.Admin, StringComparer.Ordinal);

    public void Revoke(DateTimeOffset now)
    {
        if (IsRevoked) throw new InvalidOperationException($"the key {Name} was already revoked on {RevokedAt:yyyy-MM-dd HH:mm}");
        RevokedAt = now;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
