using System.Globalization;

namespace Connectory.Secrets;

/// <summary><c>connectory keys rotate [--resume]</c> and <c>connectory keys status</c>: they use the services of the server's composition root.</summary>
internal static class KeyCommands
{
    /// <summary>Adds a master key (unless --resume), makes it current and re-wraps every stored secret under it.</summary>
    public static async Task<int> RotateAsync(IServiceProvider services, bool resume, TextWriter output, CancellationToken ct = default)
    {
        await MigrateAsync(services, ct);
        var rotation = services.GetRequiredService<KeyRotation>();
        var ring = services.GetRequiredService<MasterKeyRing>();
        if (!resume)
        {
            if (ring.FilePath is null)
            {
                await Console.Error.WriteLineAsync("The master key comes from Secrets:MasterKey, which cannot be rotated online: move it to a key file (Secrets:MasterKeyFile) first.");
                return 1;
            }
            await rotation.AddKeyAsync(output, ct);
        }
        var result = await rotation.RewrapAllAsync(output, ct);
        output.WriteLine($"Re-wrapped {result.Rewrapped} secret(s) under {result.CurrentKeyId} in {result.Passes} pass(es).");
        if (result.Retired.Count > 0)
        {
            output.WriteLine($"Retired (no secret uses them; they may leave the key file): {string.Join(", ", result.Retired)}");
        }
        if (result.Undecryptable > 0)
        {
            output.WriteLine($"{result.Undecryptable} secret(s) did not decrypt and were left as they are: {string.Join(", ", result.UndecryptableIds)}");
            return 1;
        }
        await WriteStatusAsync(rotation, output, ct);
        return 0;
    }

    public static async Task<int> StatusAsync(IServiceProvider services, TextWriter output, CancellationToken ct = default)
    {
        await MigrateAsync(services, ct);
        await WriteStatusAsync(services.GetRequiredService<KeyRotation>(), output, ct);
        return 0;
    }

    static async Task WriteStatusAsync(KeyRotation rotation, TextWriter output, CancellationToken ct)
    {
        var status = await rotation.StatusAsync(ct);
        output.WriteLine($"Master keys from {status.Source}; current key: {status.CurrentKeyId}");
        foreach (var key in status.Keys)
        {
            var state = key.Current ? "current" : key.RetiredAt is { } retired ? $"retired {Stamp(retired)}" : !key.InRing ? "MISSING from the key file" : key.Total > 0 ? "in use" : "unused";
            var counts = string.Join(", ", key.Secrets.Select(s => $"{s.Key}={s.Value}"));
            output.WriteLine($"  {key.KeyId,-20} {state,-32} secrets: {key.Total} ({counts})");
        }
        output.WriteLine($"  secrets under a key not listed: {status.UnderUnknownKeys}");
    }

    /// <summary>The schema the commands read (SQLite is migrated as at start; PostgreSQL only when Database:MigrateAtStart).</summary>
    static async Task MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await Hosting.DatabaseInitializer.MigrateAsync(
            scope.ServiceProvider.GetRequiredService<Data.ConnectoryDb>(),
            scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Data.DatabaseOptions>>().Value,
            scope.ServiceProvider.GetRequiredService<ILogger<Hosting.DatabaseInitializer>>(), ct);
    }

    static string Stamp(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
