using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SnapshotsKeyedByDay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots");

            migrationBuilder.DropIndex(
                name: "ix_health_snapshots_as_of_account_id",
                table: "health_snapshots");

            migrationBuilder.AddPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots",
                columns: new[] { "as_of", "account_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots");

            migrationBuilder.AddPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots",
                columns: new[] { "account_id", "as_of" });

            migrationBuilder.CreateIndex(
                name: "ix_health_snapshots_as_of_account_id",
                table: "health_snapshots",
                columns: new[] { "as_of", "account_id" });
        }
    }
}
