using CsmPayments.Accounts;
using CsmPayments.Storage;

namespace CsmPayments.Import;

/// <summary>users.csv: email, name, role, capacity (optional). Matched on email.</summary>
internal sealed class UsersFile(CsmDbContext db) : ImportFile<User>(db)
{
    private static readonly ImportColumn Email = new("email");
    private static readonly ImportColumn Name = new("name");
    private static readonly ImportColumn Role = new("role");
    private static readonly ImportColumn Capacity = new("capacity", Optional: true);

    private readonly KeySet<string> _emails = new(StringComparer.Ordinal);

    public override IReadOnlyList<ImportColumn> Columns { get; } = [Email, Name, Role, Capacity];

    protected override BulkUpsert<User> Writer() => new(Db, nameof(User.Email));

    protected override User? Read(ImportRow row)
    {
        var email = row.Email(Email, Limit(nameof(User.Email)));
        var name = row.Required(Name, Limit(nameof(User.Name)));
        var role = row.Choice<UserRole>(Role);
        var capacity = row.OptionalWhole(Capacity, 1, int.MaxValue);
        if (email.Length > 0) row.Unique(_emails, email, Email, $"user {email}");
        return row.HasErrors ? null : new User(email, name, role, (int?)capacity);
    }
}
