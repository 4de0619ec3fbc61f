using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Data;

internal static class DbErrors
{
    /// <summary>True when a write lost a race on a unique index: callers answer 409, never 500.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) => exception.InnerException is { } inner && inner.IsUniqueViolation();

    /// <inheritdoc cref="IsUniqueViolation(DbUpdateException)"/>
    public static bool IsUniqueViolation(this Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// True when the database gave up this request's transaction for a concurrent one (PostgreSQL's deadlock
    /// detection or serialization failure): nothing of it was applied, and the same request may succeed again.
    /// </summary>
    public static bool IsTransientConflict(this Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DeadlockDetected or Npgsql.PostgresErrorCodes.SerializationFailure })
            {
                return true;
            }
        }
        return false;
    }
}
