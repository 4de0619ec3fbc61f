using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TenantScopedIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hand-written so the change is one transaction: EF Core rebuilds SQLite tables across three transactions
            // with foreign keys switched off in between, and a process killed between them leaves a database the next
            // start cannot migrate. Renaming a table rewrites the foreign keys that point to it, so the old tables are
            // moved aside, the new ones made and filled, and the old ones dropped, all with foreign keys on.
            migrationBuilder.Sql("""
                DROP TRIGGER "data_connections_version_insert";
                DROP TRIGGER "data_connections_version_update";
                DROP TRIGGER "data_connections_version_delete";
                DROP INDEX "IX_data_connections_TenantId_TypeFold_Name_Id";
                ALTER TABLE "qrs_custom_property_values" RENAME TO "old_qrs_custom_property_values";
                ALTER TABLE "data_connections" RENAME TO "old_data_connections";
                ALTER TABLE "data_credentials" RENAME TO "old_data_credentials";

                CREATE TABLE "data_credentials" (
                    "TenantId" TEXT NOT NULL,
                    "Id" TEXT NOT NULL,
                    "ConnectionId" TEXT NULL,
                    "CreatedAt" TEXT NOT NULL,
                    "DatasourceId" TEXT NOT NULL,
                    "Name" TEXT NOT NULL,
                    "NameFold" TEXT NOT NULL,
                    "OwnerId" TEXT NOT NULL,
                    "Password" TEXT NULL,
                    "Separated" INTEGER NOT NULL,
                    "Type" TEXT NOT NULL,
                    "UpdatedAt" TEXT NOT NULL,
                    "Username" TEXT NOT NULL,
                    "Version" INTEGER NOT NULL DEFAULT 0,
                    CONSTRAINT "PK_data_credentials" PRIMARY KEY ("TenantId", "Id"),
                    CONSTRAINT "FK_data_credentials_tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "tenants" ("Id") ON DELETE CASCADE
                );
                INSERT INTO "data_credentials" ("TenantId", "Id", "ConnectionId", "CreatedAt", "DatasourceId", "Name", "NameFold", "OwnerId", "Password", "Separated", "Type", "UpdatedAt", "Username", "Version")
                SELECT "TenantId", "Id", "ConnectionId", "CreatedAt", "DatasourceId", "Name", "NameFold", "OwnerId", "Password", "Separated", "Type", "UpdatedAt", "Username", "Version"
                FROM "old_data_credentials";

                CREATE TABLE "data_connections" (
                    "TenantId" TEXT NOT NULL,
                    "Id" TEXT NOT NULL,
                    "AppOwner" TEXT NULL,
                    "Architecture" INTEGER NOT NULL,
                    "ConnectStatement" TEXT NOT NULL,
                    "ConnectionSecret" TEXT NULL,
                    "CreatedAt" TEXT NOT NULL,
                    "CreatedBy" TEXT NOT NULL,
                    "CredentialId" TEXT NULL,
                    "DatasourceId" TEXT NOT NULL,
                    "LogOn" INTEGER NOT NULL,
                    "Name" TEXT NOT NULL,
                    "NameFold" TEXT NOT NULL,
                    "NameSortKey" TEXT NOT NULL,
                    "OwnerId" TEXT NOT NULL,
                    "Qri" TEXT NOT NULL,
                    "Scope" TEXT NOT NULL,
                    "SeparateCredentials" INTEGER NOT NULL,
                    "SpaceId" TEXT NULL,
                    "SpaceType" TEXT NOT NULL,
                    "Tags" TEXT NOT NULL,
                    "Type" TEXT NOT NULL,
                    "UpdatedAt" TEXT NOT NULL,
                    "Version" INTEGER NOT NULL DEFAULT 0,
                    CONSTRAINT "PK_data_connections" PRIMARY KEY ("TenantId", "Id"),
                    CONSTRAINT "FK_data_connections_data_credentials_TenantId_CredentialId" FOREIGN KEY ("TenantId", "CredentialId") REFERENCES "data_credentials" ("TenantId", "Id"),
                    CONSTRAINT "FK_data_connections_tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "tenants" ("Id") ON DELETE CASCADE
                );
                INSERT INTO "data_connections" ("TenantId", "Id", "AppOwner", "Architecture", "ConnectStatement", "ConnectionSecret", "CreatedAt", "CreatedBy", "CredentialId", "DatasourceId", "LogOn", "Name", "NameFold", "NameSortKey", "OwnerId", "Qri", "Scope", "SeparateCredentials", "SpaceId", "SpaceType", "Tags", "Type", "UpdatedAt", "Version")
                SELECT "TenantId", "Id", "AppOwner", "Architecture", "ConnectStatement", "ConnectionSecret", "CreatedAt", "CreatedBy", "CredentialId", "DatasourceId", "LogOn", "Name", "NameFold", "NameSortKey", "OwnerId", "Qri", "Scope", "SeparateCredentials", "SpaceId", "SpaceType", "Tags", "Type", "UpdatedAt", "Version"
                FROM "old_data_connections";

                CREATE TABLE "qrs_custom_property_values" (
                    "Id" TEXT NOT NULL CONSTRAINT "PK_qrs_custom_property_values" PRIMARY KEY,
                    "ConnectionId" TEXT NOT NULL,
                    "CreatedAt" TEXT NOT NULL,
                    "DefinitionId" TEXT NOT NULL,
                    "TenantId" TEXT NOT NULL,
                    "UpdatedAt" TEXT NOT NULL,
                    "Value" TEXT NOT NULL,
                    CONSTRAINT "FK_qrs_custom_property_values_data_connections_TenantId_ConnectionId" FOREIGN KEY ("TenantId", "ConnectionId") REFERENCES "data_connections" ("TenantId", "Id") ON DELETE CASCADE,
                    CONSTRAINT "FK_qrs_custom_property_values_qrs_custom_property_definitions_DefinitionId" FOREIGN KEY ("DefinitionId") REFERENCES "qrs_custom_property_definitions" ("Id") ON DELETE CASCADE
                );
                INSERT INTO "qrs_custom_property_values" ("Id", "ConnectionId", "CreatedAt", "DefinitionId", "TenantId", "UpdatedAt", "Value")
                SELECT "Id", "ConnectionId", "CreatedAt", "DefinitionId", "TenantId", "UpdatedAt", "Value"
                FROM "old_qrs_custom_property_values";

                DROP TABLE "old_qrs_custom_property_values";
                DROP TABLE "old_data_connections";
                DROP TABLE "old_data_credentials";

                CREATE INDEX "IX_data_connections_TenantId_CreatedAt_Id" ON "data_connections" ("TenantId", "CreatedAt", "Id");
                CREATE INDEX "IX_data_connections_TenantId_CredentialId" ON "data_connections" ("TenantId", "CredentialId");
                CREATE INDEX "IX_data_connections_TenantId_Name_Id" ON "data_connections" ("TenantId", "Name", "Id");
                CREATE INDEX "IX_data_connections_TenantId_NameFold_Id" ON "data_connections" ("TenantId", "NameFold", "Id");
                CREATE INDEX "IX_data_connections_TenantId_NameSortKey_Id" ON "data_connections" ("TenantId", "NameSortKey", "Id");
                CREATE INDEX "IX_data_connections_TenantId_OwnerId" ON "data_connections" ("TenantId", "OwnerId");
                CREATE UNIQUE INDEX "IX_data_connections_TenantId_Scope_NameFold" ON "data_connections" ("TenantId", "Scope", "NameFold");
                CREATE INDEX "IX_data_connections_TenantId_SpaceId" ON "data_connections" ("TenantId", "SpaceId");
                CREATE INDEX "IX_data_connections_TenantId_UpdatedAt_Id" ON "data_connections" ("TenantId", "UpdatedAt", "Id");
                CREATE INDEX "IX_data_connections_TenantId_TypeFold_Name_Id" ON "data_connections" ("TenantId", lower("Type"), "Name", "Id");
                CREATE INDEX "IX_qrs_custom_property_values_DefinitionId" ON "qrs_custom_property_values" ("DefinitionId");
                CREATE INDEX "IX_qrs_custom_property_values_TenantId_ConnectionId" ON "qrs_custom_property_values" ("TenantId", "ConnectionId");
                CREATE INDEX "IX_qrs_custom_property_values_TenantId_DefinitionId_Value" ON "qrs_custom_property_values" ("TenantId", "DefinitionId", "Value");
                CREATE INDEX "IX_data_credentials_TenantId_ConnectionId_OwnerId" ON "data_credentials" ("TenantId", "ConnectionId", "OwnerId");
                CREATE UNIQUE INDEX "IX_data_credentials_TenantId_OwnerId_NameFold" ON "data_credentials" ("TenantId", "OwnerId", "NameFold");
                CREATE INDEX "IX_data_credentials_TenantId_OwnerId_Separated" ON "data_credentials" ("TenantId", "OwnerId", "Separated");
                """);
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
            migrationBuilder.DropForeignKey(
                name: "FK_data_connections_data_credentials_TenantId_CredentialId",
                table: "data_connections");

            migrationBuilder.DropForeignKey(
                name: "FK_qrs_custom_property_values_data_connections_TenantId_ConnectionId",
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
