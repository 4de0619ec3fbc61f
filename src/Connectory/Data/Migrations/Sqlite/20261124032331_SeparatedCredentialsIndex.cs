using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Connectory.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SeparatedCredentialsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_data_credentials_TenantId_OwnerId_Separated",
                table: "data_credentials",
                columns: new[] { "TenantId", "OwnerId", "Separated" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_data_credentials_TenantId_OwnerId_Separated",
                table: "data_credentials");
        }
    }
}
