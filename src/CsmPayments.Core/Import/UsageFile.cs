using CsmPayments.Storage;
using CsmPayments.Usage;

namespace CsmPayments.Import;

/// <summary>usage.csv: account_external_id, date, active_users, events. Matched on account and date.</summary>
internal sealed class UsageFile(CsmDbContext db) : ImportFile<UsageDay>(db)
{
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn Date = new("date");
    private static readonly ImportColumn ActiveUsers = new("active_users");
    private static readonly ImportColumn Events = new("events");

    // The one structure that grows with the file: a usage file is the largest, so its keys stay two numbers.
    private readonly KeySet<(long AccountId, DateOnly Date)> _days = new();
    private Dictionary<string, AccountRef> _accounts = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } = [Account, Date, ActiveUsers, Events];

    public override async Task LoadAsync(CancellationToken ct) => _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);

    protected override BulkUpsert<UsageDay> Writer() => new(Db, nameof(UsageDay.AccountId), nameof(UsageDay.Date));

    protected override UsageDay? Read(ImportRow row)
    {
        var account = row.Account(Account, _accounts, int.MaxValue);
        var date = row.Date(Date);
        var activeUsers = row.Whole(ActiveUsers, 0, int.MaxValue);
        var events = row.Whole(Events, 0);
        if (account is { } a && row.Ok(Date))
            row.Unique(_days, (a.Id, date), Date, $"usage of account {a.ExternalId} on {ImportRow.Iso(date)}");
        return row.HasErrors || account is not { } owner ? null : new UsageDay(owner.Id, date, (int)activeUsers, events);
    }
}
