using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CsmPayments.Storage;

/// <summary>
/// A forward-only reader of one SQL statement on a SQLite connection that reads each row's columns by direct calls into
/// the bundled SQLite library. The provider's reader takes and releases a reference to the statement's handle around
/// every call (a profile of the daily cycle at a million accounts found 10.6% of the CPU in those two), and makes a string
/// of every text column; this one holds the handle for the whole read and parses dates, decimals and enum names straight
/// from SQLite's UTF-8 text. It reads what the provider's reader reads, the same values and the same errors for the
/// column types the model stores; the daily cycle's lean reads use it (<see cref="IsAvailable"/>), as do EF queries tagged
/// <see cref="SqliteLeanReads.Tag"/>; everything else uses the provider's reader.
/// </summary>
internal sealed unsafe partial class SqliteLeanReader : DbDataReader
{
    private const int Row = 100, Done = 101;
    private const int IntegerType = 1, FloatType = 2, TextType = 3, BlobType = 4, NullType = 5;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _handle;
    private readonly int _columns;
    private readonly CancellationToken _ct;
    private bool _referenced;
    private bool _stepped;
    private bool _done;
    private bool _closed;

    /// <summary>The last short text read per column, with its bytes: a column of few values (currencies, countries) makes one string of each.</summary>
    private readonly string?[] _lastText;
    private readonly byte[]?[] _lastBytes;

    /// <summary>
    /// Whether this reader can be used: the provider runs on the bundled SQLite library (<c>e_sqlite3</c>), the one this
    /// reader calls.
    /// </summary>
    public static bool IsAvailable { get; } = Available();

