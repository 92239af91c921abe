using CsmPayments.Billing;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>
/// subscriptions.csv: external_id, account_external_id, plan, mrr, currency, start_date, end_date (optional),
/// renewal_date (optional), cancellation_reason (optional). Matched on external_id.
/// </summary>
internal sealed class SubscriptionsFile(CsmDbContext db) : ImportFile<Subscription>(db)
{
    private static readonly ImportColumn ExternalId = new("external_id");
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn Plan = new("plan");
    private static readonly ImportColumn Mrr = new("mrr");
    private static readonly ImportColumn Currency = new("currency");
    private static readonly ImportColumn StartDate = new("start_date");
    private static readonly ImportColumn EndDate = new("end_date", Optional: true);
    private static readonly ImportColumn RenewalDate = new("renewal_date", Optional: true);
    private static readonly ImportColumn CancellationReason = new("cancellation_reason", Optional: true);

    private readonly KeySet<string> _externalIds = new(StringComparer.Ordinal);
    private Dictionary<string, AccountRef> _accounts = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } =
        [ExternalId, Account, Plan, Mrr, Currency, StartDate, EndDate, RenewalDate, CancellationReason];

    public override async Task LoadAsync(CancellationToken ct) => _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);

    protected override BulkUpsert<Subscription> Writer() => new(Db, nameof(Subscription.ExternalId));

    protected override Subscription? Read(ImportRow row)
    {
        var externalId = row.Required(ExternalId, Limit(nameof(Subscription.ExternalId)));
        var account = row.Account(Account, _accounts, int.MaxValue);
        var plan = row.Required(Plan, Limit(nameof(Subscription.Plan)));
        var currency = row.Currency(Currency, account);
        var mrr = row.Amount(Mrr, currency);
        var start = row.Date(StartDate);
        var end = row.OptionalDate(EndDate);
        var renewal = row.OptionalDate(RenewalDate);
        var reason = row.OptionalChoice<CancellationReason>(CancellationReason);
        if (end is { } e && row.Ok(StartDate) && e < start)
            row.Error(EndDate, $"{ImportRow.Iso(e)} is before the start date {ImportRow.Iso(start)}");
        if (renewal is { } r && row.Ok(StartDate) && r < start)
            row.Error(RenewalDate, $"{ImportRow.Iso(r)} is before the start date {ImportRow.Iso(start)}");
        if (reason is not null && end is null && row.Ok(EndDate))
            row.Error(CancellationReason, "only an ended subscription has a cancellation reason, and end_date is empty");
        if (externalId.Length > 0) row.Unique(_externalIds, externalId, ExternalId, $"subscription {externalId}");
        return row.HasErrors || account is not { } a
            ? null
            : new Subscription(externalId, a.Id, plan, new Money(mrr, currency), start, end, renewal, reason);
    }
}
