using System.Text;
using CsmPayments.Accounts;
using CsmPayments.Cycle;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Storage;

public sealed class SqliteReadingTests
{
    public SqliteReadingTests() => SqliteThreading.UseMultiThreadMode();

    [Theory]
    [InlineData("2026-07-03", 2026, 7, 3)]
    [InlineData("0001-01-01", 1, 1, 1)]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    public void An_iso_date_is_read_by_hand(string text, int year, int month, int day)
    {
        Assert.True(IsoDates.TryParse(Encoding.UTF8.GetBytes(text), out var date));
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    /// <summary>Anything else is left to the provider's parser, which reads what it can and refuses the rest.</summary>
    [Theory]
    [InlineData("2025-02-29")]
    [InlineData("2026-13-01")]
    [InlineData("2026-00-10")]
    [InlineData("2026-07-00")]
    [InlineData("0000-01-01")]
    [InlineData("2026-7-3")]
    [InlineData("2026/07/03")]
    [InlineData("2026-07-03 00:00:00")]
    [InlineData("2026-0a-03")]
    [InlineData("")]
    public void Other_text_is_not_read_by_hand(string text) => Assert.False(IsoDates.TryParse(Encoding.UTF8.GetBytes(text), out _));

    /// <summary>
    /// The day's reads give the same dates as the provider's own parser: for dates stored by the model, for a date in
    /// another form the provider reads, and a text it refuses is refused the same way.
    /// </summary>
    [Fact]
    public async Task Dates_read_by_the_lean_reader_match_the_provider_s_parser()
    {
        await using var row = await FirstRow.ReadAsync("SELECT '2026-07-03', '2024-02-29', '2026-7-3', '2026-07-03 00:00:00', NULL");
        var (provider, lean) = (row.Provider, row.Lean);
        for (var i = 0; i < 3; i++) Assert.Equal(provider.GetFieldValue<DateOnly>(i), LeanQuery.Date(lean, i));
        Assert.Equal(new DateOnly(2026, 7, 3), LeanQuery.NullableDate(lean, 2));
        Assert.Throws<FormatException>(() => provider.GetFieldValue<DateOnly>(3));
        Assert.Throws<FormatException>(() => LeanQuery.Date(lean, 3));
        Assert.Null(LeanQuery.NullableDate(lean, 4));
    }

    /// <summary>
    /// Every value the model stores reads the same through the lean reader as through the provider's: integers, decimals
    /// kept as text (also a long one and one in exponent form), dates, enum names, text with characters beyond ASCII,
    /// the same short text again (served from the column's last string) and NULLs.
    /// </summary>
    [Fact]
    public async Task The_lean_reader_reads_every_stored_kind_as_the_provider_does()
    {
        await using var connection = await OpenAsync();
        await ExecuteAsync(connection, """
            CREATE TABLE t (id INTEGER NOT NULL, amount TEXT NULL, due TEXT NULL, tier TEXT NULL, name TEXT NULL, ratio REAL NULL);
            INSERT INTO t VALUES (1, '1250.50', '2026-07-03', 'High', 'EUR', 0.25);
            INSERT INTO t VALUES (-9223372036854775808, '0.0000000001', '2024-02-29', 'Low', 'EUR', NULL);
            INSERT INTO t VALUES (9223372036854775807, '79228162514264337593543950335', '9999-12-31', 'Medium', 'Zürich Straße — 東京 and a long tail', -1.5);
            INSERT INTO t VALUES (4, '1.5E3', NULL, NULL, NULL, NULL);
            INSERT INTO t VALUES (5, '-3', '0001-01-01', 'High', 'USD', 3);
            """);
        const string sql = "SELECT id, amount, due, tier, name, ratio FROM t ORDER BY rowid";
        await using var provider = await ReadAsync(connection, sql);
        await using var lean = Lean(connection, sql);
        Assert.Equal(provider.FieldCount, lean.FieldCount);
        var rows = 0;
        while (await provider.ReadAsync())
        {
            Assert.True(await lean.ReadAsync());
            rows++;
            for (var i = 0; i < provider.FieldCount; i++)
            {
                Assert.Equal(provider.GetName(i), lean.GetName(i));
                Assert.Equal(provider.IsDBNull(i), lean.IsDBNull(i));
                Assert.Equal(provider.GetValue(i), lean.GetValue(i));
                if (provider.IsDBNull(i))
                {
                    Assert.Throws<InvalidOperationException>(() => lean.GetInt64(i));
                    continue;
                }
                Assert.Equal(provider.GetString(i), lean.GetString(i));
                Assert.Equal(provider.GetFieldType(i), lean.GetFieldType(i));
            }
            Assert.Equal(provider.GetInt64(0), lean.GetInt64(0));
            Assert.Equal(provider.GetDecimal(1), lean.GetDecimal(1));
            Assert.Equal(provider.GetFieldValue<decimal>(1), lean.GetFieldValue<decimal>(1));
            if (!provider.IsDBNull(2)) Assert.Equal(provider.GetFieldValue<DateOnly>(2), lean.GetFieldValue<DateOnly>(2));
            if (!provider.IsDBNull(3)) Assert.Equal(Enum.Parse<ServiceTier>(provider.GetString(3)), LeanQuery.Enum<ServiceTier>(lean, 3));
            if (!provider.IsDBNull(5)) Assert.Equal(provider.GetDouble(5), lean.GetDouble(5));
        }
        Assert.Equal(5, rows);
        Assert.False(await lean.ReadAsync());
        Assert.False(lean.Read());
    }

    /// <summary>Values are refused as the provider refuses them: text that is no decimal, an integer too large for an int, an unknown enum name.</summary>
    [Fact]
    public async Task The_lean_reader_refuses_what_the_provider_refuses()
    {
        await using var row = await FirstRow.ReadAsync("SELECT 'twelve', 3000000000, 'Platinum'");
        var (provider, lean) = (row.Provider, row.Lean);
        Assert.Throws<FormatException>(() => provider.GetDecimal(0));
        var error = Assert.Throws<FormatException>(() => lean.GetDecimal(0));
        Assert.Contains("'twelve'", error.Message);
        Assert.Throws<OverflowException>(() => provider.GetInt32(1));
        Assert.Throws<OverflowException>(() => lean.GetInt32(1));
        Assert.Throws<ArgumentException>(() => LeanQuery.Enum<ServiceTier>(lean, 2));
    }

    /// <summary>
    /// Parameters bind as the provider binds them, so the same filters select the same rows: dates as yyyy-MM-dd text,
    /// decimals as text, integers, booleans and strings, with or without the '@' in the name.
    /// </summary>
    [Fact]
    public async Task The_lean_reader_binds_parameters_as_the_provider_does()
    {
        await using var connection = await OpenAsync();
        const string sql = "SELECT @day, @amount, @count, @id, @flag, @text, @nothing, @day > '2026-07-02'";
        var values = new (string Name, object Value)[]
        {
            ("@day", new DateOnly(2026, 7, 3)), ("amount", 12.5m), ("count", 7), ("id", 9_000_000_000L), ("flag", true), ("text", "Zürich"),
            ("nothing", DBNull.Value),
        };
        await using var providerCommand = Command(connection, sql, values);
        await using var provider = await providerCommand.ExecuteReaderAsync();
        Assert.True(await provider.ReadAsync());
        await using var leanCommand = Command(connection, sql, values);
        await using var lean = SqliteLeanReader.Execute(leanCommand, CancellationToken.None);
        Assert.True(lean.Read());
        for (var i = 0; i < provider.FieldCount; i++) Assert.Equal(provider.GetValue(i), lean.GetValue(i));
        Assert.Equal(1L, lean.GetInt64(7));
    }

    /// <summary>Mistakes say what is wrong: a parameter the statement names but the command lacks, a value it cannot bind, SQL that does not prepare.</summary>
    [Fact]
    public async Task The_lean_reader_names_what_is_wrong()
    {
        await using var connection = await OpenAsync();
        await using (var missing = Command(connection, "SELECT @low, @high", ("low", 1L)))
            Assert.Contains("@high", Assert.Throws<InvalidOperationException>(() => SqliteLeanReader.Execute(missing, CancellationToken.None)).Message);
        await using (var unsupported = Command(connection, "SELECT @when", ("when", TimeSpan.FromHours(1))))
            Assert.Contains("@when", Assert.Throws<NotSupportedException>(() => SqliteLeanReader.Execute(unsupported, CancellationToken.None)).Message);
        await using (var bad = Command(connection, "SELECT amount FROM no_such_table"))
            Assert.Contains("no such table: no_such_table", Assert.Throws<SqliteException>(() => SqliteLeanReader.Execute(bad, CancellationToken.None)).Message);
        await using (var two = Command(connection, "SELECT 1; SELECT 2"))
            Assert.Throws<NotSupportedException>(() => SqliteLeanReader.Execute(two, CancellationToken.None));
        // None of them left a statement behind on the connection.
        Assert.Equal(IntPtr.Zero, SQLitePCL.raw.sqlite3_next_stmt(connection.Handle, null)?.DangerousGetHandle() ?? IntPtr.Zero);
    }

    /// <summary>
    /// The reader reads inside the connection's transaction (the collection stage's reads beside the health stage's held
    /// one see its own uncommitted rows), stops on a cancelled token, and leaves no statement behind once disposed.
    /// </summary>
    [Fact]
    public async Task The_lean_reader_reads_in_the_connection_s_transaction_and_stops_when_cancelled()
    {
        await using var connection = await OpenAsync();
        await ExecuteAsync(connection, "CREATE TABLE t (id INTEGER NOT NULL)");
        await using (var transaction = connection.BeginTransaction())
        {
            await using (var insert = Command(connection, "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 1000) INSERT INTO t SELECT v FROM n"))
            {
                insert.Transaction = transaction;
                await insert.ExecuteNonQueryAsync();
            }
            using var cancel = new CancellationTokenSource();
            await using var command = Command(connection, "SELECT id FROM t ORDER BY id");
            await using (var lean = SqliteLeanReader.Execute(command, cancel.Token))
            {
                Assert.True(lean.Read());
                Assert.Equal(1L, lean.GetInt64(0));
                Assert.True(lean.Read());
                await cancel.CancelAsync();
                Assert.Throws<OperationCanceledException>(() => lean.Read());
            }
            Assert.Equal(IntPtr.Zero, SQLitePCL.raw.sqlite3_next_stmt(connection.Handle, null)?.DangerousGetHandle() ?? IntPtr.Zero);
            await using var count = Command(connection, "SELECT COUNT(*), SUM(id) FROM t");
            await using var all = SqliteLeanReader.Execute(count, CancellationToken.None);
            Assert.True(all.Read());
            Assert.Equal(1000L, all.GetInt64(0));
            Assert.Equal(500_500L, all.GetInt64(1));
        }
    }

    /// <summary>The cycle's lean reads on SQLite go through the lean reader.</summary>
    [Fact]
    public async Task The_cycle_s_reads_on_sqlite_use_the_lean_reader()
    {
        Assert.True(SqliteLeanReader.IsAvailable);
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await using var db = test.Open();
        await using var query = await LeanQuery.CreateAsync(db, AccountSelection.Range(1, 10), "id", "SELECT id FROM accounts WHERE {accounts}", CancellationToken.None);
        await using var reader = await query.ReadAsync(CancellationToken.None);
        Assert.IsType<SqliteLeanReader>(reader);
        Assert.False(await reader.ReadAsync());
    }

    /// <summary>Opening the product's database puts SQLite in multi-thread mode: no mutex around every call of a connection.</summary>
    [Fact]
    public async Task The_product_runs_sqlite_in_multi_thread_mode()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        Assert.True(SqliteThreading.MultiThread);
    }

