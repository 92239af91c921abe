using CsmPayments.Accounts;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>contacts.csv: email, account_external_id, name, role. Matched on email.</summary>
internal sealed class ContactsFile(CsmDbContext db) : ImportFile<Contact>(db)
{
    private static readonly ImportColumn Email = new("email");
    private static readonly ImportColumn Account = new("account_external_id");
    private static readonly ImportColumn Name = new("name");
    private static readonly ImportColumn Role = new("role");

    private readonly KeySet<string> _emails = new(StringComparer.Ordinal);
    private Dictionary<string, AccountRef> _accounts = [];

    public override IReadOnlyList<ImportColumn> Columns { get; } = [Email, Account, Name, Role];

    public override async Task LoadAsync(CancellationToken ct) => _accounts = await Lookups.AccountsAsync(Db, Named(Account), ct);

    protected override BulkUpsert<Contact> Writer() => new(Db, nameof(Contact.Email));

    protected override Contact? Read(ImportRow row)
    {
        var email = row.Email(Email, Limit(nameof(Contact.Email)));
        var account = row.Account(Account, _accounts, int.MaxValue);
        var name = row.Required(Name, Limit(nameof(Contact.Name)));
        var role = row.Choice<ContactRole>(Role);
        if (email.Length > 0) row.Unique(_emails, email, Email, $"contact {email}");
        return row.HasErrors || account is not { } a ? null : new Contact(email, a.Id, name, role);
    }
}
