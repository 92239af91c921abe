using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Import;

/// <summary>An invoice as payments and credit notes refer to it by number.</summary>
internal readonly record struct InvoiceRef(long Id, long AccountId, string AccountExternalId, string Currency, DateOnly IssueDate);

/// <summary>
/// The external keys rows refer to, loaded once per import so that resolving a reference costs a dictionary lookup,
/// not a query per row.
/// </summary>
internal static class Lookups
{
    /// <summary>Accounts by external id: those <paramref name="only"/> names, or every account when it is null.</summary>
    public static async Task<Dictionary<string, AccountRef>> AccountsAsync(CsmDbContext db, string[]? only, CancellationToken ct)
    {
        var accounts = new Dictionary<string, AccountRef>(StringComparer.Ordinal);
        var query = db.Accounts.AsNoTracking();
        if (only is not null) query = query.Where(a => only.Contains(a.ExternalId));
        await foreach (var account in query
                           .Select(a => new AccountRef(a.Id, a.ExternalId, a.Currency)).AsAsyncEnumerable().WithCancellation(ct))
            accounts[account.ExternalId] = account;
        return accounts;
    }

    /// <summary>User ids by email; emails are stored lower-cased.</summary>
    public static async Task<Dictionary<string, long>> UsersAsync(CsmDbContext db, CancellationToken ct)
    {
        var users = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var user in db.Users.AsNoTracking().Select(u => new { u.Email, u.Id }).AsAsyncEnumerable().WithCancellation(ct))
            users[user.Email] = user.Id;
        return users;
    }

    /// <summary>Invoices by number: those <paramref name="only"/> names, or every invoice when it is null.</summary>
    public static async Task<Dictionary<string, InvoiceRef>> InvoicesAsync(CsmDbContext db, string[]? only, CancellationToken ct)
    {
        var invoices = new Dictionary<string, InvoiceRef>(StringComparer.Ordinal);
        var scoped = db.Invoices.AsNoTracking();
        if (only is not null) scoped = scoped.Where(i => only.Contains(i.Number));
        var query = from i in scoped
                    join a in db.Accounts on i.AccountId equals a.Id
                    select new { i.Number, i.Id, i.AccountId, a.ExternalId, i.Currency, i.IssueDate };
        await foreach (var i in query.AsAsyncEnumerable().WithCancellation(ct))
            invoices[i.Number] = new InvoiceRef(i.Id, i.AccountId, i.ExternalId, i.Currency, i.IssueDate);
        return invoices;
    }
}
