using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Import;

/// <summary>
/// One file format of DESIGN §4: its columns, the lookups its references need, and how a row becomes an entity.
/// A subclass per file, named after it.
/// </summary>
internal abstract class ImportFile(CsmDbContext db)
{
    protected CsmDbContext Db { get; } = db;

    public abstract IReadOnlyList<ImportColumn> Columns { get; }

    /// <summary>The records' values per column when they are known before loading (a JSON body); null for a file.</summary>
    public RecordKeys? Keys { get; set; }

    /// <summary>The keys of <paramref name="column"/> the lookups need: those the records name, or every key (null).</summary>
    protected string[]? Named(ImportColumn column) => Keys?.Values(column);

    /// <summary>Loads what rows refer to; called inside the import's transaction, before the first row.</summary>
    public virtual Task LoadAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Reads every row, reporting bad ones, and writes the good ones while no row was bad; returns rows changed.</summary>
    public abstract Task<long> WriteAsync(IEnumerable<ImportRow> rows, ImportErrors errors, CancellationToken ct);

    public static ImportFile For(ImportKind kind, CsmDbContext db) => kind switch
    {
        ImportKind.Users => new UsersFile(db),
        ImportKind.Accounts => new AccountsFile(db),
        ImportKind.Contacts => new ContactsFile(db),
        ImportKind.Subscriptions => new SubscriptionsFile(db),
        ImportKind.Invoices => new InvoicesFile(db),
        ImportKind.Payments => new PaymentsFile(db),
        ImportKind.CreditNotes => new CreditNotesFile(db),
        ImportKind.Usage => new UsageFile(db),
        ImportKind.Tickets => new TicketsFile(db),
        ImportKind.Nps => new NpsFile(db),
        ImportKind.Touchpoints => new TouchpointsFile(db),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no import file format for this kind"),
    };
}

internal abstract class ImportFile<T>(CsmDbContext db) : ImportFile(db) where T : class
{
    private readonly Dictionary<string, int> _limits = new(StringComparer.Ordinal);

    /// <summary>The upsert on the entity's key.</summary>
    protected abstract BulkUpsert<T> Writer();

    /// <summary>The entity the row describes, or null when the row has errors (already reported on the row).</summary>
    protected abstract T? Read(ImportRow row);

    public sealed override async Task<long> WriteAsync(IEnumerable<ImportRow> rows, ImportErrors errors, CancellationToken ct)
    {
        return await Writer().WriteAsync(Entities(rows, errors), ct);
    }

    /// <summary>The most characters the column of <paramref name="property"/> holds, from the EF model, the schema's one source.</summary>
    protected int Limit(string property)
    {
        if (_limits.TryGetValue(property, out var limit)) return limit;
        var column = Db.Model.FindEntityType(typeof(T))?.FindProperty(property)
                     ?? throw new InvalidOperationException($"{typeof(T).Name} has no property {property}");
        return _limits[property] = column.GetMaxLength() ?? int.MaxValue;
    }

    private IEnumerable<T> Entities(IEnumerable<ImportRow> rows, ImportErrors errors)
    {
        foreach (var row in rows)
        {
            var entity = Build(row);
            // Once a row is bad the whole file is rolled back, so writing further rows would be wasted work;
            // the rest is still read so that every bad row is reported.
            if (entity is not null && errors.Count == 0) yield return entity;
        }
    }

    private T? Build(ImportRow row)
    {
        try
        {
            return Read(row);
        }
        catch (ArgumentException e)
        {
            // The rows are checked before an entity is built; this is the entity's own guard catching a rule the
            // checks missed, reported like any other bad value rather than aborting the import.
            var reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
            row.Error(e.ParamName is null ? "row" : SnakeCase(e.ParamName), reason);
            return null;
        }
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
