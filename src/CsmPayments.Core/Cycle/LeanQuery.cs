using System.Data.Common;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CsmPayments.Cycle;

/// <summary>
/// A parameterised SQL read over the selected accounts on a context's own connection, its rows read by ordinal: the
/// cycle's hot day-load reads skip EF's materialisation. The SQL names tables and columns as the model maps them (snake
/// case); <c>{accounts}</c> in it stands for the account filter on the column given. Dates, decimals and strings read the
/// same on both providers (SQLite keeps dates as <c>yyyy-MM-dd</c> text and decimals as text, both parsed exactly).
/// </summary>
internal sealed class LeanQuery : IAsyncDisposable
{
    private readonly DbCommand _command;

    private LeanQuery(DbCommand command) => _command = command;

    public static async Task<LeanQuery> CreateAsync(CsmDbContext db, AccountSelection selection, string accountColumn, string sql, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        string filter;
        if (selection.Ids is { } ids)
        {
            if (db.Provider == StorageProvider.Postgres)
            {
                filter = $"{accountColumn} = ANY(@ids)";
                Add(command, "ids", ids);
            }
            else
            {
                // A refresh selects a few accounts; the health stage's ranges stay far below SQLite's limit of parameters.
                var names = new string[ids.Length];
                for (var i = 0; i < ids.Length; i++)
                {
                    names[i] = "@id" + i;
                    Add(command, "id" + i, ids[i]);
                }
                filter = ids.Length == 0 ? "1 = 0" : $"{accountColumn} IN ({string.Join(", ", names)})";
            }
        }
        else
        {
            filter = $"{accountColumn} BETWEEN @low AND @high";
            Add(command, "low", selection.Low);
            Add(command, "high", selection.High);
        }
        command.CommandText = sql.Replace("{accounts}", filter, StringComparison.Ordinal);
        return new LeanQuery(command);
    }

    public LeanQuery With(string name, object value)
    {
        Add(_command, name, value);
        return this;
    }

    /// <summary>
    /// The rows, read on SQLite by <see cref="SqliteLeanReader"/> (direct calls into the bundled library, no string made
    /// of a date, decimal or enum name), on PostgreSQL by the provider's reader.
    /// </summary>
    public Task<DbDataReader> ReadAsync(CancellationToken ct) =>
        _command is Microsoft.Data.Sqlite.SqliteCommand sqlite && SqliteLeanReader.IsAvailable
            ? Task.FromResult<DbDataReader>(SqliteLeanReader.Execute(sqlite, ct))
            : _command.ExecuteReaderAsync(ct);

    /// <summary>Runs the query and hands each row to <paramref name="row"/>, in the order read.</summary>
    public async Task ForEachAsync(Action<DbDataReader> row, CancellationToken ct)
    {
        await using var r = await ReadAsync(ct);
        while (await r.ReadAsync(ct)) row(r);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// One value per selected account from a query on <c>account_id</c> (its first column) with the parameter
    /// <c>@day</c>; a later row of an account replaces an earlier one.
    /// </summary>
    public static async Task<Dictionary<long, T>> ByAccountAsync<T>(CsmDbContext db, AccountSelection selection, string sql, DateOnly day,
        Func<DbDataReader, T> value, CancellationToken ct)
    {
        var result = new Dictionary<long, T>();
        await using var query = await CreateAsync(db, selection, "account_id", sql, ct);
        await query.With("day", day).ForEachAsync(r => result[r.GetInt64(0)] = value(r), ct);
        return result;
    }

    /// <summary>
    /// A test that <paramref name="column"/> is one of the ids in the parameter <paramref name="parameter"/>, given as
    /// <see cref="IdList"/> makes it: an array on PostgreSQL, a JSON array on SQLite (any number of ids, one parameter).
    /// </summary>
    public static string AnyOf(CsmDbContext db, string column, string parameter) =>
        db.Provider == StorageProvider.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN (SELECT value FROM json_each(@{parameter}))";

    /// <summary>The value of an <see cref="AnyOf"/> parameter.</summary>
    public static object IdList(CsmDbContext db, IReadOnlyCollection<long> ids) =>
        db.Provider == StorageProvider.Postgres ? ids.ToArray() : "[" + string.Join(",", ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    public static int? NullableInt(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    /// <summary>
    /// A date column. On SQLite, where the model stores dates as <c>yyyy-MM-dd</c> text, read by hand from the text
    /// (<see cref="SqliteLeanReader.GetDate"/>: a million accounts' day reads tens of millions of dates); elsewhere by the provider.
    /// </summary>
    public static DateOnly Date(DbDataReader reader, int ordinal) =>
        reader is SqliteLeanReader lean ? lean.GetDate(ordinal) : reader.GetFieldValue<DateOnly>(ordinal);

    public static DateOnly? NullableDate(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Date(reader, ordinal);

    /// <summary>An enum stored by name, as the model's conversion writes it.</summary>
    public static TEnum Enum<TEnum>(DbDataReader reader, int ordinal) where TEnum : struct, Enum =>
        reader is SqliteLeanReader lean ? lean.GetEnum<TEnum>(ordinal) : System.Enum.Parse<TEnum>(reader.GetString(ordinal));
}
