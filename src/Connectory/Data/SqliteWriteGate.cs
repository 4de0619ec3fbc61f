using Microsoft.Data.Sqlite;

namespace Connectory.Data;

/// <summary>
/// SQLite takes one writer at a time. Writers that find the file locked wait in SQLite's busy handler, which
/// sleeps in growing steps (1, 2, 5, 10… ms) and so leaves the lock idle between writers; under concurrent writes
/// that idling, not the writes, sets the pace. Saves from this process queue here instead and each starts the
/// moment the previous one ends. Other processes (admin commands) still meet the busy handler.
/// The gate also keeps one connection open for hand-written transactions (<see cref="ExecuteAsync"/>), with its
/// statements prepared once (<see cref="PreparedConnection"/>): preparing an INSERT costs about what running it does.
/// </summary>
internal sealed class SqliteWriteGate(string connectionString, Hosting.Telemetry.ConnectoryMetrics? metrics = null) : IDisposable
{
    /// <summary>Units committed together at most; a group is what queued while the previous one committed.</summary>
    const int MaxGroup = 64;

    sealed record Unit(IReadOnlyList<SqlText> Statements)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Failure { get; set; }
    }

    readonly System.Collections.Concurrent.ConcurrentQueue<Unit> queue = new();

    readonly SemaphoreSlim gate = new(1, 1);
    PreparedConnection? connection;

    public async Task<T> RunAsync<T>(Func<Task<T>> write, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            return await write();
        }
        finally
        {
            gate.Release();
        }
    }

    public T Run<T>(Func<T> write)
    {
        gate.Wait();
        try
        {
            return write();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Runs the statements in one unit: all of them apply, or (on an error, which is rethrown) none. Units that queue
    /// while another commits are committed together, each under its own savepoint, so one failing unit leaves the
    /// others whole and a group pays one durable commit (fsync) instead of one each. Every caller returns only after
    /// the commit that holds its unit.
    /// </summary>
    public async Task ExecuteAsync(IReadOnlyList<SqlText> statements, CancellationToken ct)
    {
        var mine = new Unit(statements);
        ct.ThrowIfCancellationRequested();
        queue.Enqueue(mine);
        metrics?.WriteQueued(1);
        // Not cancellable once queued: a unit left in the queue would be written by whichever writer came next.
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            while (!mine.Done.Task.IsCompleted)
            {
                var group = new List<Unit>();
                while (group.Count < MaxGroup && queue.TryDequeue(out var unit))
                {
                    group.Add(unit);
                }
                await CommitAsync(group);
            }
        }
        finally
        {
            gate.Release();
        }
        await mine.Done.Task;
    }

    async Task CommitAsync(List<Unit> group)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var open = Connection();
            await using var transaction = open.Connection.BeginTransaction();
            for (var i = 0; i < group.Count; i++)
            {
                var savepoint = "u" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await transaction.SaveAsync(savepoint);
                try
                {
                    foreach (var statement in group[i].Statements)
                    {
                        await open.Command(statement, transaction).ExecuteNonQueryAsync();
                    }
                    await transaction.ReleaseAsync(savepoint);
                }
                catch (SqliteException e) when (e.SqliteErrorCode == 19)
                {
                    // A constraint failed (a name taken meanwhile): this unit is undone, the group goes on.
                    await transaction.RollbackAsync(savepoint);
                    await transaction.ReleaseAsync(savepoint);
                    group[i].Failure = e;
                }
            }
            await transaction.CommitAsync();
            metrics?.Committed(group.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e)
        {
            metrics?.WriteQueued(-group.Count);
            // Nothing of the group was committed: every unit fails with the cause, and the connection starts afresh.
            DropConnection();
            foreach (var unit in group)
            {
                unit.Done.TrySetException(e);
            }
            return;
        }
        metrics?.WriteQueued(-group.Count);
        foreach (var unit in group)
        {
            if (unit.Failure is { } failure)
            {
                unit.Done.TrySetException(failure);
            }
            else
            {
                unit.Done.TrySetResult();
            }
        }
    }

    PreparedConnection Connection()
    {
        if (connection is { IsOpen: true })
        {
            return connection;
        }
        DropConnection();
        return connection = PreparedConnection.Open(connectionString);
    }

    void DropConnection()
    {
        connection?.Dispose();
        connection = null;
    }

    public void Dispose()
    {
        DropConnection();
        gate.Dispose();
    }
}
