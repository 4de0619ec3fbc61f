using System.ComponentModel.DataAnnotations;
using Connectory.Hosting;

namespace Connectory.Data;

internal sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>sqlite</c> (default, a file in the data dir) or <c>postgres</c>.</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Database:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Apply pending migrations when the service starts. Always on for SQLite; opt-in for PostgreSQL.</summary>
    public bool MigrateAtStart { get; set; }

    /// <summary>
    /// How long a start (or an admin command) waits for the migration lock before it gives up with an error that
    /// names the lock, instead of waiting for ever behind a lock nobody will release.
    /// </summary>
    public TimeSpan MigrationLockTimeout { get; set; } = DefaultMigrationLockTimeout;

    public static readonly TimeSpan DefaultMigrationLockTimeout = TimeSpan.FromSeconds(60);

    public bool IsPostgres => Provider == "postgres";
}

/// <summary>Where the service keeps its files: the SQLite database, the bootstrap key, generated keys.</summary>
internal sealed class DataDirectory(IConfiguration configuration)
{
    public string Path { get; } = System.IO.Path.GetFullPath(configuration["data-dir"] ?? configuration["DataDir"] ?? "./data");

    public string File(string name)
    {
        OwnerOnly.EnsureDirectory(Path);
        return System.IO.Path.Combine(Path, name);
    }
}
