using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ConnectionsVersion",
                table: "tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_data_connections_TenantId_Name_Id",
                table: "data_connections",
                columns: new[] { "TenantId", "Name", "Id" });

            // Filtering by qType (compared folded) with the default sort: the match count is an index range and the
            // pages read in index order. An expression index, so it lives here rather than in the model.
            migrationBuilder.Sql("""CREATE INDEX "IX_data_connections_TenantId_TypeFold_Name_Id" ON "data_connections" ("TenantId", lower("Type"), "Name", "Id");""");

            // Every change to a tenant's connections bumps its version, whichever code path (or tool) made it.
            foreach (var (op, row) in new[] { ("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD") })
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "data_connections_version_{op.ToLowerInvariant()}" AFTER {op} ON "data_connections"
                    BEGIN UPDATE "tenants" SET "ConnectionsVersion" = "ConnectionsVersion" + 1 WHERE "Id" = {row}."TenantId"; END;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var op in new[] { "insert", "update", "delete" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER "data_connections_version_{op}";""");
            }
            migrationBuilder.Sql("""DROP INDEX "IX_data_connections_TenantId_TypeFold_Name_Id";""");

            migrationBuilder.DropIndex(
                name: "IX_data_connections_TenantId_Name_Id",
                table: "data_connections");

            migrationBuilder.DropColumn(
                name: "ConnectionsVersion",
                table: "tenants");
        }
    }
}
