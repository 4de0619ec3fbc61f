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

    /// <summary>True when a write named a row that a concurrent request deleted.</summary>
    public static bool IsForeignKeyViolation(this DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode == 787,
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.ForeignKeyViolation,
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

    /// <summary>
    /// True when the store could not be reached or refused to serve (PostgreSQL down, restarting, out of connection
    /// slots; a SQLite file that cannot be opened or stays locked): the request did not happen, and may once it is back.
    /// </summary>
    public static bool IsStoreUnavailable(this Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    // Class 08: connection exceptions; 57P01-57P03: shutting down or starting; 53300: no connection slot.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is "57P01" or "57P02" or "57P03" or Npgsql.PostgresErrorCodes.TooManyConnections;
                case Npgsql.NpgsqlException npgsql when npgsql.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException:
                    return true;
                case Npgsql.NpgsqlException { IsTransient: true }:
                    return true;
                case SqliteException sqlite:
                    // SQLITE_BUSY after the busy timeout, SQLITE_CANTOPEN, SQLITE_IOERR.
                    return sqlite.SqliteErrorCode is 5 or 14 or 10;
            }
        }
        return false;
    }
}
