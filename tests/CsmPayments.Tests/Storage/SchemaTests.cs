using CsmPayments.Accounts;
using CsmPayments.Messaging;
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

    [Theory, Providers]
    public async Task Snapshots_are_keyed_by_the_day_first_with_no_index_led_by_the_account_but_a_block_range_one(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        // Each index as its columns in order (PostgreSQL: with its access method), so a key led by the account, which
        // would spread every day's inserts over the whole index, shows up here.
        var sql = provider == StorageProvider.Sqlite
            ? "SELECT 'btree:' || group_concat(name, ',') FROM (SELECT l.name AS ix, i.name FROM pragma_index_list('health_snapshots') l, pragma_index_info(l.name) i ORDER BY l.name, i.seqno) GROUP BY ix"
            : "SELECT am.amname || ':' || string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid " +
              "JOIN pg_am am ON am.oid = c.relam CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(att, n) " +
              "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.att WHERE x.indrelid = 'health_snapshots'::regclass GROUP BY c.relname, am.amname";
        var indexes = (await TestSql.RowsAsync(db, sql)).Order().ToList();
        Assert.Equal(provider == StorageProvider.Sqlite ? ["btree:as_of,account_id"] : ["brin:account_id", "btree:as_of,account_id"], indexes);
    }

    [Theory, Providers]
    public async Task Failed_attempts_have_a_partial_index_and_ledger_tables_note_their_changes(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        // The day load's read of failed attempts names the index's own condition, so the planner can use it.
        var definition = (await TestSql.RowsAsync(db, provider == StorageProvider.Sqlite
            ? "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'ix_payments_failed'"
            : "SELECT pg_get_indexdef('ix_payments_failed'::regclass)")).Single();
        Assert.Contains("account_id", definition);
        Assert.Contains("paid_on", definition);
        Assert.Matches(provider == StorageProvider.Sqlite ? @"WHERE status <> 'Succeeded'" : @"WHERE \(\(status\)::text <> 'Succeeded'::text\)", definition);
        var triggers = (await TestSql.RowsAsync(db, provider == StorageProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('payments', 'credit_notes', 'invoices')"
            : "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN ('payments'::regclass, 'credit_notes'::regclass, 'invoices'::regclass)")).Order();
        Assert.Equal(["credit_notes_deleted", "credit_notes_inserted", "credit_notes_updated", "invoices_changed", "payments_deleted", "payments_inserted", "payments_updated"],
            triggers);
    }

    [Theory, Providers]
    public async Task Outbox_bodies_are_compressed_with_lz4_on_postgres_and_read_back_whole(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        var csm = new User("csm@example.com", "Casey Morgan", UserRole.Csm, 50);
        db.Users.Add(csm);
        await db.SaveChangesAsync();
        var account = new Account("A-1", "Acme", "Retail", 40, "US", "Growth", csm.Id, "USD", null, null);
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        // An HTML reminder's size: well over the 2 kB at which PostgreSQL compresses a value.
        var html = string.Concat(Enumerable.Range(0, 200).Select(i => $"<tr><td>INV-{i:D5}</td><td>USD {i * 37:N0}</td></tr>"));
        var text = string.Concat(Enumerable.Range(0, 120).Select(i => $"Invoice INV-{i:D5} is due. "));
        db.OutboxMessages.Add(new OutboxMessage("reminder:1", account.Id, "ap@example.com", "Accounts payable", "Collections", null, "Reminder", text,
            new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero), html));
        await db.SaveChangesAsync();
        if (provider == StorageProvider.Postgres)
        {
            Assert.Equal(["l", "l"], await TestSql.RowsAsync(db,
                "SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'outbox_messages'::regclass AND attname IN ('body', 'html_body') ORDER BY attname"));
            Assert.Equal(["lz4", "lz4"], await TestSql.RowsAsync(db, "SELECT pg_column_compression(body) FROM outbox_messages UNION ALL SELECT pg_column_compression(html_body) FROM outbox_messages"));
        }
        await using var fresh = test.Open();
        var stored = await fresh.OutboxMessages.AsNoTracking().SingleAsync();
        Assert.Equal((text, html), (stored.Body, stored.HtmlBody));
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

    private static async Task<HashSet<string>> IndexNamesAsync(CsmDbContext db) =>
        [.. await TestSql.RowsAsync(db, db.Provider == StorageProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'index'"
            : "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")];

}
