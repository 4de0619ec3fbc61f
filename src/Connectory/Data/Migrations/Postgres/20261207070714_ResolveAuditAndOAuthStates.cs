using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ResolveAuditAndOAuthStates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ActorUserId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    ActorSubject = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    Action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TargetKind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    TargetId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    SourceAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    UserAgent = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    Detail = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_audit_events_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "oauth_state_redemptions",
                columns: table => new
                {
                    StateHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RedeemedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oauth_state_redemptions", x => x.StateHash);
                    table.ForeignKey(
                        name: "FK_oauth_state_redemptions_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_events_TenantId_OccurredAt_Id",
                table: "audit_events",
                columns: new[] { "TenantId", "OccurredAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_events_TenantId_TargetKind_TargetId",
                table: "audit_events",
                columns: new[] { "TenantId", "TargetKind", "TargetId" });

            migrationBuilder.CreateIndex(
                name: "IX_oauth_state_redemptions_ExpiresAt",
                table: "oauth_state_redemptions",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_oauth_state_redemptions_TenantId",
                table: "oauth_state_redemptions",
                column: "TenantId");

            // The audit trail is append-only whatever writes to the database: the database itself refuses changes.
            migrationBuilder.Sql("""
                CREATE FUNCTION connectory_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_events is append-only';
                END $$;
                CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "audit_events"
                    FOR EACH ROW EXECUTE FUNCTION connectory_audit_append_only();
                CREATE TRIGGER audit_events_append_only_truncate BEFORE TRUNCATE ON "audit_events"
                    FOR EACH STATEMENT EXECUTE FUNCTION connectory_audit_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER audit_events_append_only ON "audit_events";
                DROP TRIGGER audit_events_append_only_truncate ON "audit_events";
                DROP FUNCTION connectory_audit_append_only();
                """);

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "oauth_state_redemptions");
        }
    }
}
