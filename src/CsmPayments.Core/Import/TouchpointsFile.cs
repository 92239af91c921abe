using CsmPayments.Engagement;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>
/// touchpoints.csv: account_external_id, user_email, occurred_on, kind, summary. Matched on account, user, date and
/// kind: one call (or email, meeting…) per person, account and day.
/// </summary>
internal sealed class TouchpointsFile(CsmDbContext db) : ImportFile<Touchpoint>(db)
{
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn UserEmail = new("user_email");
    private static readonly ImportColumn OccurredOn = new("occurred_on");
    private static readonly ImportColumn Kind = new("kind");
    private static readonly ImportColumn Summary = new("summary");

    private readonly KeySet<(long AccountId, long UserId, DateOnly OccurredOn, TouchpointKind Kind)> _touchpoints = new();
    private Dictionary<string, AccountRef> _accounts = [];
    private Dictionary<string, long> _users = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } = [Account, UserEmail, OccurredOn, Kind, Summary];

    public override async Task LoadAsync(CancellationToken ct)
    {
        _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);
        _users = await Lookups.UsersAsync(Db, ct);
    }

    protected override BulkUpsert<Touchpoint> Writer() =>
        new(Db, nameof(Touchpoint.AccountId), nameof(Touchpoint.UserId), nameof(Touchpoint.OccurredOn), nameof(Touchpoint.Kind));

    protected override Touchpoint? Read(ImportRow row)
    {
        var account = row.Account(Account, _accounts, int.MaxValue);
        var userId = row.User(UserEmail, _users, int.MaxValue);
        var occurredOn = row.Date(OccurredOn);
        var kind = row.Choice<TouchpointKind>(Kind);
        // The column is required but a logged call or meeting may have no summary.
        var summary = row.Text(Summary, Limit(nameof(Touchpoint.Summary))) ?? "";
        if (account is { } a && row.Ok(UserEmail, OccurredOn, Kind))
            row.Unique(_touchpoints, (a.Id, userId, occurredOn, kind), Kind,
                $"a {kind.ToString().ToLowerInvariant()} by the same user with account {a.ExternalId} on {ImportRow.Iso(occurredOn)}");
        return row.HasErrors || account is not { } owner ? null : new Touchpoint(owner.Id, userId, occurredOn, kind, summary);
    }
}
