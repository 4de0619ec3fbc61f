namespace Connectory.Tests.Support;

// A test whose behaviour exists on one database only is reported skipped on the other, never passed vacuously.

/// <summary>A fact about PostgreSQL only: skipped on the SQLite pass.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestDatabase.IsPostgres)
        {
            Skip = "PostgreSQL only (the PostgreSQL pass runs it)";
        }
    }
}

/// <summary>A fact about SQLite only: skipped on the PostgreSQL pass.</summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (TestDatabase.IsPostgres)
        {
            Skip = "SQLite only (the SQLite pass runs it)";
        }
    }
}

/// <summary>A theory about PostgreSQL only: skipped on the SQLite pass.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (!TestDatabase.IsPostgres)
        {
            Skip = "PostgreSQL only (the PostgreSQL pass runs it)";
        }
    }
}

/// <summary>A theory about SQLite only: skipped on the PostgreSQL pass.</summary>
public sealed class SqliteTheoryAttribute : TheoryAttribute
{
    public SqliteTheoryAttribute()
    {
        if (TestDatabase.IsPostgres)
        {
            Skip = "SQLite only (the SQLite pass runs it)";
        }
    }
}

// Behaviour that never reaches the store in a way the two databases could differ on (help text, Kestrel's own answers,
// outbound connection tests, log lines, API documents) runs once, on the SQLite pass, and is reported skipped on the other.
static class StorePasses
{
    public const string StoreIndependent = "Independent of the store (the SQLite pass runs it)";
}

/// <summary>A fact the store cannot change: skipped on the PostgreSQL pass.</summary>
public sealed class StoreIndependentFactAttribute : FactAttribute
{
    public StoreIndependentFactAttribute()
    {
        if (TestDatabase.IsPostgres)
        {
            Skip = StorePasses.StoreIndependent;
        }
    }
}

/// <summary>A theory the store cannot change: skipped on the PostgreSQL pass.</summary>
public sealed class StoreIndependentTheoryAttribute : TheoryAttribute
{
    public StoreIndependentTheoryAttribute()
    {
        if (TestDatabase.IsPostgres)
        {
            Skip = StorePasses.StoreIndependent;
        }
    }
}
