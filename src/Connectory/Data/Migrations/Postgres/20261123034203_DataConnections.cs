using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DataConnections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "QriKey",
                table: "tenants",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "data_credentials",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    OwnerId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    NameFold = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    DatasourceId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Username = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Password = table.Column<string>(type: "character varying(8192)", maxLength: 8192, nullable: true),
                    Separated = table.Column<bool>(type: "boolean", nullable: false),
                    ConnectionId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_credentials", x => x.Id);
                    table.ForeignKey(
                        name: "FK_data_credentials_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "data_connections",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SpaceId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    SpaceType = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OwnerId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Scope = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Name = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    NameFold = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    NameSortKey = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: false),
                    Type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    DatasourceId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ConnectStatement = table.Column<string>(type: "character varying(65536)", maxLength: 65536, nullable: false),
                    LogOn = table.Column<int>(type: "integer", nullable: false),
                    Architecture = table.Column<int>(type: "integer", nullable: false),
                    SeparateCredentials = table.Column<bool>(type: "boolean", nullable: false),
                    CredentialId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: true),
                    ConnectionSecret = table.Column<string>(type: "character varying(65536)", maxLength: 65536, nullable: true),
                    Tags = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: false),
                    AppOwner = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Qri = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_connections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_data_connections_data_credentials_CredentialId",
                        column: x => x.CredentialId,
                        principalTable: "data_credentials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_data_connections_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_CredentialId",
                table: "data_connections",
                column: "CredentialId");

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_CreatedAt_Id",
                table: "data_connections",
                columns: new[] { "TenantId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_NameFold_Id",
                table: "data_connections",
                columns: new[] { "TenantId", "NameFold", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_NameSortKey_Id",
                table: "data_connections",
                columns: new[] { "TenantId", "NameSortKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_OwnerId",
                table: "data_connections",
                columns: new[] { "TenantId", "OwnerId" });

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_Scope_NameFold",
                table: "data_connections",
                columns: new[] { "TenantId", "Scope", "NameFold" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_SpaceId",
                table: "data_connections",
                columns: new[] { "TenantId", "SpaceId" });

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_UpdatedAt_Id",
                table: "data_connections",
                columns: new[] { "TenantId", "UpdatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_data_credentials_TenantId_ConnectionId_OwnerId",
                table: "data_credentials",
                columns: new[] { "TenantId", "ConnectionId", "OwnerId" });

            migrationBuilder.CreateIndex(
                name: "IX_data_credentials_TenantId_OwnerId_NameFold",
                table: "data_credentials",
                columns: new[] { "TenantId", "OwnerId", "NameFold" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_connections");

            migrationBuilder.DropTable(
                name: "data_credentials");

            migrationBuilder.DropColumn(
                name: "QriKey",
                table: "tenants");
        }
    }
}
