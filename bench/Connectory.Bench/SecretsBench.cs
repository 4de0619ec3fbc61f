using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Connectory.Data;
using Connectory.DataCredentials;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Bench;

/// <summary>
/// The cost of secret protection: (a) the product's envelope encryption (<see cref="SecretProtector"/>) per secret,
/// single thread, beside a bare AES-256-GCM seal and open of the same payload as the baseline; (b) the throughput of
/// <c>keys rotate</c> (<see cref="KeyCommands.RotateAsync"/>) over N credentials seeded through the product's model.
/// Prints a markdown table.
/// </summary>
internal static class SecretsBench
{
    const string Payload = "bench-Password!2718281828";

    public static async Task<int> RunAsync(WebApplication app)
    {
        var count = int.Parse(app.Configuration["count"] ?? "100000", CultureInfo.InvariantCulture);
        var ops = int.Parse(app.Configuration["ops"] ?? "200000", CultureInfo.InvariantCulture);

        // The initializer migrates and creates the default tenant (and the master key file) when the app starts.
        await app.StartAsync();
        var protector = app.Services.GetRequiredService<SecretProtector>();
        var context = new SecretContext("bench-tenant", Guid.NewGuid().ToString(), CredentialStore.PasswordField);

        // (a) Per-secret cost, after a warm-up of each loop.
        var stored = protector.Protect(Payload, context);
        Measure(10_000, _ => protector.Protect(Payload, context));
        Measure(10_000, _ => protector.TryUnprotect(stored, context));
        var protect = Measure(ops, _ => protector.Protect(Payload, context));
        var unprotect = Measure(ops, _ =>
        {
            if (protector.TryUnprotect(stored, context) is null)
            {
                throw new InvalidOperationException("did not decrypt");
            }
        });

        var key = RandomNumberGenerator.GetBytes(32);
        var associated = context.AssociatedData();
        using var aes = new AesGcm(key, 16);
        var nonce = new byte[12];
        var tag = new byte[16];
        var cipher = new byte[Encoding.UTF8.GetByteCount(Payload)];
        var clear = new byte[cipher.Length];
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, Encoding.UTF8.GetBytes(Payload), cipher, tag, associated);
        var sealedNonce = nonce.ToArray();
        var sealedCipher = cipher.ToArray();
        var sealedTag = tag.ToArray();
        void BareSeal()
        {
            RandomNumberGenerator.Fill(nonce);
            aes.Encrypt(nonce, Encoding.UTF8.GetBytes(Payload), cipher, tag, associated);
        }
        void BareOpen()
        {
            aes.Decrypt(sealedNonce, sealedCipher, sealedTag, clear, associated);
            _ = Encoding.UTF8.GetString(clear);
        }
        Measure(10_000, _ => BareSeal());
        Measure(10_000, _ => BareOpen());
        var bareSeal = Measure(ops, _ => BareSeal());
        var bareOpen = Measure(ops, _ => BareOpen());

        // (b) Rotation over `count` stored credential passwords.
        var seeding = Stopwatch.StartNew();
        await SeedAsync(app, count);
        seeding.Stop();
        var log = new StringWriter(CultureInfo.InvariantCulture);
        var rotation = Stopwatch.StartNew();
        var exit = await KeyCommands.RotateAsync(app.Services, resume: false, log);
        rotation.Stop();
        var report = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var summary = report.FirstOrDefault(l => l.StartsWith("Re-wrapped ", StringComparison.Ordinal)) ?? "(no summary)";
        var rewrapped = int.Parse(summary.Split(' ')[1], CultureInfo.InvariantCulture);
        if (exit != 0 || rewrapped < count)
        {
            Console.Error.WriteLine($"rotation exited with {exit} after re-wrapping {rewrapped} of {count}:\n{log}");
            return 1;
        }
        // A sample decrypts under the new key: the re-wrapped values are intact.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
            var sample = await db.DataCredentials.IgnoreQueryFilters().AsNoTracking().OrderBy(c => c.Id).Take(100).ToListAsync();
            foreach (var c in sample)
            {
                if (protector.TryUnprotect(c.Password!, new SecretContext(c.TenantId, c.Id, CredentialStore.PasswordField)) != Payload + c.Id[..8])
                {
                    Console.Error.WriteLine($"credential {c.Id} does not decrypt after rotation");
                    return 1;
                }
            }
        }

        var cores = Environment.ProcessorCount;
        Console.WriteLine($"{Environment.OSVersion}, {cores} cores, .NET {Environment.Version}; payload {Payload.Length} bytes; {ops} ops per row, single thread, after 10000 warm-up ops");
        Console.WriteLine();
        Console.WriteLine("| operation | µs/op | ops/s | × bare AES-GCM |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("SecretProtector.Protect (envelope: data key + wrap)", protect, bareSeal);
        Row("SecretProtector.TryUnprotect", unprotect, bareOpen);
        Row("bare AesGcm encrypt (one reused key)", bareSeal, bareSeal);
        Row("bare AesGcm decrypt (one reused key)", bareOpen, bareOpen);
        Console.WriteLine();
        Console.WriteLine("| rotation (`keys rotate`, SQLite) | value |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine($"| stored credential passwords | {count:N0} |");
        Console.WriteLine($"| seeding them through CredentialStore.SetPassword | {seeding.Elapsed.TotalSeconds:F1} s |");
        Console.WriteLine($"| re-wrapped | {rewrapped:N0} |");
        Console.WriteLine($"| total rotation time | {rotation.Elapsed.TotalSeconds:F1} s |");
        Console.WriteLine($"| secrets re-wrapped per second | {rewrapped / rotation.Elapsed.TotalSeconds:N0} |");
        await app.StopAsync();
        return 0;
    }

    /// <summary>Microseconds per call of <paramref name="op"/> over <paramref name="n"/> calls.</summary>
    static double Measure(int n, Action<int> op)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            op(i);
        }
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / n;
    }

    static void Row(string name, double microseconds, double baseline) =>
        Console.WriteLine($"| {name} | {microseconds:F2} | {1_000_000 / microseconds:N0} | {microseconds / baseline:F1} |");

    /// <summary>Credentials of the default tenant's admin, each with its own password, through the product's model and CredentialStore.</summary>
    static async Task SeedAsync(WebApplication app, int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var store = scope.ServiceProvider.GetRequiredService<CredentialStore>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var tenant = await db.Tenants.SingleAsync(t => t.Name == "default");
        var admin = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.TenantId == tenant.Id && u.Subject == "admin");
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var name = $"bench-credential-{i:D7}";
            var credential = new DataCredential
            {
                Id = Guid.NewGuid().ToString(),
                TenantId = tenant.Id,
                OwnerId = admin.Id,
                Name = name,
                NameFold = Connectory.DataConnections.ConnectionFields.Fold(name),
                Type = "QvOdbcConnectorPackage.exe",
                DatasourceId = "postgres",
                Username = "bench",
                CreatedAt = now,
            };
            store.SetPassword(credential, Payload + credential.Id[..8]);
            db.Add(credential);
            if (db.ChangeTracker.Entries().Count() >= 5000)
            {
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }
        await db.SaveChangesAsync();
    }
}
