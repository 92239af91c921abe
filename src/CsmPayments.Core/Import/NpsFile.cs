using CsmPayments.Engagement;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>nps.csv: account_external_id, contact_email, responded_on, score (0–10), comment (optional). Matched on all three of the first.</summary>
internal sealed class NpsFile(CsmDbContext db) : ImportFile<NpsResponse>(db)
{
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn ContactEmail = new("contact_email");
    private static readonly ImportColumn RespondedOn = new("responded_on");
    private static readonly ImportColumn Score = new("score");
    private static readonly ImportColumn Comment = new("comment", Optional: true);

    private readonly KeySet<(long AccountId, string Email, DateOnly RespondedOn)> _responses = new();
    private Dictionary<string, AccountRef> _accounts = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } = [Account, ContactEmail, RespondedOn, Score, Comment];

    public override async Task LoadAsync(CancellationToken ct) => _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);

    protected override BulkUpsert<NpsResponse> Writer() =>
        new(Db, nameof(NpsResponse.AccountId), nameof(NpsResponse.ContactEmail), nameof(NpsResponse.RespondedOn));

    protected override NpsResponse? Read(ImportRow row)
    {
        var account = row.Account(Account, _accounts, int.MaxValue);
        var email = row.Email(ContactEmail, Limit(nameof(NpsResponse.ContactEmail)));
        var respondedOn = row.Date(RespondedOn);
        var score = row.Whole(Score, 0, 10);
        var comment = row.Text(Comment, Limit(nameof(NpsResponse.Comment)));
        if (account is { } a && email.Length > 0 && row.Ok(RespondedOn))
            row.Unique(_responses, (a.Id, email, respondedOn), RespondedOn,
                $"a response from {email} for account {a.ExternalId} on {ImportRow.Iso(respondedOn)}");
        return row.HasErrors || account is not { } owner ? null : new NpsResponse(owner.Id, email, respondedOn, (int)score, comment);
    }
}
