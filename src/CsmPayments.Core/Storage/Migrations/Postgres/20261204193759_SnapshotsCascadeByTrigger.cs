using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Postgres
{
    /// <summary>
    /// The snapshots lose their foreign key to accounts on PostgreSQL: it checked each of a day's million inserted rows with
    /// a query that also locked the account's row, which cost about as much as the insert itself (bench/README.md). A
    /// trigger on accounts keeps the guarantee. Before an account row is deleted it takes <c>Health.HealthSnapshot.WriteLock</c> (the key 7166191688802525552)
    /// exclusively, so it waits for a cycle writing snapshots (which holds the lock shared from before it reads any
    /// account until it commits), and a cycle that starts meanwhile waits for the deletion. Then it deletes the
    /// account's snapshots, as the cascade did.
    /// </summary>
    public partial class SnapshotsCascadeByTrigger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_health_snapshots_accounts_account_id",
                table: "health_snapshots");
            migrationBuilder.Sql("""
                CREATE FUNCTION health_snapshots_of_deleted_account() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock(7166191688802525552);
                    DELETE FROM health_snapshots WHERE account_id = OLD.id;
                    RETURN OLD;
                END
                $$;
                CREATE TRIGGER accounts_deleted_with_snapshots BEFORE DELETE ON accounts
                    FOR EACH ROW EXECUTE FUNCTION health_snapshots_of_deleted_account();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER accounts_deleted_with_snapshots ON accounts; DROP FUNCTION health_snapshots_of_deleted_account();");
            migrationBuilder.AddForeignKey(
                name: "fk_health_snapshots_accounts_account_id",
                table: "health_snapshots",
                column: "account_id",
                principalTable: "accounts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
