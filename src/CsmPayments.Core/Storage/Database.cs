using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace CsmPayments.Storage;

/// <summary>Opens contexts for the configured provider and brings the schema up to date.</summary>
public sealed class Database(StorageOptions options)
{
    public StorageOptions Options { get; } = options;

    public CsmDbContext Open() => Options.Provider switch
    {
        StorageProvider.Sqlite => new SqliteCsmDbContext(SqliteOptions(Options.ConnectionString)),
        StorageProvider.Postgres => new PostgresCsmDbContext(PostgresOptions(Options.ConnectionString)),
        _ => throw new InvalidOperationException($"unknown provider {Options.Provider}"),
    };

    /// <summary>Applies pending migrations; returns the names of those applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct = default)
    {
        await using var db = Open();
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0) await db.Database.MigrateAsync(ct);
        return pending;
    }

    static Database() => SqliteThreading.UseMultiThreadMode();

    internal static DbContextOptions<SqliteCsmDbContext> SqliteOptions(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true, Pooling = true };
        return new DbContextOptionsBuilder<SqliteCsmDbContext>()
            .UseSqlite(builder.ToString(), o => o.CommandTimeout(600))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(SqlitePragmas.Instance, SqliteLeanReads.Instance)
            .Options;
    }

    internal static DbContextOptions<PostgresCsmDbContext> PostgresOptions(string connectionString) =>
        new DbContextOptionsBuilder<PostgresCsmDbContext>()
            .UseNpgsql(connectionString, o => o.CommandTimeout(600))
            .UseSnakeCaseNamingConvention()
            .Options;
}

/// <summary>
/// SQLite's multi-thread mode instead of the serialized mode its bundled build starts in: a connection then takes no mutex
/// around each call (reading a column of a row was one lock and unlock). ADO.NET already uses a connection from one
/// thread at a time, which is all the mode asks. Set once, before the process opens its first SQLite connection; should
/// one have been opened first, SQLite refuses the change and stays serialized, which is only slower.
/// </summary>
internal static class SqliteThreading
{
    private static int _done;

    /// <summary>Whether SQLite took multi-thread mode (false before <see cref="UseMultiThreadMode"/>, or if it refused).</summary>
    public static bool MultiThread { get; private set; }

    public static void UseMultiThreadMode()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        SQLitePCL.Batteries_V2.Init();
        MultiThread = SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD) == SQLitePCL.raw.SQLITE_OK;
    }
}

/// <summary>
/// WAL and a busy timeout so a reader and a writer can share the embedded file; a page cache of 32 MB per connection
/// (SQLite's default is 2 MB), which keeps the inner pages of the large tables' B-trees that the daily cycle's range
/// reads descend again and again, instead of reading them from the file each time.
/// </summary>
internal sealed class SqlitePragmas : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;";

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Lets the EF tooling build each provider's context when generating migrations.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCsmDbContext>
{
    public SqliteCsmDbContext CreateDbContext(string[] args) => new(Database.SqliteOptions("Data Source=design-time.db"));
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCsmDbContext>
{
    public PostgresCsmDbContext CreateDbContext(string[] args) => new(Database.PostgresOptions("Host=localhost;Database=design_time"));
}
