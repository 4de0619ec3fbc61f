using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TenantScopedIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_data_connections_data_credentials_CredentialId",
                table: "data_connections");

            migrationBuilder.DropForeignKey(
                name: "FK_qrs_custom_property_values_data_connections_ConnectionId",
                table: "qrs_custom_property_values");

            migrationBuilder.DropIndex(
                name: "IX_qrs_custom_property_values_ConnectionId",
                table: "qrs_custom_property_values");

            migrationBuilder.DropPrimaryKey(
                name: "PK_data_credentials",
                table: "data_credentials");

            migrationBuilder.DropPrimaryKey(
                name: "PK_data_connections",
                table: "data_connections");

            migrationBuilder.DropIndex(
                name: "IX_data_connections_CredentialId",
                table: "data_connections");

            migrationBuilder.AddPrimaryKey(
                name: "PK_data_credentials",
                table: "data_credentials",
                columns: new[] { "TenantId", "Id" });

            migrationBuilder.AddPrimaryKey(
                name: "PK_data_connections",
                table: "data_connections",
                columns: new[] { "TenantId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_qrs_custom_property_values_TenantId_ConnectionId",
                table: "qrs_custom_property_values",
                columns: new[] { "TenantId", "ConnectionId" });

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_CredentialId",
                table: "data_connections",
                columns: new[] { "TenantId", "CredentialId" });

            migrationBuilder.AddForeignKey(
                name: "FK_data_connections_data_credentials_TenantId_CredentialId",
                table: "data_connections",
                columns: new[] { "TenantId", "CredentialId" },
                principalTable: "data_credentials",
                principalColumns: new[] { "TenantId", "Id" });

            migrationBuilder.AddForeignKey(
                name: "FK_qrs_custom_property_values_data_connections_TenantId_Connec~",
                table: "qrs_custom_property_values",
                columns: new[] { "TenantId", "ConnectionId" },
                principalTable: "data_connections",
                principalColumns: new[] { "TenantId", "Id" },
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_data_connections_data_credentials_TenantId_CredentialId",
                table: "data_connections");

            migrationBuilder.DropForeignKey(
                name: "FK_qrs_custom_property_values_data_connections_TenantId_Connec~",
                table: "qrs_custom_property_values");

            migrationBuilder.DropIndex(
                name: "IX_qrs_custom_property_values_TenantId_ConnectionId",
                table: "qrs_custom_property_values");

            migrationBuilder.DropPrimaryKey(
                name: "PK_data_credentials",
                table: "data_credentials");

            migrationBuilder.DropPrimaryKey(
                name: "PK_data_connections",
                table: "data_connections");

            migrationBuilder.DropIndex(
                name: "IX_data_connections_TenantId_CredentialId",
                table: "data_connections");

            migrationBuilder.AddPrimaryKey(
                name: "PK_data_credentials",
                table: "data_credentials",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_data_connections",
                table: "data_connections",
                column: "Id");

            migrationBuilder.CreateIndex(
                name: "IX_qrs_custom_property_values_ConnectionId",
                table: "qrs_custom_property_values",
                column: "ConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_CredentialId",
                table: "data_connections",
                column: "CredentialId");

            migrationBuilder.AddForeignKey(
                name: "FK_data_connections_data_credentials_CredentialId",
                table: "data_connections",
                column: "CredentialId",
                principalTable: "data_credentials",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_qrs_custom_property_values_data_connections_ConnectionId",
                table: "qrs_custom_property_values",
                column: "ConnectionId",
                principalTable: "data_connections",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
