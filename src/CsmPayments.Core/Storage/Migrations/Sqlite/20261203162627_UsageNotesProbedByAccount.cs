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
            migrationBuilder.Sql("DROP TRIGGER usage_days_inserted;");
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_inserted AFTER INSERT ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id = new.account_id AND last_account_id = new.account_id AND earliest <= new.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (new.account_id, new.account_id, new.date);
                END;
                """);
            migrationBuilder.Sql("DROP TRIGGER usage_days_updated;");
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_updated AFTER UPDATE ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id = new.account_id AND last_account_id = new.account_id AND earliest <= new.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (new.account_id, new.account_id, new.date);
                END;
                """);
            migrationBuilder.Sql("DROP TRIGGER usage_days_deleted;");
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_deleted AFTER DELETE ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id = old.account_id AND last_account_id = old.account_id AND earliest <= old.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (old.account_id, old.account_id, old.date);
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER usage_days_inserted;");
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_inserted AFTER INSERT ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id BETWEEN new.account_id - 4095 AND new.account_id
                    AND last_account_id >= new.account_id AND earliest <= new.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (new.account_id, new.account_id, new.date);
                END;
                """);
            migrationBuilder.Sql("DROP TRIGGER usage_days_updated;");
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_updated AFTER UPDATE ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id BETWEEN new.account_id - 4095 AND new.account_id
                    AND last_account_id >= new.account_id AND earliest <= new.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (new.account_id, new.account_id, new.date);
                END;
                """);
            migrationBuilder.Sql("DROP TRIGGER usage_days_deleted;");
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_deleted AFTER DELETE ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id BETWEEN old.account_id - 4095 AND old.account_id
                    AND last_account_id >= old.account_id AND earliest <= old.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (old.account_id, old.account_id, old.date);
                END;
                """);
        }
    }
}
