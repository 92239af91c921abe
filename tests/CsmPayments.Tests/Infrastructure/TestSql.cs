using CsmPayments.Storage;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Infrastructure;

/// <summary>Plain SQL against a test database, for what the schema holds rather than what the model maps.</summary>
public static class TestSql
{
    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> RowsAsync(CsmDbContext db, string sql)
    {
        var values = new List<string>();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
