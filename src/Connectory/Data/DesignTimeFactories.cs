using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Connectory.Data;

// Used only by `dotnet ef migrations add`; the running service configures contexts in DatabaseRegistration.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteConnectoryDb>
{
    public SqliteConnectoryDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteConnectoryDb>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresConnectoryDb>
{
    public PostgresConnectoryDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresConnectoryDb>().UseNpgsql("Host=localhost;Database=design").Options);
}
