using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageNotesProbedByAccount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // On SQLite every note is of one account, written by these row triggers, so whether one covers a row is a probe
            // of that account's notes through the index on first_account_id. The triggers before looked among the notes of
            // the 4,096 accounts up to the row's (the span of PostgreSQL's block notes), reading each of those notes'
            // rows: a bulk load of usage, account after account, read thousands of notes for every row it wrote.
            Recreate(migrationBuilder, row => $"first_account_id = {row}.account_id AND last_account_id = {row}.account_id AND earliest <= {row}.date");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            Recreate(migrationBuilder, row => $"first_account_id BETWEEN {row}.account_id - 4095 AND {row}.account_id AND last_account_id >= {row}.account_id AND earliest <= {row}.date");

        /// <summary>The three triggers of the UsageRoll migration, with <paramref name="covered"/> as the test of an existing note.</summary>
        private static void Recreate(MigrationBuilder migrationBuilder, Func<string, string> covered)
        {
            foreach (var (name, change, row) in new[] { ("usage_days_inserted", "INSERT", "new"), ("usage_days_updated", "UPDATE", "new"), ("usage_days_deleted", "DELETE", "old") })
            {
                migrationBuilder.Sql($"DROP TRIGGER {name};");
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {name} AFTER {change} ON usage_days
                    WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE {covered(row)})
                    BEGIN
                        INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES ({row}.account_id, {row}.account_id, {row}.date);
                    END;
                    """);
            }
        }
    }
}
