using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Demo;

/// <summary>
/// What a database already holds, compared with a demo company as it is generated. Importing is an upsert, so writing
/// the same demo again changes nothing; writing a demo over other data would mix two companies, which is refused.
/// </summary>
public sealed class DemoBook
{
    private readonly Dictionary<string, string> _names;
    private readonly Dictionary<string, DateOnly> _starts;
    private int _matched;
    private string? _firstDifference;

    private DemoBook(Dictionary<string, string> names, Dictionary<string, DateOnly> starts, DateOnly? lastUsageDay)
    {
        _names = names;
        _starts = starts;
        LastUsageDay = lastUsageDay;
    }

    public static DemoBook Empty { get; } = new([], [], null);

    /// <summary>Accounts in the database before the demo was written.</summary>
    public int Accounts => _names.Count;

    /// <summary>The latest usage day stored: the as-of date of a demo written earlier.</summary>
    public DateOnly? LastUsageDay { get; }

    public static async Task<DemoBook> ReadAsync(Database database, CancellationToken ct)
    {
        await using var db = database.Open();
        var names = await db.Accounts.AsNoTracking().ToDictionaryAsync(a => a.ExternalId, a => a.Name, StringComparer.Ordinal, ct);
        if (names.Count == 0) return Empty;
        var starts = await db.Subscriptions.AsNoTracking().ToDictionaryAsync(s => s.ExternalId, s => s.StartDate, StringComparer.Ordinal, ct);
        var lastUsageDay = await db.UsageDays.AsNoTracking().MaxAsync(u => (DateOnly?)u.Date, ct);
        return new DemoBook(names, starts, lastUsageDay);
    }

    /// <summary>Compares one generated account with what is stored under its id; called for every account as it is written.</summary>
    public void Observe(DemoAccount account)
    {
        if (!_names.TryGetValue(account.ExternalId, out var stored)) return;
        var same = stored == account.Name
            && account.Subscriptions.All(s => !_starts.TryGetValue(s.ExternalId, out var start) || start == s.StartDate);
        if (same) _matched++;
        else _firstDifference ??= account.ExternalId;
    }

    /// <summary>
    /// Empty when nothing was stored, else why the demo may not be written: accounts that this demo would not write
    /// identically. Call after every account has been observed.
    /// </summary>
    public string? Conflict()
    {
        if (Accounts == 0 || _matched == Accounts) return null;
        var held = Accounts == 1 ? "1 account" : $"{Accounts:N0} accounts";
        var other = Accounts - _matched;
        return _firstDifference is { } id
            ? $"the database already holds {held}, {other:N0} of them not as this demo writes them (e.g. {id})"
            : $"the database already holds {held}, {other:N0} of them not in this demo";
    }
}
