using CsmPayments.Cycle;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Storage;

public sealed class SqliteReadingTests
{
    [Theory]
    [InlineData("2026-07-03", 2026, 7, 3)]
    [InlineData("0001-01-01", 1, 1, 1)]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    public void An_iso_date_is_read_by_hand(string text, int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day), LeanQuery.IsoDate(text));

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
    public void Other_text_is_not_read_by_hand(string text) => Assert.Null(LeanQuery.IsoDate(text));

    /// <summary>
    /// The day's reads give the same dates as the provider's own parser: for dates stored by the model, for a date in
    /// another form the provider reads, and a text it refuses is refused the same way.
    /// </summary>
    [Fact]
    public async Task Dates_read_from_sqlite_match_the_provider_s_parser()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await using var db = test.Open();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT '2026-07-03', '2024-02-29', '2026-7-3', '2026-07-03 00:00:00', NULL";
        await using var r = await command.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        for (var i = 0; i < 3; i++) Assert.Equal(r.GetFieldValue<DateOnly>(i), LeanQuery.Date(r, i));
        Assert.Equal(new DateOnly(2026, 7, 3), LeanQuery.NullableDate(r, 2));
        Assert.Throws<FormatException>(() => r.GetFieldValue<DateOnly>(3));
        Assert.Throws<FormatException>(() => LeanQuery.Date(r, 3));
        Assert.Null(LeanQuery.NullableDate(r, 4));
    }

    /// <summary>Opening the product's database puts SQLite in multi-thread mode: no mutex around every call of a connection.</summary>
    [Fact]
    public async Task The_product_runs_sqlite_in_multi_thread_mode()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        Assert.True(SqliteThreading.MultiThread);
    }
}
