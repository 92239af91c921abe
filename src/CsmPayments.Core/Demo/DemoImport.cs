using CsmPayments.Import;
using CsmPayments.Storage;

namespace CsmPayments.Demo;

/// <summary>
/// Puts a written demo company into the database through the importer, file by file in dependency order, so the demo
/// passes the same rules as any customer's data. Stops at the first file the importer rejects.
/// </summary>
public static class DemoImport
{
    public static readonly IReadOnlyList<ImportKind> Order =
    [
        ImportKind.Users, ImportKind.Accounts, ImportKind.Contacts, ImportKind.Subscriptions, ImportKind.Invoices, ImportKind.Payments,
        ImportKind.CreditNotes, ImportKind.Usage, ImportKind.Tickets, ImportKind.Nps, ImportKind.Touchpoints,
    ];

    /// <summary>The result of every file imported; the last one is the rejected file when an import failed.</summary>
    public static async Task<IReadOnlyList<ImportResult>> ImportAsync(Database database, string folder, CancellationToken ct = default)
    {
        var importer = new Importer(database);
        var results = new List<ImportResult>(Order.Count);
        foreach (var kind in Order)
        {
            var result = await importer.ImportAsync(kind, Path.Combine(folder, ImportKinds.FileName(kind)), null, ct);
            results.Add(result);
            if (!result.Succeeded) break;
        }
        return results;
    }
}