    /// <summary>A statement's first row, read by the provider's reader and by the lean reader on one in-memory connection.</summary>
    private sealed class FirstRow(SqliteConnection connection, SqliteDataReader provider, SqliteLeanReader lean) : IAsyncDisposable
    {
        public SqliteDataReader Provider { get; } = provider;
        public SqliteLeanReader Lean { get; } = lean;

        public static async Task<FirstRow> ReadAsync(string sql)
        {
            var connection = await OpenAsync();
            var row = new FirstRow(connection, await SqliteReadingTests.ReadAsync(connection, sql), SqliteReadingTests.Lean(connection, sql));
            Assert.True(await row.Provider.ReadAsync());
            Assert.True(row.Lean.Read());
            return row;
        }

        public async ValueTask DisposeAsync()
        {
            await Lean.DisposeAsync();
            await Provider.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private static async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<SqliteDataReader> ReadAsync(SqliteConnection connection, string sql)
    {
        var command = Command(connection, sql);
        return await command.ExecuteReaderAsync();
    }

    private static SqliteLeanReader Lean(SqliteConnection connection, string sql) => SqliteLeanReader.Execute(Command(connection, sql), CancellationToken.None);
}

/// <summary>The collection stage's tagged EF queries read through the lean reader, and read the same entities.</summary>
public sealed class SqliteLeanReadsTests
{
    [Fact]
    public async Task Tagged_ef_queries_read_the_same_entities_through_the_lean_reader()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await CsmPayments.Tests.Cycle.CycleBook.ImportDemoAsync(test);
        await using var db = test.Open();
        await SameAsync(db, db.Invoices, i => i.Id);
        await SameAsync(db, db.Accounts, a => a.Id);
        await SameAsync(db, db.Contacts, c => c.Id);
        await SameAsync(db, db.Subscriptions, s => s.Id);
        await SameAsync(db, db.CreditNotes, c => c.Id);
    }

