using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Audit;

/// <summary>Reads the audit log of one account, oldest first.</summary>
public static class AuditLog
{
    public static async Task<IReadOnlyList<AuditEntry>> ForAccountAsync(CsmDbContext db, long accountId, CancellationToken ct = default)
    {
        var entries = await db.AuditEntries.AsNoTracking().Where(e => e.AccountId == accountId).ToListAsync(ct);
        // Ordered in memory: SQLite cannot order by a DateTimeOffset column.
        return entries.OrderBy(e => e.At).ThenBy(e => e.Id).ToList();
    }
}
