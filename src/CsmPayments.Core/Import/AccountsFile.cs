using CsmPayments.Accounts;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Import;

/// <summary>
/// accounts.csv: external_id, name, industry, employees, country, plan, csm_email, currency, timezone (optional),
/// tier (optional). Matched on external_id; the Stripe customer link, which no file carries, is kept.
/// </summary>
internal sealed class AccountsFile(CsmDbContext db) : ImportFile<Account>(db)
{
    private static readonly ImportColumn ExternalId = new("external_id");
    private static readonly ImportColumn Name = new("name");
    private static readonly ImportColumn Industry = new("industry");
    private static readonly ImportColumn Employees = new("employees");
    private static readonly ImportColumn Country = new("country");
    private static readonly ImportColumn Plan = new("plan");
    private static readonly ImportColumn CsmEmail = new("csm_email");
    private static readonly ImportColumn Currency = new("currency");
    private static readonly ImportColumn TimeZone = new("timezone", Optional: true);
    private static readonly ImportColumn Tier = new("tier", Optional: true);

    private readonly KeySet<string> _externalIds = new(StringComparer.Ordinal);
    private Dictionary<string, long> _users = [];
    private Dictionary<string, string> _billedCurrencies = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } =
        [ExternalId, Name, Industry, Employees, Country, Plan, CsmEmail, Currency, TimeZone, Tier];

    public override async Task LoadAsync(CancellationToken ct)
    {
        _users = await Lookups.UsersAsync(Db, ct);
        // An account with invoices, payments, credit notes or subscriptions has money recorded in its currency;
        // changing the currency under them would mix currencies within one account.
        var accounts = Db.Accounts.AsNoTracking();
        if (Named(ExternalId) is { } named) accounts = accounts.Where(a => named.Contains(a.ExternalId));
        _billedCurrencies = await accounts
            .Where(a => Db.Invoices.Any(i => i.AccountId == a.Id) || Db.Payments.Any(p => p.AccountId == a.Id)
                        || Db.CreditNotes.Any(c => c.AccountId == a.Id) || Db.Subscriptions.Any(s => s.AccountId == a.Id))
            .ToDictionaryAsync(a => a.ExternalId, a => a.Currency, StringComparer.Ordinal, ct);
    }

    protected override BulkUpsert<Account> Writer() =>
        new BulkUpsert<Account>(Db, nameof(Account.ExternalId)).Preserving(nameof(Account.StripeCustomerId));

    protected override Account? Read(ImportRow row)
    {
        var externalId = row.Required(ExternalId, Limit(nameof(Account.ExternalId)));
        var name = row.Required(Name, Limit(nameof(Account.Name)));
        var industry = row.Required(Industry, Limit(nameof(Account.Industry)));
        var employees = row.Whole(Employees, 0, int.MaxValue);
        var country = row.Required(Country, Limit(nameof(Account.Country)));
        if (country.Length > 0 && !(country.Length == 2 && char.IsAsciiLetter(country[0]) && char.IsAsciiLetter(country[1])))
            row.Error(Country, $"{ImportRow.Quote(country)} is not a two-letter ISO 3166 country code (such as US or DE)");
        var plan = row.Required(Plan, Limit(nameof(Account.Plan)));
        var csmId = row.User(CsmEmail, _users, int.MaxValue);
        var currency = row.Currency(Currency, null);
        if (currency.Length > 0 && externalId.Length > 0 && _billedCurrencies.TryGetValue(externalId, out var billed) && billed != currency)
            row.Error(Currency, $"account {externalId} already has invoices, payments or subscriptions in {billed}; its currency cannot change to {currency}");
        var timeZone = row.Text(TimeZone, Limit(nameof(Account.TimeZone)));
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            row.Error(TimeZone, $"{ImportRow.Quote(timeZone)} is not an IANA time zone (such as Europe/Berlin)");
        var tier = row.OptionalChoice<ServiceTier>(Tier);
        if (externalId.Length > 0) row.Unique(_externalIds, externalId, ExternalId, $"account {externalId}");
        return row.HasErrors ? null : new Account(externalId, name, industry, (int)employees, country, plan, csmId, currency, timeZone, tier);
    }
}
