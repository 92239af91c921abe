using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
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

            migrationBuilder.CreateIndex(
                name: "ix_work_tasks_account_id_kind_state",
                table: "work_tasks",
                columns: new[] { "account_id", "kind", "state" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_work_tasks_account_id_kind_state",
                table: "work_tasks");

            migrationBuilder.CreateIndex(
                name: "ix_work_tasks_account_id",
                table: "work_tasks",
                column: "account_id");
        }
    }
}
