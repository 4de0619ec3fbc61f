using System.ComponentModel.DataAnnotations;

namespace Connectory.Data;

internal sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>sqlite</c> (default, a file in the data dir) or <c>postgres</c>.</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Database:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Apply pending migrations when the service starts. Always on for SQLite; opt-in for PostgreSQL.</summary>
    public bool MigrateAtStart { get; set; }

    public bool IsPostgres => Provider == "postgres";
}

/// <summary>Where the service keeps its files: the SQLite database, the bootstrap key, generated keys.</summary>
internal sealed class DataDirectory(IConfiguration configuration)
{
    public string Path { get; } = System.IO.Path.GetFullPath(configuration["data-dir"] ?? configuration["DataDir"] ?? "./data");

    public string File(string name)
    {
        Directory.CreateDirectory(Path);
        return System.IO.Path.Combine(Path, name);
    }
}
