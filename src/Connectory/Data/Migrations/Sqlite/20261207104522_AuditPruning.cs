using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditPruning : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Still append-only, but an event older than a day may be deleted: that is how retention prunes.
            migrationBuilder.Sql("""
                DROP TRIGGER "audit_events_append_only_delete";
                CREATE TRIGGER "audit_events_append_only_delete" BEFORE DELETE ON "audit_events"
                WHEN OLD."OccurredAt" >= strftime('%Y-%m-%d %H:%M:%S', 'now', '-1 day')
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: only events older than a day may be pruned'); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "audit_events_append_only_delete";
                CREATE TRIGGER "audit_events_append_only_delete" BEFORE DELETE ON "audit_events"
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
                """);
        }
    }
}
