using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Postgres
{
    /// <summary>
    /// The outbox's text and HTML bodies are compressed with LZ4 instead of PostgreSQL's default pglz: an HTML reminder is
    /// about 4 kB, over the size at which PostgreSQL compresses a value, and the cycle queues tens of thousands a day at
    /// a million accounts, so pglz's slower compression was most of the cost of writing them (bench/README.md). Rows already
    /// stored keep theirs; both read back the same. A server built without LZ4 keeps pglz.
    /// </summary>
    public partial class OutboxBodiesCompressedWithLz4 : Migration
    {
        private static string Compression(string method) => $"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND '{method}' = ANY (enumvals)) THEN
                    ALTER TABLE outbox_messages ALTER COLUMN body SET COMPRESSION {method}, ALTER COLUMN html_body SET COMPRESSION {method};
                END IF;
            END
            $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Compression("lz4"));

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Compression("pglz"));
    }
}
