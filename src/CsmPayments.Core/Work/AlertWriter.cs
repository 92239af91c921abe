using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CsmPayments.Work;

/// <summary>
/// Inserts many new alerts at once inside the caller's transaction: COPY on PostgreSQL, one prepared statement on SQLite.
/// The partial unique index still guards "one open alert per account and kind": a duplicate fails the whole write.
/// </summary>
public static class AlertWriter
{
    public static async Task InsertAsync(CsmDbContext db, IReadOnlyCollection<AlertToOpen> alerts, DateOnly openedOn, CancellationToken ct)
    {
        if (alerts.Count == 0) return;
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("alerts are written inside the cycle's transaction");
        if (db.Provider == StorageProvider.Postgres)
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY alerts (account_id, kind, owner_id, opened_on, detail) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var a in alerts)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(a.AccountId, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(a.Kind.ToString(), NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(a.OwnerId, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(openedOn, NpgsqlDbType.Date, ct);
                await copy.WriteAsync(a.Detail, NpgsqlDbType.Varchar, ct);
            }
            await copy.CompleteAsync(ct);
            return;
        }
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO alerts (account_id, kind, owner_id, opened_on, detail) VALUES (@a, @k, @o, @d, @t)";
        var parameters = new[] { "@a", "@k", "@o", "@d", "@t" }.Select(name =>
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            command.Parameters.Add(p);
            return p;
        }).ToArray();
        parameters[3].Value = openedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await command.PrepareAsync(ct);
        foreach (var a in alerts)
        {
            parameters[0].Value = a.AccountId;
            parameters[1].Value = a.Kind.ToString();
            parameters[2].Value = a.OwnerId;
            parameters[4].Value = a.Detail;
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
