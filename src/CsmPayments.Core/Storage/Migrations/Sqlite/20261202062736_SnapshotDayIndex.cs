using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SnapshotDayIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_health_snapshots_as_of",
                table: "health_snapshots");

            migrationBuilder.CreateIndex(
                name: "ix_health_snapshots_as_of_account_id",
                table: "health_snapshots",
                columns: new[] { "as_of", "account_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_health_snapshots_as_of_account_id",
                table: "health_snapshots");

            migrationBuilder.CreateIndex(
                name: "ix_health_snapshots_as_of",
                table: "health_snapshots",
                column: "as_of");
        }
    }
}
