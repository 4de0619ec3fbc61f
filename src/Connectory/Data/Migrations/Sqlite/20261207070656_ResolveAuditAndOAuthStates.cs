using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Sqlite
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
                    Id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ActorUserId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    ActorSubject = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TargetKind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TargetId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    UserAgent = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: false)
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
                    StateHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RedeemedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
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

            // The audit trail is append-only whatever writes to the file: the database itself refuses changes.
            foreach (var op in new[] { "UPDATE", "DELETE" })
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "audit_events_append_only_{op.ToLowerInvariant()}" BEFORE {op} ON "audit_events"
                    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "oauth_state_redemptions");
        }
    }
}
