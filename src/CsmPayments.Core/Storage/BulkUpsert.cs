using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CsmPayments.Storage;

/// <summary>
/// Writes many entities at once, inserting new rows and updating existing ones matched on a natural key, without
/// change tracking. Column names and value conversions come from the EF model, so the table shape has one source.
/// A row whose values are all unchanged is not rewritten, so importing the same data twice changes nothing.
/// Runs inside the caller's transaction when there is one.
/// </summary>
public sealed class BulkUpsert<T> where T : class
{
    private const int PostgresBatch = 50_000;
    private const int PostgresArrayLimit = 20_000;

    private readonly CsmDbContext _db;
    private readonly string _table;
    private readonly IProperty[] _columns;
    private readonly string[] _keyColumns;
    private readonly HashSet<string> _preserved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Combine> _combined = new(StringComparer.Ordinal);

    public BulkUpsert(CsmDbContext db, params string[] keyProperties)
    {
        _db = db;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        _table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(_table, entity.GetSchema());
        // Columns another part of the product owns (the cycle's record of when an invoice was settled) are left to it: a
        // new row has them empty, an updated one keeps them.
        _columns = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd))
            .Where(p => p.FindAnnotation(CsmDbContext.OwnerWritesOnly)?.Value is not true)
            .ToArray();
        _keyColumns = keyProperties.Select(k => entity.FindProperty(k)?.GetColumnName(store)
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no property {k}")).ToArray();
        ColumnNames = _columns.Select(p => p.GetColumnName(store)!).ToArray();
    }

    private string[] ColumnNames { get; }

    /// <summary>
    /// Columns that this writer sets on insert but never overwrites on update, because another source owns them
    /// (for example the Stripe customer id, which no CSV file carries).
    /// </summary>
    public BulkUpsert<T> Preserving(params string[] properties)
    {
        foreach (var name in properties)
        {
            var index = Array.FindIndex(_columns, c => c.Name == name);
            if (index < 0) throw new InvalidOperationException($"{typeof(T).Name} has no property {name}");
            _preserved.Add(ColumnNames[index]);
        }
        return this;
    }

    /// <summary>
    /// Columns whose stored value is combined with the incoming one on update instead of replaced by it: counts that
    /// add up (<see cref="Combine.Sum"/>) or a high-water mark (<see cref="Combine.Max"/>).
    /// </summary>
    public BulkUpsert<T> Combining(string property, Combine combine)
    {
        var index = Array.FindIndex(_columns, c => c.Name == property);
        if (index < 0) throw new InvalidOperationException($"{typeof(T).Name} has no property {property}");
        _combined[ColumnNames[index]] = combine;
        return this;
    }

    /// <summary>Writes the rows; returns how many were inserted or changed.</summary>
    public Task<long> WriteAsync(IEnumerable<T> rows, CancellationToken ct = default) =>
        _db.Provider == StorageProvider.Postgres ? WritePostgresAsync(rows, ct) : WriteSqliteAsync(rows, ct);

    /// <summary>
    /// Writes rows expected to be new (a day the table has no rows for yet). On PostgreSQL they are COPYed straight into the
    /// table, with no staging table and no merge; should a row exist after all (written meanwhile by another process), that
    /// batch is rolled back to a savepoint and upserted instead. Elsewhere this is <see cref="WriteAsync"/>. Returns how
    /// many rows were inserted or changed.
    /// </summary>
    public async Task<long> InsertAsync(IReadOnlyList<T> rows, CancellationToken ct = default)
    {
        if (_db.Provider != StorageProvider.Postgres || rows.Count == 0) return await WriteAsync(rows, ct);
        await _db.Database.OpenConnectionAsync(ct);
        var connection = (NpgsqlConnection)_db.Database.GetDbConnection();
        var transaction = _db.Database.CurrentTransaction;
        const string savepoint = "bulk_insert";
        if (transaction is not null) await transaction.CreateSavepointAsync(savepoint, ct);
        try
        {
            await CopyRowsAsync(connection, rows, ct);
            if (transaction is not null) await transaction.ReleaseSavepointAsync(savepoint, ct);
            return rows.Count;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Inside a transaction the failed COPY is undone to the savepoint; without one COPY is all or nothing already.
            if (transaction is not null) await transaction.RollbackToSavepointAsync(savepoint, ct);
            return await WriteAsync(rows, ct);
        }
    }

    /// <summary>
    /// Inserts rows that must be new, inside the caller's transaction, without change tracking: COPYed on PostgreSQL, one
    /// prepared <c>INSERT</c> per row on SQLite. Unlike <see cref="InsertAsync"/> nothing is merged: a row that exists
    /// already fails the insert with a unique violation (PostgreSQL: <see cref="PostgresException"/>, SQL state 23505;
    /// SQLite: <c>SqliteException</c>, error 19) and leaves the transaction to be rolled back by the caller. Generated keys
    /// are not read back: the rows' own ids stay unset.
    /// </summary>
    public async Task InsertNewAsync(IReadOnlyList<T> rows, CancellationToken ct = default)
    {
        if (rows.Count == 0) return;
        if (_db.Database.CurrentTransaction is null) throw new InvalidOperationException("InsertNewAsync writes inside the caller's transaction");
        if (_db.Provider == StorageProvider.Postgres)
        {
            await _db.Database.OpenConnectionAsync(ct);
            await CopyRowsAsync((NpgsqlConnection)_db.Database.GetDbConnection(), rows, ct);
        }
        else await WriteSqliteAsync(rows, ct, merge: false);
    }

    private async Task CopyRowsAsync(NpgsqlConnection connection, IReadOnlyList<T> rows, CancellationToken ct)
    {
        var columns = CopyColumns();
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {_table} ({string.Join(", ", ColumnNames)}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows) await WriteRowAsync(importer, columns, row, ct);
        await importer.CompleteAsync(ct);
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, CopyColumn[] columns, T row, CancellationToken ct)
    {
        await importer.StartRowAsync(ct);
        foreach (var column in columns) await column(importer, row, ct);
    }

    /// <summary>Writes one column of a row to a binary COPY.</summary>
    private delegate Task CopyColumn(NpgsqlBinaryImporter importer, T row, CancellationToken ct);

    private static (IModel Model, CopyColumn[] Columns)? s_copyColumns;

    /// <summary>
    /// One compiled writer per column, made once per model: the value is read from its property, converted as the model
    /// maps it and written with its static type, so a COPY of a million rows neither boxes a value nor looks its
    /// conversion and PostgreSQL type up again for each one.
    /// </summary>
    private CopyColumn[] CopyColumns()
    {
        if (s_copyColumns is { } cached && ReferenceEquals(cached.Model, _db.Model)) return cached.Columns;
        var columns = _columns.Select(CompileCopyColumn).ToArray();
        s_copyColumns = (_db.Model, columns);
        return columns;
    }

    private static CopyColumn CompileCopyColumn(IProperty property)
    {
        var columnType = property.GetColumnType();
        var importer = Expression.Parameter(typeof(NpgsqlBinaryImporter), "importer");
        var row = Expression.Parameter(typeof(T), "row");
        var ct = Expression.Parameter(typeof(CancellationToken), "ct");
        Expression? read = property.PropertyInfo is { CanRead: true } getter ? Expression.Property(row, getter)
            : property.FieldInfo is { } field ? Expression.Field(row, field)
            : null;
        if (read is null)
            // A property without a CLR member of its own (a shadow property) is read through EF, boxed.
            return (i, r, c) => Value(property, r) is { } value ? i.WriteAsync(value, columnType, c) : i.WriteNullAsync(c);

        var current = Expression.Variable(read.Type, "value");
        Expression present = Nullable.GetUnderlyingType(read.Type) is not null ? Expression.Property(current, "Value") : current;
        if (property.GetTypeMapping().Converter is { } converter)
        {
            var convert = converter.ConvertToProviderExpression;
            var input = convert.Parameters[0].Type;
            present = Expression.Invoke(convert, present.Type == input ? present : Expression.Convert(present, input));
        }
        if (Nullable.GetUnderlyingType(present.Type) is { } underlying) present = Expression.Convert(present, underlying);
        var write = WriteTyped.MakeGenericMethod(present.Type);
        Expression body = Expression.Call(importer, write, present, Expression.Constant(columnType), ct);
        if (!read.Type.IsValueType || Nullable.GetUnderlyingType(read.Type) is not null)
        {
            var isNull = read.Type.IsValueType ? (Expression)Expression.Not(Expression.Property(current, "HasValue")) : Expression.ReferenceEqual(current, Expression.Constant(null));
            body = Expression.Condition(isNull, Expression.Call(importer, WriteNull, ct), body, typeof(Task));
        }
        return Expression.Lambda<CopyColumn>(Expression.Block(typeof(Task), [current], Expression.Assign(current, read), body), importer, row, ct).Compile();
    }

    private static readonly MethodInfo WriteTyped = typeof(NpgsqlBinaryImporter).GetMethods()
        .Single(m => m.Name == nameof(NpgsqlBinaryImporter.WriteAsync) && m.IsGenericMethodDefinition
                     && m.GetParameters() is [_, { ParameterType: var name }, { ParameterType: var token }] && name == typeof(string) && token == typeof(CancellationToken));

    private static readonly MethodInfo WriteNull = typeof(NpgsqlBinaryImporter).GetMethod(nameof(NpgsqlBinaryImporter.WriteNullAsync), [typeof(CancellationToken)])!;

    private static object? Value(IProperty property, T row)
    {
        var value = property.GetGetter().GetClrValue(row);
        var converter = property.GetTypeMapping().Converter;
        return value is null ? null : converter is null ? value : converter.ConvertToProvider(value);
    }

    private string UpsertTail(string excluded)
    {
        var updatable = ColumnNames.Where(c => !_keyColumns.Contains(c) && !_preserved.Contains(c)).ToArray();
        if (updatable.Length == 0) return $" ON CONFLICT ({string.Join(", ", _keyColumns)}) DO NOTHING";
        var target = string.Join(", ", updatable.Select(c => $"{_table}.{c}"));
        // Compared with what the row would become: a combined column (a sum) changes even when the incoming value equals the stored one.
        var incoming = string.Join(", ", updatable.Select(c => _combined.ContainsKey(c) ? Updated(c) : $"{excluded}.{c}"));
        var distinct = _db.Provider == StorageProvider.Postgres ? "IS DISTINCT FROM" : "IS NOT";
        var rowTarget = updatable.Length == 1 ? target : $"({target})";
        var rowIncoming = updatable.Length == 1 ? incoming : $"({incoming})";
        var cast = _db.Provider == StorageProvider.Postgres && updatable.Length > 1 ? "ROW" : "";
        return $" ON CONFLICT ({string.Join(", ", _keyColumns)}) DO UPDATE SET "
               + string.Join(", ", updatable.Select(c => $"{c} = {Updated(c)}"))
               + $" WHERE {cast}{rowTarget} {distinct} {cast}{rowIncoming}";
    }

    private string Updated(string column) => _combined.TryGetValue(column, out var combine)
        ? combine switch
        {
            Combine.Sum => $"{_table}.{column} + excluded.{column}",
            _ => _db.Provider == StorageProvider.Postgres ? $"GREATEST({_table}.{column}, excluded.{column})" : $"max({_table}.{column}, excluded.{column})",
        }
        : $"excluded.{column}";

    private async Task<long> WriteSqliteAsync(IEnumerable<T> rows, CancellationToken ct, bool merge = true)
    {
        var connection = _db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await _db.Database.OpenConnectionAsync(ct);
        var ownTransaction = _db.Database.CurrentTransaction is null ? await _db.Database.BeginTransactionAsync(ct) : null;
        await using var command = connection.CreateCommand();
        command.Transaction = _db.Database.CurrentTransaction!.GetDbTransaction();
        var parameters = ColumnNames.Select((_, i) => "@p" + i).ToArray();
        command.CommandText = $"INSERT INTO {_table} ({string.Join(", ", ColumnNames)}) VALUES ({string.Join(", ", parameters)})"
                              + (merge ? UpsertTail("excluded") : "");
        var dbParameters = new DbParameter[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            dbParameters[i] = command.CreateParameter();
            dbParameters[i].ParameterName = parameters[i];
            command.Parameters.Add(dbParameters[i]);
        }
        await command.PrepareAsync(ct);
        long changed = 0;
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < _columns.Length; i++) dbParameters[i].Value = Value(_columns[i], row) ?? DBNull.Value;
            changed += await command.ExecuteNonQueryAsync(ct);
        }
        if (ownTransaction is not null)
        {
            await ownTransaction.CommitAsync(ct);
            await ownTransaction.DisposeAsync();
        }
        return changed;
    }

    private Task<long> WritePostgresAsync(IEnumerable<T> rows, CancellationToken ct)
    {
        // A few rows (an API request, a webhook) go in one statement; more are streamed through COPY.
        var first = new List<T>();
        var enumerator = rows.GetEnumerator();
        while (first.Count <= PostgresArrayLimit && enumerator.MoveNext()) first.Add(enumerator.Current);
        if (first.Count <= PostgresArrayLimit)
        {
            enumerator.Dispose();
            return WritePostgresArraysAsync(first, ct);
        }
        return WritePostgresCopyAsync(first.Concat(Remaining(enumerator)), ct);
    }

    private static IEnumerable<T> Remaining(IEnumerator<T> enumerator)
    {
        using (enumerator)
            while (enumerator.MoveNext())
                yield return enumerator.Current;
    }

    /// <summary>One INSERT … SELECT FROM unnest(arrays) … ON CONFLICT: one round trip, no staging table.</summary>
    private async Task<long> WritePostgresArraysAsync(List<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        await _db.Database.OpenConnectionAsync(ct);
        var connection = (NpgsqlConnection)_db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        var arrays = new string[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            var property = _columns[i];
            var provider = property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
            var element = Nullable.GetUnderlyingType(provider) ?? provider;
            if (element.IsValueType && property.IsNullable) element = typeof(Nullable<>).MakeGenericType(element);
            var values = Array.CreateInstance(element, rows.Count);
            for (var r = 0; r < rows.Count; r++) values.SetValue(Value(property, rows[r]), r);
            command.Parameters.Add(new NpgsqlParameter("p" + i, values));
            arrays[i] = $"@p{i}::{property.GetColumnType()}[]";
        }
        var columns = string.Join(", ", ColumnNames);
        command.CommandText = $"INSERT INTO {_table} ({columns}) SELECT * FROM unnest({string.Join(", ", arrays)}) AS incoming ({columns})"
                              + UpsertTail("excluded");
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<long> WritePostgresCopyAsync(IEnumerable<T> rows, CancellationToken ct)
    {
        // COPY into a temporary table, then one INSERT … ON CONFLICT per batch: far faster than row-by-row inserts.
        await _db.Database.OpenConnectionAsync(ct);
        var connection = (NpgsqlConnection)_db.Database.GetDbConnection();
        var ownTransaction = _db.Database.CurrentTransaction is null ? await _db.Database.BeginTransactionAsync(ct) : null;
        var staging = "staging_" + _table;
        var columns = string.Join(", ", ColumnNames);
        await using (var create = connection.CreateCommand())
        {
            // Only the written columns, without constraints: a generated key (identity) is not written and must not be NOT NULL here.
            create.CommandText = $"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS SELECT {columns} FROM {_table} WITH NO DATA; TRUNCATE {staging};";
            await create.ExecuteNonQueryAsync(ct);
        }
        long changed = 0;
        var copyColumns = CopyColumns();
        using var enumerator = rows.GetEnumerator();
        var more = true;
        while (more)
        {
            var count = 0;
            await using (var importer = await connection.BeginBinaryImportAsync($"COPY {staging} ({columns}) FROM STDIN (FORMAT BINARY)", ct))
            {
                while (count < PostgresBatch && (more = enumerator.MoveNext()))
                {
                    await WriteRowAsync(importer, copyColumns, enumerator.Current, ct);
                    count++;
                }
                await importer.CompleteAsync(ct);
            }
            if (count == 0) break;
            await using var merge = connection.CreateCommand();
            merge.CommandText = $"INSERT INTO {_table} ({columns}) SELECT {columns} FROM {staging}" + UpsertTail("excluded") + $"; TRUNCATE {staging};";
            changed += await merge.ExecuteNonQueryAsync(ct);
        }
        if (ownTransaction is not null)
        {
            await ownTransaction.CommitAsync(ct);
            await ownTransaction.DisposeAsync();
        }
        return changed;
    }
}

/// <summary>How <see cref="BulkUpsert{T}.Combining"/> merges a stored value with an incoming one.</summary>
public enum Combine { Sum, Max }
