using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CsmPayments.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LedgerChangeNotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "settled_on",
                table: "invoices",
                type: "date",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ledger_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_changes", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_payments_failed",
                table: "payments",
                columns: new[] { "account_id", "paid_on" },
                filter: "status <> 'Succeeded'");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_changes_account_id",
                table: "ledger_changes",
                column: "account_id");

            // Written by hand (EF has no model of triggers): the database notes every change of an account's ledger that
            // could move the day an invoice was settled, whatever writes it. Payments and credit notes once per statement
            // and account, from the statement's rows; an invoice when its amount, status or account changes (rare, one row
            // at a time, so a row trigger; PostgreSQL allows no transition tables with a column list). Every statement writes
            // its own notes, even for an account with a note already: the cycle deletes exactly the notes it read, so a change
            // committed after its read must leave a note of its own.
            migrationBuilder.Sql("""
                CREATE FUNCTION ledger_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        INSERT INTO ledger_changes (account_id)
                        SELECT DISTINCT account_id FROM new_rows;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        INSERT INTO ledger_changes (account_id)
                        SELECT DISTINCT account_id FROM old_rows;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE FUNCTION invoice_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO ledger_changes (account_id)
                    SELECT DISTINCT account_id FROM (VALUES (OLD.account_id), (NEW.account_id)) AS changed (account_id);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER invoices_changed AFTER UPDATE OF amount, status, account_id ON invoices FOR EACH ROW
                    WHEN (OLD.amount IS DISTINCT FROM NEW.amount OR OLD.status IS DISTINCT FROM NEW.status OR OLD.account_id IS DISTINCT FROM NEW.account_id)
                    EXECUTE FUNCTION invoice_changed();
                """);
            foreach (var table in LedgerTables)
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_inserted AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION ledger_rows_changed();
                    CREATE TRIGGER {table}_updated AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION ledger_rows_changed();
                    CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION ledger_rows_changed();
                    """);
        }

        /// <summary>The tables whose rows reduce invoices.</summary>
        private static readonly string[] LedgerTables = ["payments", "credit_notes"];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in LedgerTables)
                migrationBuilder.Sql($"DROP TRIGGER {table}_inserted ON {table}; DROP TRIGGER {table}_updated ON {table}; DROP TRIGGER {table}_deleted ON {table};");
            migrationBuilder.Sql("DROP TRIGGER invoices_changed ON invoices; DROP FUNCTION invoice_changed(); DROP FUNCTION ledger_rows_changed();");

            migrationBuilder.DropTable(
                name: "ledger_changes");

            migrationBuilder.DropIndex(
                name: "ix_payments_failed",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "settled_on",
                table: "invoices");
        }
    }
}
