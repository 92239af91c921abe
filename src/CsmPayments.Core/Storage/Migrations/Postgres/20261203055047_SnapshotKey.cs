using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CsmPayments.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SnapshotKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots");

            migrationBuilder.DropIndex(
                name: "ix_health_snapshots_account_id_as_of",
                table: "health_snapshots");

            migrationBuilder.DropColumn(
                name: "id",
                table: "health_snapshots");

            migrationBuilder.AddPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots",
                columns: new[] { "account_id", "as_of" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots");

            migrationBuilder.AddColumn<long>(
                name: "id",
                table: "health_snapshots",
                type: "bigint",
                nullable: false)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

            migrationBuilder.AddPrimaryKey(
                name: "pk_health_snapshots",
                table: "health_snapshots",
                column: "id");

            migrationBuilder.CreateIndex(
                name: "ix_health_snapshots_account_id_as_of",
                table: "health_snapshots",
                columns: new[] { "account_id", "as_of" },
                unique: true);
        }
    }
}