    private static bool Available()
    {
        try
        {
            Batteries_V2.Init();
            return raw.GetNativeLibraryName() == "e_sqlite3" && SqliteLibraryVersion() == raw.sqlite3_libversion_number();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private SqliteLeanReader(sqlite3 db, sqlite3_stmt statement, CancellationToken ct)
    {
        _db = db;
        _statement = statement;
        _ct = ct;
        statement.DangerousAddRef(ref _referenced);
        _handle = statement.DangerousGetHandle();
        _columns = raw.sqlite3_column_count(statement);
        _lastText = new string?[_columns];
        _lastBytes = new byte[]?[_columns];
    }

    /// <summary>
    /// Prepares <paramref name="command"/>'s text on its connection and binds its parameters as the provider binds them
    /// (a parameter the statement names but the command lacks is an error; one the statement does not name is ignored).
    /// </summary>
    public static SqliteLeanReader Execute(SqliteCommand command, CancellationToken ct)
    {
        var connection = command.Connection ?? throw new InvalidOperationException("the command has no connection");
        if (connection.State != System.Data.ConnectionState.Open) throw new InvalidOperationException("the command's connection is not open");
        var db = connection.Handle ?? throw new InvalidOperationException("the connection has no SQLite handle");
        var rc = raw.sqlite3_prepare_v2(db, command.CommandText, out var statement, out var tail);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}' preparing: {command.CommandText}", rc);
        }
        try
        {
            if (!string.IsNullOrWhiteSpace(tail)) throw new NotSupportedException($"one statement at a time, not: {command.CommandText}");
            Bind(statement, command.Parameters);
            return new SqliteLeanReader(db, statement, ct);
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    private static void Bind(sqlite3_stmt statement, SqliteParameterCollection parameters)
    {
        var count = raw.sqlite3_bind_parameter_count(statement);
        for (var index = 1; index <= count; index++)
        {
            var name = raw.sqlite3_bind_parameter_name(statement, index).utf8_to_string()
                       ?? throw new NotSupportedException($"parameter {index} has no name; the lean reader binds parameters by name");
            var at = parameters.IndexOf(name);
            if (at < 0) at = parameters.IndexOf(name[1..]);
            if (at < 0) throw new InvalidOperationException($"Must add values for the following parameters: {name}");
            var rc = parameters[at].Value switch
            {
                null or DBNull => raw.sqlite3_bind_null(statement, index),
                long v => raw.sqlite3_bind_int64(statement, index, v),
                int v => raw.sqlite3_bind_int64(statement, index, v),
                bool v => raw.sqlite3_bind_int64(statement, index, v ? 1 : 0),
                string v => raw.sqlite3_bind_text(statement, index, v),
                DateOnly v => raw.sqlite3_bind_text(statement, index, v.ToString("yyyy\\-MM\\-dd", CultureInfo.InvariantCulture)),
                decimal v => raw.sqlite3_bind_text(statement, index, v.ToString("0.0###########################", CultureInfo.InvariantCulture)),
                double v => raw.sqlite3_bind_double(statement, index, v),
                var other => throw new NotSupportedException($"parameter {name}: the lean reader does not bind a {other.GetType().Name}"),
            };
            if (rc != raw.SQLITE_OK) throw new SqliteException($"SQLite Error {rc} binding parameter {name}", rc);
        }
    }

    public override bool Read()
    {
        if (_closed) throw new InvalidOperationException("the reader is closed");
        if (_done) return false;
        _ct.ThrowIfCancellationRequested();
        // A busy database is waited for inside the step, by SQLite's own handler (every connection of the product sets
        // busy_timeout, SqlitePragmas); a busy result that still comes back is an error like any other.
        var rc = SqliteStep(_handle);
        _stepped = true;
        if (rc == Row) return true;
        if (rc == Done)
        {
            _done = true;
            return false;
        }
        _done = true;
        throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'", rc);
    }

    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read() ? True : False;
    }

    private static readonly Task<bool> True = Task.FromResult(true), False = Task.FromResult(false);

    private int TypeOf(int ordinal)
    {
        if ((uint)ordinal >= (uint)_columns) throw new IndexOutOfRangeException($"column {ordinal} of {_columns}");
        if (!_stepped || _done) throw new InvalidOperationException("no row: call Read first");
        return SqliteColumnType(_handle, ordinal);
    }

    public override bool IsDBNull(int ordinal) => TypeOf(ordinal) == NullType;

    public override long GetInt64(int ordinal) => TypeOf(ordinal) == NullType ? throw Null(ordinal) : SqliteColumnInt64(_handle, ordinal);

    public override int GetInt32(int ordinal) => checked((int)GetInt64(ordinal));

    public override short GetInt16(int ordinal) => checked((short)GetInt64(ordinal));

    public override byte GetByte(int ordinal) => checked((byte)GetInt64(ordinal));

    public override bool GetBoolean(int ordinal) => GetInt64(ordinal) != 0;

    public override double GetDouble(int ordinal) => TypeOf(ordinal) == NullType ? throw Null(ordinal) : SqliteColumnDouble(_handle, ordinal);

    public override float GetFloat(int ordinal) => (float)GetDouble(ordinal);

    /// <summary>The column's text as SQLite holds it (UTF-8), valid until the next row.</summary>
    public ReadOnlySpan<byte> GetUtf8(int ordinal)
    {
        if (TypeOf(ordinal) == NullType) throw Null(ordinal);
        var text = SqliteColumnText(_handle, ordinal);
        return text == null ? [] : new ReadOnlySpan<byte>(text, SqliteColumnBytes(_handle, ordinal));
    }

    public override string GetString(int ordinal)
    {
        var utf8 = GetUtf8(ordinal);
        if (utf8.Length > 16) return Encoding.UTF8.GetString(utf8);
        if (_lastText[ordinal] is { } last && utf8.SequenceEqual(_lastBytes[ordinal])) return last;
        var text = Encoding.UTF8.GetString(utf8);
        _lastText[ordinal] = text;
        _lastBytes[ordinal] = utf8.ToArray();
        return text;
    }

    /// <summary>As the provider reads a decimal: the column's text parsed in the invariant culture (integers and reals too).</summary>
    public override decimal GetDecimal(int ordinal)
    {
        var utf8 = GetUtf8(ordinal);
        return decimal.TryParse(utf8, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"column {GetName(ordinal)}: '{Encoding.UTF8.GetString(utf8)}' is not a decimal");
    }

    /// <summary>A date kept as <c>yyyy-MM-dd</c> text, read by hand; other text as the provider reads it (a date kept as a number is refused).</summary>
    public DateOnly GetDate(int ordinal)
    {
        if (TypeOf(ordinal) is not (TextType or NullType)) throw NotText(ordinal);
        var utf8 = GetUtf8(ordinal);
        return IsoDates.TryParse(utf8, out var date) ? date : DateOnly.Parse(Encoding.UTF8.GetString(utf8), CultureInfo.InvariantCulture);
    }

    /// <summary>An enum stored by its name, parsed from the text without making a string of it.</summary>
    public TEnum GetEnum<TEnum>(int ordinal) where TEnum : struct, Enum
    {
        var utf8 = GetUtf8(ordinal);
        Span<char> name = stackalloc char[64];
        if (utf8.Length > name.Length || !Ascii.IsValid(utf8)) return Enum.Parse<TEnum>(Encoding.UTF8.GetString(utf8));
        var length = Encoding.ASCII.GetChars(utf8, name);
        return Enum.Parse<TEnum>(name[..length]);
    }

    public override T GetFieldValue<T>(int ordinal)
    {
        if (typeof(T) == typeof(DateOnly)) return (T)(object)GetDate(ordinal);
        if (typeof(T) == typeof(long)) return (T)(object)GetInt64(ordinal);
        if (typeof(T) == typeof(int)) return (T)(object)GetInt32(ordinal);
        if (typeof(T) == typeof(string)) return (T)(object)GetString(ordinal);
        if (typeof(T) == typeof(decimal)) return (T)(object)GetDecimal(ordinal);
        if (typeof(T) == typeof(double)) return (T)(object)GetDouble(ordinal);
        if (typeof(T) == typeof(bool)) return (T)(object)GetBoolean(ordinal);
        if (typeof(T) == typeof(DateTime)) return (T)(object)GetDateTime(ordinal);
        if (typeof(T) == typeof(Guid)) return (T)(object)GetGuid(ordinal);
        if (typeof(T) == typeof(short)) return (T)(object)GetInt16(ordinal);
        if (typeof(T) == typeof(byte)) return (T)(object)GetByte(ordinal);
        if (typeof(T) == typeof(float)) return (T)(object)GetFloat(ordinal);
        throw new NotSupportedException($"the lean reader does not read a {typeof(T).Name}");
    }

    public override object GetValue(int ordinal) => TypeOf(ordinal) switch
    {
        IntegerType => GetInt64(ordinal),
        FloatType => GetDouble(ordinal),
        TextType => GetString(ordinal),
        NullType => DBNull.Value,
        _ => GetBlob(ordinal),
    };

    private byte[] GetBlob(int ordinal)
    {
        var blob = raw.sqlite3_column_blob(_statement, ordinal);
        return blob.ToArray();
    }

    public override int GetValues(object[] values)
    {
        var n = Math.Min(values.Length, _columns);
        for (var i = 0; i < n; i++) values[i] = GetValue(i);
        return n;
    }

    public override string GetName(int ordinal) => raw.sqlite3_column_name(_statement, ordinal).utf8_to_string();

    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < _columns; i++)
            if (string.Equals(GetName(i), name, StringComparison.OrdinalIgnoreCase))
                return i;
        throw new IndexOutOfRangeException($"no column {name}");
    }

    public override string GetDataTypeName(int ordinal) => raw.sqlite3_column_decltype(_statement, ordinal).utf8_to_string() ?? "";

    public override Type GetFieldType(int ordinal) => TypeOf(ordinal) switch
    {
        IntegerType => typeof(long),
        FloatType => typeof(double),
        TextType => typeof(string),
        BlobType => typeof(byte[]),
        _ => typeof(object),
    };

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("the lean reader does not stream blobs");

    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("the lean reader does not stream text");

    /// <summary>As the provider reads a date and time kept as text; the model keeps none as a number, which this reader does not read.</summary>
    public override DateTime GetDateTime(int ordinal) =>
        TypeOf(ordinal) is TextType or NullType ? DateTime.Parse(GetString(ordinal), CultureInfo.InvariantCulture) : throw NotText(ordinal);

    public override Guid GetGuid(int ordinal) => TypeOf(ordinal) is TextType or NullType ? new Guid(GetString(ordinal)) : throw NotText(ordinal);

    private NotSupportedException NotText(int ordinal) => new($"column {GetName(ordinal)}: the lean reader reads dates, times and ids kept as text only");

    public override int FieldCount => _columns;
    public override object this[int ordinal] => GetValue(ordinal);
    public override object this[string name] => GetValue(GetOrdinal(name));
    public override int RecordsAffected => -1;
    public override bool HasRows => throw new NotSupportedException("the lean reader reads forward only; call Read");
    public override bool IsClosed => _closed;
    public override int Depth => 0;
    public override bool NextResult() => false;
    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    private InvalidOperationException Null(int ordinal) => new($"The data is NULL at ordinal {ordinal} ({GetName(ordinal)}). Check using IsDBNull before reading it.");

    public override void Close()
    {
        if (_closed) return;
        _closed = true;
        if (_referenced) _statement.DangerousRelease();
        _statement.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private const string Library = "e_sqlite3";

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    private static partial int SqliteStep(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type"), SuppressGCTransition]
    private static partial int SqliteColumnType(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64"), SuppressGCTransition]
    private static partial long SqliteColumnInt64(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_double"), SuppressGCTransition]
    private static partial double SqliteColumnDouble(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_text"), SuppressGCTransition]
    private static partial byte* SqliteColumnText(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes"), SuppressGCTransition]
    private static partial int SqliteColumnBytes(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_libversion_number")]
    private static partial int SqliteLibraryVersion();
}

/// <summary>
/// Hands the rows of EF queries tagged <see cref="Tag"/> (<c>.TagWith(SqliteLeanReads.Tag)</c>) to
/// <see cref="SqliteLeanReader"/> instead of the provider's reader: the collection stage's large read-only queries (a day
/// at a million accounts reads about a million invoices, steps done, contacts and accounts through them). Only for
/// queries whose columns are of the kinds the lean reader reads as the provider does (integers, text, decimals and dates
/// kept as text, enum names) and whose entities are not tracked. On PostgreSQL the tag is only a comment.
/// </summary>
internal sealed class SqliteLeanReads : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
{
    public const string Tag = "lean read";

    public static readonly SqliteLeanReads Instance = new();

    private static readonly string Marker = "-- " + Tag;

    private static bool Tagged(DbCommand command, out SqliteCommand sqlite)
    {
        sqlite = (command as SqliteCommand)!;
        return sqlite is not null && SqliteLeanReader.IsAvailable && command.CommandText.StartsWith(Marker, StringComparison.Ordinal);
    }

    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command,
        Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<DbDataReader> result) =>
        Tagged(command, out var sqlite)
            ? Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<DbDataReader>.SuppressWithResult(SqliteLeanReader.Execute(sqlite, CancellationToken.None))
            : result;

    public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<DbDataReader> result,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Tagged(command, out var sqlite)
            ? Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<DbDataReader>.SuppressWithResult(SqliteLeanReader.Execute(sqlite, cancellationToken))
            : result);
}
