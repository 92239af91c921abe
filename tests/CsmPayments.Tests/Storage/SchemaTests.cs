using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Storage;

public sealed class SchemaTests
{
    [Theory, Providers]
    public async Task Migrations_leave_nothing_pending_and_match_the_model(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        // A model changed without a migration would make this true; the EF tooling must generate one.
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Theory, Providers]
    public async Task The_indexes_the_engines_query_by_exist(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        var indexes = await IndexNamesAsync(db);
        Assert.Contains("ix_invoices_status_due_date", indexes);      // open invoices by due date
        Assert.Contains("ix_invoices_account_id_issue_date", indexes); // invoices by account
        Assert.Contains("ix_payments_account_id_paid_on", indexes);    // payments by account
        // usage by account and date: the composite primary key's index
        Assert.Contains(provider == StorageProvider.Sqlite ? "sqlite_autoindex_usage_days_1" : "pk_usage_days", indexes);
    }

    [Fact]
    public void Without_a_connection_string_sqlite_lives_in_the_documented_home_folder()
    {
        var home = Path.Combine(Path.GetTempPath(), "csm-home-" + Guid.NewGuid().ToString("N"));
        var previous = Environment.GetEnvironmentVariable("CSM_PAYMENTS_HOME");
        Environment.SetEnvironmentVariable("CSM_PAYMENTS_HOME", home);
        try
        {
            var options = StorageOptions.From(null, null);
            Assert.Equal(StorageProvider.Sqlite, options.Provider);
            Assert.Equal($"Data Source={Path.Combine(home, "csm-payments.db")}", options.ConnectionString);
            Assert.True(Directory.Exists(home));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CSM_PAYMENTS_HOME", previous);
            if (Directory.Exists(home)) Directory.Delete(home, true);
        }
    }

    [Theory]
    [InlineData("mysql", null, "Database:Provider 'mysql' is not supported: use 'sqlite' or 'postgres'")]
    [InlineData("postgres", "", "Database:Provider is 'postgres' but ConnectionStrings:CsmPayments is empty")]
    public void A_wrong_database_setting_says_which_setting_and_why(string provider, string? connection, string message)
    {
        var error = Assert.Throws<StorageConfigurationException>(() => StorageOptions.From(provider, connection));
        Assert.Equal(message, error.Message);
    }

    private static async Task<HashSet<string>> IndexNamesAsync(CsmDbContext db)
    {
        var sql = db.Provider == StorageProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'index'"
            : "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'";
        var names = new HashSet<string>();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
