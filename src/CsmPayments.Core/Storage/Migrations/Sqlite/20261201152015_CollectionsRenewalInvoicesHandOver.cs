using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CsmPayments.Storage.Migrations.Sqlite
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
                type: "TEXT",
                precision: 19,
                scale: 4,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "approved_currency",
                table: "renewal_reviews",
                type: "TEXT",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "invoice_id",
                table: "renewal_reviews",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "invoice_issued_on",
                table: "renewal_reviews",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "handed_over_at",
                table: "outbox_messages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "html_body",
                table: "outbox_messages",
                type: "TEXT",
                maxLength: 100000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "resolved_by",
                table: "outbox_messages",
                type: "TEXT",
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
