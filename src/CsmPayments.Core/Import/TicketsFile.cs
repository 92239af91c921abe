using CsmPayments.Engagement;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>
/// tickets.csv: external_id, account_external_id, opened_on, priority, status, solved_on (optional), subject.
/// Matched on external_id.
/// </summary>
internal sealed class TicketsFile(CsmDbContext db) : ImportFile<Ticket>(db)
{
    private static readonly ImportColumn ExternalId = new("external_id");
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn OpenedOn = new("opened_on");
    private static readonly ImportColumn Priority = new("priority");
    private static readonly ImportColumn Status = new("status");
    private static readonly ImportColumn SolvedOn = new("solved_on", Optional: true);
    private static readonly ImportColumn Subject = new("subject");

    private readonly KeySet<string> _externalIds = new(StringComparer.Ordinal);
    private Dictionary<string, AccountRef> _accounts = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } = [ExternalId, Account, OpenedOn, Priority, Status, SolvedOn, Subject];

    public override async Task LoadAsync(CancellationToken ct) => _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);

    protected override BulkUpsert<Ticket> Writer() => new(Db, nameof(Ticket.ExternalId));

    protected override Ticket? Read(ImportRow row)
    {
        var externalId = row.Required(ExternalId, Limit(nameof(Ticket.ExternalId)));
        var account = row.Account(Account, _accounts, int.MaxValue);
        var openedOn = row.Date(OpenedOn);
        var priority = row.Choice<TicketPriority>(Priority);
        var status = row.Choice<TicketStatus>(Status);
        var solvedOn = row.OptionalDate(SolvedOn);
        // The column is required but a ticket may have no subject, as the ticket systems allow.
        var subject = row.Text(Subject, Limit(nameof(Ticket.Subject))) ?? "";
        if (solvedOn is { } solved && row.Ok(OpenedOn) && solved < openedOn)
            row.Error(SolvedOn, $"{ImportRow.Iso(solved)} is before the ticket was opened ({ImportRow.Iso(openedOn)})");
        // A solved date on an unsolved ticket would make it count as closed from that day on.
        if (solvedOn is not null && row.Ok(Status) && status != TicketStatus.Solved)
            row.Error(SolvedOn, $"the ticket's status is {status.ToString().ToLowerInvariant()}, so it has no solved date");
        if (externalId.Length > 0) row.Unique(_externalIds, externalId, ExternalId, $"ticket {externalId}");
        return row.HasErrors || account is not { } a ? null : new Ticket(externalId, a.Id, openedOn, priority, status, solvedOn, subject);
    }
}
