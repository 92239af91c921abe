using System.Data.Common;
using CsmPayments.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace CsmPayments.Bench.Generate;

/// <summary>
/// Appends rows to one table by the database's bulk path: binary COPY on PostgreSQL, one prepared INSERT reused inside
/// the caller's transaction on SQLite. Table and column names and value conversions (enums as text) come from the EF
/// model, so the rows land exactly as the application stores them; ids are given by the caller, so rows of later
/// tables can refer to them without reading anything back.
/// </summary>
public sealed class BulkLoad<T> where T : class
{
    private readonly IProperty[] _columns;
    private readonly Func<T, object?>[] _values;
    private readonly IProperty? _id;
    private readonly string _table;
    private readonly string[] _names;

    public BulkLoad(CsmDbContext model)
    {
        var entity = model.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        _table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(_table, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties;
        _id = key.Count == 1 && key[0].ValueGenerated == ValueGenerated.OnAdd ? key[0] : null;
        _columns = entity.GetProperties().Where(p => p != _id && p.FindAnnotation(CsmDbContext.OwnerWritesOnly)?.Value is not true).ToArray();
        _values = _columns.Select(Reader).ToArray();
        _names = (_id is null ? [] : new[] { _id.GetColumnName(store)! }).Concat(_columns.Select(p => p.GetColumnName(store)!)).ToArray();
    }

    public string Table => _table;

    /// <summary>The generated id column, when the table has one (its sequence is moved past the loaded ids afterwards).</summary>
    public bool HasId => _id is not null;

    private static Func<T, object?> Reader(IProperty property)
    {
        var getter = property.GetGetter();
        var converter = property.GetTypeMapping().Converter;
        return converter is null ? row => getter.GetClrValue(row) : row => getter.GetClrValue(row) is { } value ? converter.ConvertToProvider(value) : null;
    }

    public async Task<long> CopyAsync(NpgsqlConnection connection, IEnumerable<(long Id, T Row)> rows, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {_table} ({string.Join(", ", _names)}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var (id, row) in rows)
        {
            await copy.StartRowAsync(ct);
            if (_id is not null) await copy.WriteAsync(id, NpgsqlDbType.Bigint, ct);
            foreach (var read in _values)
            {
                var value = read(row);
                if (value is null) await copy.WriteNullAsync(ct);
                else await copy.WriteAsync(value, TypeOf(value), ct);
            }
        }
        return (long)await copy.CompleteAsync(ct);
    }

    private static NpgsqlDbType TypeOf(object value) => value switch
    {
        long => NpgsqlDbType.Bigint,
        int => NpgsqlDbType.Integer,
        decimal => NpgsqlDbType.Numeric,
        string => NpgsqlDbType.Text,
        DateOnly => NpgsqlDbType.Date,
        bool => NpgsqlDbType.Boolean,
        double => NpgsqlDbType.Double,
        DateTimeOffset or DateTime => NpgsqlDbType.TimestampTz,
        _ => throw new InvalidOperationException($"no COPY type for {value.GetType().Name}"),
    };

    /// <summary>
    /// A prepared INSERT for this table on <paramref name="connection"/>, bound and stepped through the SQLite library
    /// directly (no command object per row); reuse it for every row of the load, inside the caller's transaction.
    /// </summary>
    public SqliteInsert Prepare(SqliteConnection connection)
    {
        var sql = $"INSERT INTO {_table} ({string.Join(", ", _names)}) VALUES ({string.Join(", ", _names.Select((_, i) => "?" + (i + 1)))})";
        Check(connection.Handle!, raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement));
        return new SqliteInsert(this, connection.Handle!, statement);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
            throw new InvalidOperationException($"SQLite error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}");
    }

    public sealed class SqliteInsert(BulkLoad<T> load, sqlite3 db, sqlite3_stmt statement) : IDisposable
    {
        public void Insert(long id, T row)
        {
            var p = 1;
            if (load._id is not null) raw.sqlite3_bind_int64(statement, p++, id);
            foreach (var read in load._values) Bind(p++, read(row));
            Check(db, raw.sqlite3_step(statement));
            raw.sqlite3_reset(statement);
        }

        /// <summary>Each value in the storage class EF uses on SQLite: integers as INTEGER, decimals and dates as TEXT.</summary>
        private void Bind(int index, object? value)
        {
            var c = System.Globalization.CultureInfo.InvariantCulture;
            var rc = value switch
            {
                null => raw.sqlite3_bind_null(statement, index),
                long l => raw.sqlite3_bind_int64(statement, index, l),
                int i => raw.sqlite3_bind_int64(statement, index, i),
                bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
                double d => raw.sqlite3_bind_double(statement, index, d),
                string text => raw.sqlite3_bind_text(statement, index, text),
                DateOnly date => raw.sqlite3_bind_text(statement, index, date.ToString("yyyy-MM-dd", c)),
                decimal m => raw.sqlite3_bind_text(statement, index, m.ToString("0.0###########################", c)),
                _ => throw new InvalidOperationException($"no SQLite binding for {value.GetType().Name}"),
            };
            Check(db, rc);
        }

        public void Dispose() => raw.sqlite3_finalize(statement);
    }
}

/// <summary>Helpers shared by the loads of every table.</summary>
public static class BulkLoads
{
    /// <summary>Moves a PostgreSQL identity past the ids the load wrote, so rows the application adds later get new ones.</summary>
    public static async Task AdvanceIdentityAsync(DbConnection connection, string table, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(1, (SELECT COALESCE(MAX(id), 0) FROM {table})))";
        await command.ExecuteNonQueryAsync(ct);
    }
}
