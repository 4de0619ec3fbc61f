using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Connectory.Data;

/// <summary>A row whose every write raises <see cref="Version"/> by one; its ETag is made from the version.</summary>
internal interface IVersioned
{
    long Version { get; set; }

    DateTime CreatedAt { get; }

    /// <summary>Set by a conditional request (If-Match): the save applies only while the stored version is this one.</summary>
    long? RequiredVersion { get; set; }
}

/// <summary>
/// How saves keep versions. <see cref="IVersioned.Version"/> is a concurrency token, so every UPDATE and DELETE of a
/// versioned row is <c>... WHERE "Id" = @id AND "Version" = @v</c> and sets the version one higher: the check and the
/// write are one statement, on SQLite and PostgreSQL alike (a second writer of the same version finds no row, even one
/// that waited on the first writer's row lock). A conditional save that finds no row fails with
/// <see cref="DbUpdateConcurrencyException"/> (the caller answers 412); an unconditional one, Qlik's last writer
/// wins, re-reads the stored version and writes again over it.
/// </summary>
internal static class Versioned
{
    const int MaxRetries = 8;

    public static async Task<int> SaveAsync(ChangeTracker tracker, Func<Task<int>> save, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            Raise(tracker);
            try
            {
                return await save();
            }
            catch (DbUpdateConcurrencyException e) when (attempt < MaxRetries && e.Entries.All(Unconditional))
            {
                foreach (var entry in e.Entries)
                {
                    if (await entry.GetDatabaseValuesAsync(ct) is not { } stored)
                    {
                        throw;
                    }
                    entry.Property(nameof(IVersioned.Version)).OriginalValue = stored[nameof(IVersioned.Version)];
                }
            }
        }
    }

    public static int Save(ChangeTracker tracker, Func<int> save)
    {
        for (var attempt = 0; ; attempt++)
        {
            Raise(tracker);
            try
            {
                return save();
            }
            catch (DbUpdateConcurrencyException e) when (attempt < MaxRetries && e.Entries.All(Unconditional))
            {
                foreach (var entry in e.Entries)
                {
                    if (entry.GetDatabaseValues() is not { } stored)
                    {
                        throw;
                    }
                    entry.Property(nameof(IVersioned.Version)).OriginalValue = stored[nameof(IVersioned.Version)];
                }
            }
        }
    }

    static bool Unconditional(EntityEntry entry) => entry.Entity is IVersioned { RequiredVersion: null };

    /// <summary>Each changed or deleted versioned row is written against the version it requires (or was read at), one higher.</summary>
    static void Raise(ChangeTracker tracker)
    {
        foreach (var entry in tracker.Entries<IVersioned>())
        {
            if (entry.State is not (EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }
            var version = entry.Property(v => v.Version);
            var expected = entry.Entity.RequiredVersion ?? version.OriginalValue;
            version.OriginalValue = expected;
            if (entry.State == EntityState.Modified)
            {
                version.CurrentValue = expected + 1;
            }
        }
    }
}
