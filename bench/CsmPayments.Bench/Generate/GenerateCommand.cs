using System.Diagnostics;
using System.Globalization;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Engagement;
using CsmPayments.Storage;
using CsmPayments.Usage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CsmPayments.Bench.Generate;

/// <summary>
/// <c>generate --accounts N --provider sqlite|postgres --connection CS [--as-of D] [--seed S]</c>: migrates an empty
/// database with the application's migrations, then writes a <see cref="BenchCompany"/> of N accounts straight into it
/// through the bulk paths (binary COPY on PostgreSQL; one connection, one prepared INSERT per table and large
/// transactions on SQLite). Accounts are generated in parallel a batch at a time while the previous batch is written.
/// </summary>
public static class GenerateCommand
{
    private const int Batch = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        int accounts = 0, seed = 1;
        string? provider = null, connection = null;
        var asOf = new DateOnly(2026, 6, 30);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--accounts": accounts = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--provider": provider = Next(); break;
                case "--connection": connection = Next(); break;
                case "--as-of": asOf = DateOnly.ParseExact(Next(), "yyyy-MM-dd", CultureInfo.InvariantCulture); break;
                default:
                    await Console.Error.WriteLineAsync($"generate: unknown option {args[i]}");
                    return 2;
            }
        }
        if (accounts <= 0 || connection is null)
        {
            await Console.Error.WriteLineAsync("usage: generate --accounts N --provider sqlite|postgres --connection CS [--as-of yyyy-MM-dd] [--seed S]");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var database = new Database(StorageOptions.From(provider, connection));
        await database.MigrateAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  migrated in {clock.Elapsed.TotalSeconds:0.0} s"));
        await using var model = database.Open();
        var company = new BenchCompany(accounts, seed, asOf);
        var counts = database.Options.Provider == StorageProvider.Postgres
            ? await PostgresAsync(model, company, database.Options.ConnectionString)
            : await SqliteAsync(model, company, database.Options.ConnectionString);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {accounts:N0} accounts in {clock.Elapsed.TotalSeconds:0.0} s"));
        foreach (var (table, rows) in counts) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {table}: {rows:N0} rows"));
        return 0;
    }

    /// <summary>Batches of accounts in order; the next batch is generated on the other cores while the caller writes this one.</summary>
    private static async IAsyncEnumerable<BenchAccount[]> BatchesAsync(BenchCompany company)
    {
        Task<BenchAccount[]> Generate(int from) => Task.Run(() =>
        {
            var batch = new BenchAccount[Math.Min(Batch, company.Accounts - from)];
            Parallel.For(0, batch.Length, i => batch[i] = company.Build(from + i));
            return batch;
        });
        var next = Generate(0);
        var waited = Stopwatch.StartNew();
        waited.Stop();
        for (var from = 0; from < company.Accounts; from += Batch)
        {
            waited.Start();
            var batch = await next;
            waited.Stop();
            if (from + Batch < company.Accounts) next = Generate(from + Batch);
            yield return batch;
            if ((from / Batch + 1) % 10 == 0) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … {from + batch.Length:N0} accounts"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  waiting for generation: {waited.Elapsed.TotalSeconds:0.0} s"));
    }

    private sealed class Counts
    {
        public readonly Dictionary<string, long> Rows = new(StringComparer.Ordinal);

        public void Add(string table, long rows) => Rows[table] = Rows.GetValueOrDefault(table) + rows;
    }

    private static async Task<IReadOnlyDictionary<string, long>> PostgresAsync(CsmDbContext model, BenchCompany company, string connectionString)
    {
        var ct = CancellationToken.None;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var set = connection.CreateCommand())
        {
            // The rows are consistent by construction; checking every foreign key row by row would triple the load time.
            set.CommandText = "SET synchronous_commit = off; SET session_replication_role = replica";
            await set.ExecuteNonQueryAsync(ct);
        }
        var counts = new Counts();
        var users = new BulkLoad<User>(model);
        counts.Add(users.Table, await users.CopyAsync(connection, company.Users(), ct));
        var loads = Loads(model);
        await foreach (var batch in BatchesAsync(company))
        {
            counts.Add(loads.Accounts.Table, await loads.Accounts.CopyAsync(connection, batch.Select(a => (a.Id, a.Account)), ct));
            counts.Add(loads.Contacts.Table, await loads.Contacts.CopyAsync(connection, batch.SelectMany(a => a.Contacts), ct));
            counts.Add(loads.Subscriptions.Table, await loads.Subscriptions.CopyAsync(connection, batch.SelectMany(a => a.Subscriptions), ct));
            counts.Add(loads.Invoices.Table, await loads.Invoices.CopyAsync(connection, batch.SelectMany(a => a.Invoices), ct));
            counts.Add(loads.Payments.Table, await loads.Payments.CopyAsync(connection, batch.SelectMany(a => a.Payments), ct));
            counts.Add(loads.CreditNotes.Table, await loads.CreditNotes.CopyAsync(connection, batch.SelectMany(a => a.CreditNotes), ct));
            counts.Add(loads.Usage.Table, await loads.Usage.CopyAsync(connection, batch.SelectMany(a => a.Usage.Select(u => (0L, u))), ct));
            counts.Add(loads.Tickets.Table, await loads.Tickets.CopyAsync(connection, batch.SelectMany(a => a.Tickets), ct));
            counts.Add(loads.Nps.Table, await loads.Nps.CopyAsync(connection, batch.SelectMany(a => a.Nps), ct));
            counts.Add(loads.Touchpoints.Table, await loads.Touchpoints.CopyAsync(connection, batch.SelectMany(a => a.Touchpoints), ct));
        }
        foreach (var table in new[] { users.Table, loads.Accounts.Table, loads.Contacts.Table, loads.Subscriptions.Table, loads.Invoices.Table,
                     loads.Payments.Table, loads.CreditNotes.Table, loads.Tickets.Table, loads.Nps.Table, loads.Touchpoints.Table })
            await BulkLoads.AdvanceIdentityAsync(connection, table, ct);
        await using (var vacuum = connection.CreateCommand())
        {
            // What autovacuum does to a table after a large load: statistics for the planner, and the visibility map
            // that lets index-only scans skip the table.
            vacuum.CommandText = "VACUUM (ANALYZE)";
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        return counts.Rows;
    }

    private static async Task<IReadOnlyDictionary<string, long>> SqliteAsync(CsmDbContext model, BenchCompany company, string connectionString)
    {
        // The migration left a pooled connection in WAL mode; the load needs the file to itself to change the journal.
        SqliteConnection.ClearAllPools();
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false, ForeignKeys = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync();
        await using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;";
            await pragmas.ExecuteNonQueryAsync();
        }
        var counts = new Counts();
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        using (var users = new BulkLoad<User>(model).Prepare(connection))
            foreach (var (id, user) in company.Users())
                users.Insert(id, user);
        counts.Add("users", company.Users().Count);
        var loads = Loads(model);
        using var accounts = loads.Accounts.Prepare(connection);
        using var contacts = loads.Contacts.Prepare(connection);
        using var subscriptions = loads.Subscriptions.Prepare(connection);
        using var invoices = loads.Invoices.Prepare(connection);
        using var payments = loads.Payments.Prepare(connection);
        using var credits = loads.CreditNotes.Prepare(connection);
        using var usage = loads.Usage.Prepare(connection);
        using var tickets = loads.Tickets.Prepare(connection);
        using var nps = loads.Nps.Prepare(connection);
        using var touchpoints = loads.Touchpoints.Prepare(connection);
        await foreach (var batch in BatchesAsync(company))
        {
            foreach (var a in batch)
            {
                accounts.Insert(a.Id, a.Account);
                foreach (var (id, row) in a.Contacts) contacts.Insert(id, row);
                foreach (var (id, row) in a.Subscriptions) subscriptions.Insert(id, row);
                foreach (var (id, row) in a.Invoices) invoices.Insert(id, row);
                foreach (var (id, row) in a.Payments) payments.Insert(id, row);
                foreach (var (id, row) in a.CreditNotes) credits.Insert(id, row);
                foreach (var row in a.Usage) usage.Insert(0, row);
                foreach (var (id, row) in a.Tickets) tickets.Insert(id, row);
                foreach (var (id, row) in a.Nps) nps.Insert(id, row);
                foreach (var (id, row) in a.Touchpoints) touchpoints.Insert(id, row);
                counts.Add(loads.Accounts.Table, 1);
                counts.Add(loads.Contacts.Table, a.Contacts.Count);
                counts.Add(loads.Subscriptions.Table, a.Subscriptions.Count);
                counts.Add(loads.Invoices.Table, a.Invoices.Count);
                counts.Add(loads.Payments.Table, a.Payments.Count);
                counts.Add(loads.CreditNotes.Table, a.CreditNotes.Count);
                counts.Add(loads.Usage.Table, a.Usage.Count);
                counts.Add(loads.Tickets.Table, a.Tickets.Count);
                counts.Add(loads.Nps.Table, a.Nps.Count);
                counts.Add(loads.Touchpoints.Table, a.Touchpoints.Count);
            }
            // A transaction per batch keeps the journal small and the commit rare.
            await transaction.CommitAsync();
            await transaction.DisposeAsync();
            transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        }
        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync();
        }
        return counts.Rows;
    }

    private sealed record TableLoads(
        BulkLoad<Account> Accounts, BulkLoad<Contact> Contacts, BulkLoad<Subscription> Subscriptions, BulkLoad<Invoice> Invoices,
        BulkLoad<Payment> Payments, BulkLoad<CreditNote> CreditNotes, BulkLoad<UsageDay> Usage, BulkLoad<Ticket> Tickets,
        BulkLoad<NpsResponse> Nps, BulkLoad<Touchpoint> Touchpoints);

    private static TableLoads Loads(CsmDbContext model) => new(new(model), new(model), new(model), new(model), new(model), new(model), new(model),
        new(model), new(model), new(model));
}
