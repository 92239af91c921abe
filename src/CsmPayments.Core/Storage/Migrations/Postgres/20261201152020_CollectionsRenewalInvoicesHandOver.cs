using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CollectionsRenewalInvoicesHandOver : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "approved_amount",
                table: "renewal_reviews",
                type: "numeric(19,4)",
                precision: 19,
                scale: 4,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "approved_currency",
                table: "renewal_reviews",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "invoice_id",
                table: "renewal_reviews",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "invoice_issued_on",
                table: "renewal_reviews",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "handed_over_at",
                table: "outbox_messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "html_body",
                table: "outbox_messages",
                type: "character varying(100000)",
                maxLength: 100000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "resolved_by",
                table: "outbox_messages",
                type: "character varying(400)",
                maxLength: 400,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_renewal_reviews_invoice_id",
                table: "renewal_reviews",
                column: "invoice_id");

            migrationBuilder.AddForeignKey(
                name: "fk_renewal_reviews_invoices_invoice_id",
                table: "renewal_reviews",
                column: "invoice_id",
                principalTable: "invoices",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_renewal_reviews_invoices_invoice_id",
                table: "renewal_reviews");

            migrationBuilder.DropIndex(
                name: "ix_renewal_reviews_invoice_id",
                table: "renewal_reviews");

            migrationBuilder.DropColumn(
                name: "approved_amount",
                table: "renewal_reviews");

            migrationBuilder.DropColumn(
                name: "approved_currency",
                table: "renewal_reviews");

            migrationBuilder.DropColumn(
                name: "invoice_id",
                table: "renewal_reviews");

            migrationBuilder.DropColumn(
                name: "invoice_issued_on",
                table: "renewal_reviews");

            migrationBuilder.DropColumn(
                name: "handed_over_at",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "html_body",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "resolved_by",
                table: "outbox_messages");
        }
    }
}
