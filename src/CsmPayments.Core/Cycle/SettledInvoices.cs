using CsmPayments.Billing;
using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CsmPayments.Cycle;

/// <summary>
/// Writes what a whole run found of the day each invoice was settled (<see cref="Invoice.SettledOnColumn"/>) and deletes
/// the ledger notes its loads read, together: once the notes are gone, the days written are trusted. A day found is a
/// fact of the ledger whatever the run's day, so writing it is right even if the run fails later.
/// </summary>
public static class SettledInvoices
{
    /// <summary>
    /// Writes the days and deletes the notes, in <paramref name="db"/>'s transaction when it has one, else in one of its
    /// own.
    /// </summary>
    public static async Task WriteAsync(CsmDbContext db, IReadOnlyList<(long InvoiceId, DateOnly? SettledOn)> settled, IReadOnlyList<long> notes,
        CancellationToken ct)
    {
        if (settled.Count == 0 && notes.Count == 0) return;
        await db.Database.OpenConnectionAsync(ct);
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            if (settled.Count > 0)
            {
                if (db.Provider == StorageProvider.Postgres) await WritePostgresAsync(db, settled, ct);
                else await WriteSqliteAsync(db, settled, ct);
            }
            if (notes.Count > 0) await db.LedgerChanges.Where(c => notes.Contains(c.Id)).ExecuteDeleteAsync(ct);
            if (own is not null) await own.CommitAsync(ct);
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    private static async Task WritePostgresAsync(CsmDbContext db, IReadOnlyList<(long InvoiceId, DateOnly? SettledOn)> settled, CancellationToken ct)
    {
        await using var command = (NpgsqlCommand)db.Database.GetDbConnection().CreateCommand();
        command.Transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        // In id order, as every writer of invoices should lock them, so that two writers never wait on each other in turn.
        var rows = settled.OrderBy(s => s.InvoiceId).ToArray();
        command.CommandText = $"UPDATE invoices AS i SET {Invoice.SettledOnColumn} = v.settled_on"
                              + " FROM unnest(@ids, @days) AS v (id, settled_on) WHERE i.id = v.id";
        command.Parameters.Add(new NpgsqlParameter("ids", rows.Select(r => r.InvoiceId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("days", rows.Select(r => r.SettledOn).ToArray()));
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task WriteSqliteAsync(CsmDbContext db, IReadOnlyList<(long InvoiceId, DateOnly? SettledOn)> settled, CancellationToken ct)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        command.CommandText = $"UPDATE invoices SET {Invoice.SettledOnColumn} = @day WHERE id = @id";
        var day = command.CreateParameter();
        day.ParameterName = "day";
        var id = command.CreateParameter();
        id.ParameterName = "id";
        command.Parameters.Add(day);
        command.Parameters.Add(id);
        await command.PrepareAsync(ct);
        foreach (var (invoice, on) in settled)
        {
            // Dates as the model stores them on SQLite: yyyy-MM-dd text.
            day.Value = on is { } d ? d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : DBNull.Value;
            id.Value = invoice;
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
