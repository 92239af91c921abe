using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HealthSegmentsAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    owner_id = table.Column<long>(type: "INTEGER", nullable: false),
                    opened_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    closed_on = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                    table.ForeignKey(
                        name: "fk_alerts_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_alerts_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "health_snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    as_of = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    tier = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    score = table.Column<int>(type: "INTEGER", nullable: false),
                    band = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    payment_health = table.Column<int>(type: "INTEGER", nullable: false),
                    usage = table.Column<int>(type: "INTEGER", nullable: true),
                    engagement = table.Column<int>(type: "INTEGER", nullable: true),
                    support = table.Column<int>(type: "INTEGER", nullable: true),
                    sentiment = table.Column<int>(type: "INTEGER", nullable: true),
                    onboarding = table.Column<bool>(type: "INTEGER", nullable: false),
                    signals = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    explanation = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_health_snapshots", x => x.id);
                    table.ForeignKey(
                        name: "fk_health_snapshots_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "segment_assignments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    effective_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    cohort = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    service_tier = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    risk_tier = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    payment_behaviour = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    credit_risk = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment_assignments", x => x.id);
                    table.ForeignKey(
                        name: "fk_segment_assignments_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_account_id_kind",
                table: "alerts",
                columns: new[] { "account_id", "kind" },
                unique: true,
                filter: "closed_on IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_owner_id_opened_on",
                table: "alerts",
                columns: new[] { "owner_id", "opened_on" });

            migrationBuilder.CreateIndex(
                name: "ix_health_snapshots_account_id_as_of",
                table: "health_snapshots",
                columns: new[] { "account_id", "as_of" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_health_snapshots_as_of",
                table: "health_snapshots",
                column: "as_of");

            migrationBuilder.CreateIndex(
                name: "ix_segment_assignments_account_id_effective_on",
                table: "segment_assignments",
                columns: new[] { "account_id", "effective_on" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_segment_assignments_effective_on",
                table: "segment_assignments",
                column: "effective_on");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "health_snapshots");

            migrationBuilder.DropTable(
                name: "segment_assignments");
        }
    }
}
