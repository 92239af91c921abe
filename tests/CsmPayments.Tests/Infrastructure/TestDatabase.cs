using CsmPayments.Storage;
using Npgsql;

namespace CsmPayments.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated database of one provider for one test: its own SQLite file, or its own PostgreSQL database
/// cloned from a migrated template. Nothing is shared between tests.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static bool _templateReady;

    private readonly string? _sqliteFile;

    private TestDatabase(Database database, string? sqliteFile)
    {
        Database = database;
        _sqliteFile = sqliteFile;
    }

    public Database Database { get; }
    public StorageProvider Provider => Database.Options.Provider;
    public string ConnectionString => Database.Options.ConnectionString;

    public CsmDbContext Open() => Database.Open();

    public static async Task<TestDatabase> CreateAsync(StorageProvider provider)
    {
        if (provider == StorageProvider.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"csm-payments-test-{Guid.NewGuid():N}.db");
            var sqlite = new Database(new StorageOptions(StorageProvider.Sqlite, $"Data Source={file}"));
            await sqlite.MigrateAsync();
            return new TestDatabase(sqlite, file);
        }

        var server = await PostgresServer.InstanceAsync();
        await EnsureTemplateAsync(server);
        var name = "test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(server.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE csm_template", admin);
            await create.ExecuteNonQueryAsync();
        }
        var postgres = new Database(new StorageOptions(StorageProvider.Postgres, server.ConnectionString(name)));
        return new TestDatabase(postgres, null);
    }

    private static async Task EnsureTemplateAsync(PostgresServer server)
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_templateReady) return;
            await using (var admin = new NpgsqlConnection(server.ConnectionString("postgres")))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE DATABASE csm_template", admin);
                await create.ExecuteNonQueryAsync();
            }
            await new Database(new StorageOptions(StorageProvider.Postgres, server.ConnectionString("csm_template"))).MigrateAsync();
            NpgsqlConnection.ClearAllPools(); // a template cannot be copied while connections to it are open
            _templateReady = true;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                if (File.Exists(_sqliteFile + suffix)) File.Delete(_sqliteFile + suffix);
        }
        else
        {
            // Dropped at once, so a run's cluster stays the size of the databases its running tests use.
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
            var server = await PostgresServer.InstanceAsync();
            await using var admin = new NpgsqlConnection(server.ConnectionString("postgres"));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {builder.Database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Runs a storage test once on each provider: SQLite and PostgreSQL.</summary>
public sealed class ProvidersAttribute : Xunit.Sdk.DataAttribute
{
    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) =>
    [
        [StorageProvider.Sqlite],
        [StorageProvider.Postgres],
    ];
}
