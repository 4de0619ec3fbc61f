using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class QrsCustomProperties : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "qrs_custom_property_definitions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NameFold = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ValueType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ChoiceValues = table.Column<string>(type: "character varying(65536)", maxLength: 65536, nullable: false),
                    ObjectTypes = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_qrs_custom_property_definitions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_qrs_custom_property_definitions_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "qrs_custom_property_values",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ConnectionId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    DefinitionId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Value = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_qrs_custom_property_values", x => x.Id);
                    table.ForeignKey(
                        name: "FK_qrs_custom_property_values_data_connections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "data_connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_qrs_custom_property_values_qrs_custom_property_definitions_~",
                        column: x => x.DefinitionId,
                        principalTable: "qrs_custom_property_definitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_qrs_custom_property_definitions_TenantId_NameFold",
                table: "qrs_custom_property_definitions",
                columns: new[] { "TenantId", "NameFold" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_qrs_custom_property_values_ConnectionId",
                table: "qrs_custom_property_values",
                column: "ConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_qrs_custom_property_values_DefinitionId",
                table: "qrs_custom_property_values",
                column: "DefinitionId");

            migrationBuilder.CreateIndex(
                name: "IX_qrs_custom_property_values_TenantId_DefinitionId_Value",
                table: "qrs_custom_property_values",
                columns: new[] { "TenantId", "DefinitionId", "Value" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "qrs_custom_property_values");

            migrationBuilder.DropTable(
                name: "qrs_custom_property_definitions");
        }
    }
}
