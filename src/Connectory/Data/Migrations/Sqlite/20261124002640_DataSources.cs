using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DataSources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_source_settings",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DataSourceId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Disabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_source_settings", x => new { x.TenantId, x.DataSourceId });
                    table.ForeignKey(
                        name: "FK_data_source_settings_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_source_settings");
        }
    }
}
