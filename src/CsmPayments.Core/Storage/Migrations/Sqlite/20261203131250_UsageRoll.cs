using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageRoll : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "usage_carry_key",
                table: "health_snapshots",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed30",
                table: "health_snapshots",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed90",
                table: "health_snapshots",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "usage_closed_days",
                table: "health_snapshots",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "usage_closed_last_active",
                table: "health_snapshots",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed_recent",
                table: "health_snapshots",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed_recent_and_baseline",
                table: "health_snapshots",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "usage_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    first_account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    last_account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    earliest = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_changes", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_usage_days_date_account_id_active_users",
                table: "usage_days",
                columns: new[] { "date", "account_id", "active_users" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_changes_first_account_id",
                table: "usage_changes",
                column: "first_account_id");

            // Written by hand (EF has no model of triggers): the database notes every change of stored usage, whatever
            // writes it, for the cycle to know whose rolled sums to sum again. SQLite has row triggers only, so each note
            // is one account's, and a note already there for that account and an earlier day stands for the row: one
            // writer at a time (the cycle holds the write lock from reading the notes to deleting them) keeps that safe.
            // Keys never change (an update is of the counts), so an update is noted as of its row's day.
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_inserted AFTER INSERT ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id BETWEEN new.account_id - 4095 AND new.account_id
                    AND last_account_id >= new.account_id AND earliest <= new.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (new.account_id, new.account_id, new.date);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_updated AFTER UPDATE ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id BETWEEN new.account_id - 4095 AND new.account_id
                    AND last_account_id >= new.account_id AND earliest <= new.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (new.account_id, new.account_id, new.date);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER usage_days_deleted AFTER DELETE ON usage_days
                WHEN NOT EXISTS (SELECT 1 FROM usage_changes WHERE first_account_id BETWEEN old.account_id - 4095 AND old.account_id
                    AND last_account_id >= old.account_id AND earliest <= old.date)
                BEGIN
                    INSERT INTO usage_changes (first_account_id, last_account_id, earliest) VALUES (old.account_id, old.account_id, old.date);
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER usage_days_inserted;");
            migrationBuilder.Sql("DROP TRIGGER usage_days_updated;");
            migrationBuilder.Sql("DROP TRIGGER usage_days_deleted;");

            migrationBuilder.DropTable(
                name: "usage_changes");

            migrationBuilder.DropIndex(
                name: "ix_usage_days_date_account_id_active_users",
                table: "usage_days");

            migrationBuilder.DropColumn(
                name: "usage_carry_key",
                table: "health_snapshots");

            migrationBuilder.DropColumn(
                name: "usage_closed30",
                table: "health_snapshots");

            migrationBuilder.DropColumn(
                name: "usage_closed90",
                table: "health_snapshots");

            migrationBuilder.DropColumn(
                name: "usage_closed_days",
                table: "health_snapshots");

            migrationBuilder.DropColumn(
                name: "usage_closed_last_active",
                table: "health_snapshots");

            migrationBuilder.DropColumn(
                name: "usage_closed_recent",
                table: "health_snapshots");

            migrationBuilder.DropColumn(
                name: "usage_closed_recent_and_baseline",
                table: "health_snapshots");
        }
    }
}
