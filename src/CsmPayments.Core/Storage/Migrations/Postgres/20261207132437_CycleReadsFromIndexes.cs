using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CycleReadsFromIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_work_tasks_account_id",
                table: "work_tasks");

            migrationBuilder.DropIndex(
                name: "ix_payments_failed",
                table: "payments");

            migrationBuilder.DropIndex(
                name: "ix_payments_invoice_id",
                table: "payments");

            migrationBuilder.DropIndex(
                name: "ix_invoices_account_id_issue_date",
                table: "invoices");

            migrationBuilder.DropIndex(
                name: "ix_collection_steps_done_account_id",
                table: "collection_steps_done");

            migrationBuilder.CreateIndex(
                name: "ix_work_tasks_account_id_kind_state",
                table: "work_tasks",
                columns: new[] { "account_id", "kind", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_payments_failed",
                table: "payments",
                columns: new[] { "account_id", "paid_on" },
                filter: "status <> 'Succeeded'")
                .Annotation("Npgsql:IndexInclude", new[] { "invoice_id", "amount", "status", "failure_code" });

            migrationBuilder.CreateIndex(
                name: "ix_payments_invoice_id",
                table: "payments",
                column: "invoice_id")
                .Annotation("Npgsql:IndexInclude", new[] { "account_id", "amount", "currency", "paid_on", "status", "failure_code" });

            migrationBuilder.CreateIndex(
                name: "ix_invoices_account_id_issue_date",
                table: "invoices",
                columns: new[] { "account_id", "issue_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "due_date", "amount", "currency", "status", "settled_on", "number", "po_number" });

            migrationBuilder.CreateIndex(
                name: "ix_collection_steps_done_account_id",
                table: "collection_steps_done",
                column: "account_id")
                .Annotation("Npgsql:IndexInclude", new[] { "invoice_id", "step_id", "acted_on", "action_key" });

            // An index-only scan reads a table page only where the visibility map does not mark it all-visible, and vacuum
            // sets those marks. By default a table is vacuumed after a fifth of its rows changed or arrived, which for the
            // ledger of a large book is weeks of days; vacuum these when 2% have.
            foreach (var table in CycleTables)
                migrationBuilder.Sql($"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);");
        }

        private static readonly string[] CycleTables = ["invoices", "payments", "collection_steps_done"];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in CycleTables)
                migrationBuilder.Sql($"ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor);");

            migrationBuilder.DropIndex(
                name: "ix_work_tasks_account_id_kind_state",
                table: "work_tasks");

            migrationBuilder.DropIndex(
                name: "ix_payments_failed",
                table: "payments");

            migrationBuilder.DropIndex(
                name: "ix_payments_invoice_id",
                table: "payments");

            migrationBuilder.DropIndex(
                name: "ix_invoices_account_id_issue_date",
                table: "invoices");

            migrationBuilder.DropIndex(
                name: "ix_collection_steps_done_account_id",
                table: "collection_steps_done");

            migrationBuilder.CreateIndex(
                name: "ix_work_tasks_account_id",
                table: "work_tasks",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_payments_failed",
                table: "payments",
                columns: new[] { "account_id", "paid_on" },
                filter: "status <> 'Succeeded'");

            migrationBuilder.CreateIndex(
                name: "ix_payments_invoice_id",
                table: "payments",
                column: "invoice_id");

            migrationBuilder.CreateIndex(
                name: "ix_invoices_account_id_issue_date",
                table: "invoices",
                columns: new[] { "account_id", "issue_date" });

            migrationBuilder.CreateIndex(
                name: "ix_collection_steps_done_account_id",
                table: "collection_steps_done",
                column: "account_id");
        }
    }
}