    /// <summary>The interceptor hands a tagged command to the lean reader and leaves any other to the provider.</summary>
    [Fact]
    public async Task Only_tagged_commands_go_to_the_lean_reader()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var tagged = connection.CreateCommand();
        tagged.CommandText = $"-- {SqliteLeanReads.Tag}\n\nSELECT 1";
        var result = await SqliteLeanReads.Instance.ReaderExecutingAsync(tagged, null!, default);
        Assert.True(result.HasResult);
        await using (var reader = Assert.IsType<SqliteLeanReader>(result.Result))
        {
            Assert.True(reader.Read());
            Assert.Equal(1L, reader.GetInt64(0));
        }
        await using var plain = connection.CreateCommand();
        plain.CommandText = "SELECT 1";
        Assert.False((await SqliteLeanReads.Instance.ReaderExecutingAsync(plain, null!, default)).HasResult);
        Assert.False(SqliteLeanReads.Instance.ReaderExecuting(plain, null!, default).HasResult);
    }

    private static async Task SameAsync<T>(CsmDbContext db, IQueryable<T> set, System.Linq.Expressions.Expression<Func<T, long>> key) where T : class
    {
        var tagged = set.AsNoTracking().TagWith(SqliteLeanReads.Tag).OrderBy(key);
        Assert.StartsWith($"-- {SqliteLeanReads.Tag}", tagged.ToQueryString());
        var lean = await tagged.ToListAsync();
        var plain = await set.AsNoTracking().OrderBy(key).ToListAsync();
        Assert.NotEmpty(plain);
        Assert.Equal(plain.Count, lean.Count);
        var properties = db.Model.FindEntityType(typeof(T))!.GetProperties().Where(p => !p.IsShadowProperty()).ToList();
        for (var i = 0; i < plain.Count; i++)
            foreach (var property in properties)
                Assert.Equal(property.GetGetter().GetClrValue(plain[i]), property.GetGetter().GetClrValue(lean[i]));
    }
}
