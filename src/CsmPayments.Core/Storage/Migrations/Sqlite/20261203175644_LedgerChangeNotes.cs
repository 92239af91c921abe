using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ledger_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false)
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
            // could move the day an invoice was settled, whatever writes it: payments and credit notes written, changed
            // or deleted, and an invoice whose amount, status or account changes. An account with a note already is not
            // noted again (a probe through the index on account_id). That is safe on SQLite alone: the cycle holds the
            // database's write lock (BEGIN IMMEDIATE) from before it reads the notes until it deletes them, so no change
            // can find a note that is about to go.
            foreach (var table in LedgerTables)
                foreach (var (change, name, rows) in new[] { ("INSERT", "inserted", new[] { "new" }), ("UPDATE", "updated", ["new", "old"]), ("DELETE", "deleted", ["old"]) })
                    migrationBuilder.Sql($"""
                        CREATE TRIGGER {table}_{name} AFTER {change} ON {table}
                        BEGIN
                        {string.Concat(rows.Select(Note))}
                        END;
                        """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER invoices_changed AFTER UPDATE OF amount, status, account_id ON invoices
                WHEN old.amount IS NOT new.amount OR old.status IS NOT new.status OR old.account_id IS NOT new.account_id
                BEGIN
                {Note("new")}{Note("old")}
                END;
                """);
        }

        /// <summary>The tables whose rows reduce invoices.</summary>
        private static readonly string[] LedgerTables = ["payments", "credit_notes"];

        /// <summary>A trigger's statement noting the account of <paramref name="row"/> (new or old) unless it has a note.</summary>
        private static string Note(string row) =>
            $"INSERT INTO ledger_changes (account_id) SELECT {row}.account_id WHERE NOT EXISTS (SELECT 1 FROM ledger_changes WHERE account_id = {row}.account_id);\n";

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in LedgerTables)
                foreach (var change in new[] { "inserted", "updated", "deleted" })
                    migrationBuilder.Sql($"DROP TRIGGER {table}_{change};");
            migrationBuilder.Sql("DROP TRIGGER invoices_changed;");

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
