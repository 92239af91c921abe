using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CsmPayments.Storage.Migrations.Postgres
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
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed30",
                table: "health_snapshots",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed90",
                table: "health_snapshots",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "usage_closed_days",
                table: "health_snapshots",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "usage_closed_last_active",
                table: "health_snapshots",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed_recent",
                table: "health_snapshots",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "usage_closed_recent_and_baseline",
                table: "health_snapshots",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "usage_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    first_account_id = table.Column<long>(type: "bigint", nullable: false),
                    last_account_id = table.Column<long>(type: "bigint", nullable: false),
                    earliest = table.Column<DateOnly>(type: "date", nullable: false)
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
            // writes it, once per statement and block of 4096 account ids (UsageChange.AccountSpan), for the cycle to know
            // whose rolled sums to sum again.
            migrationBuilder.Sql("""
                CREATE FUNCTION usage_days_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO usage_changes (first_account_id, last_account_id, earliest)
                        SELECT min(account_id), max(account_id), min(date) FROM new_rows GROUP BY account_id / 4096;
                    ELSIF TG_OP = 'UPDATE' THEN
                        INSERT INTO usage_changes (first_account_id, last_account_id, earliest)
                        SELECT min(account_id), max(account_id), min(date)
                        FROM (SELECT account_id, date FROM new_rows UNION ALL SELECT account_id, date FROM old_rows) AS changed
                        GROUP BY account_id / 4096;
                    ELSE
                        INSERT INTO usage_changes (first_account_id, last_account_id, earliest)
                        SELECT min(account_id), max(account_id), min(date) FROM old_rows GROUP BY account_id / 4096;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER usage_days_inserted AFTER INSERT ON usage_days REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION usage_days_changed();
                CREATE TRIGGER usage_days_updated AFTER UPDATE ON usage_days REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION usage_days_changed();
                CREATE TRIGGER usage_days_deleted AFTER DELETE ON usage_days REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION usage_days_changed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER usage_days_inserted ON usage_days;
                DROP TRIGGER usage_days_updated ON usage_days;
                DROP TRIGGER usage_days_deleted ON usage_days;
                DROP FUNCTION usage_days_changed();
                """);

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
