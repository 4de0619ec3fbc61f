using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Postgres
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
                type: "bigint",
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
            migrationBuilder.Sql("""
                CREATE FUNCTION connectory_bump_connections_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        UPDATE "tenants" SET "ConnectionsVersion" = "ConnectionsVersion" + 1 WHERE "Id" = OLD."TenantId";
                    ELSE
                        UPDATE "tenants" SET "ConnectionsVersion" = "ConnectionsVersion" + 1 WHERE "Id" = NEW."TenantId";
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER data_connections_version AFTER INSERT OR UPDATE OR DELETE ON "data_connections"
                    FOR EACH ROW EXECUTE FUNCTION connectory_bump_connections_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER data_connections_version ON "data_connections"; DROP FUNCTION connectory_bump_connections_version();""");
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
