using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Tests.Cli;
using Connectory.Tests.DataConnections;

namespace Connectory.Tests.Bundles;

/// <summary>`connectory bundle export` and `bundle import` as an operator runs them, on a real data directory.</summary>
public sealed class BundleCommandTests
{
    const string PasswordCanary = "canary-cli-3e8f11";

    [Fact]
    public async Task ExportThenImportIntoAnotherSpaceDryRunFirstThenIdempotent()
    {
        using var connectory = new CommandLineRunner();
        var bootstrapKey = "bootstrap-" + Guid.NewGuid().ToString("N");
        string sales, connection;
        var (server, address) = await connectory.StartServerAsync("--urls", "http://127.0.0.1:0", $"--Auth:BootstrapApiKey={bootstrapKey}");
        using (server)
        {
            try
            {
                Assert.NotNull(address);
                using var http = new HttpClient { BaseAddress = address };
                http.DefaultRequestHeaders.Authorization = new("Bearer", bootstrapKey);
                async Task<string> Space(string name) =>
                    (await (await http.PostAsJsonAsync("/api/v1/spaces", new { name, type = "shared" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                sales = await Space("Sales");
                await Space("Copy");
                connection = await http.NewConnectionAsync("Warehouse", sales, edit: b => { b["qUsername"] = "reader"; b["qPassword"] = PasswordCanary; });
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }

        using var rsa = RSA.Create(3072);
        var publicKey = Path.Combine(connectory.WorkingDirectory, "recipient.pub.pem");
        var privateKey = Path.Combine(connectory.WorkingDirectory, "recipient.pem");
        await File.WriteAllTextAsync(publicKey, rsa.ExportSubjectPublicKeyInfoPem());
        await File.WriteAllTextAsync(privateKey, rsa.ExportPkcs8PrivateKeyPem());
        var bundleFile = Path.Combine(connectory.WorkingDirectory, "bundle.json");

        var export = (await connectory.RunOnStoreAsync("bundle", "export", "--tenant", "default", "--space", sales, "--recipient", publicKey, "--out", bundleFile)).Exits(0);
        Assert.Contains("exported 1 data connections; secrets sealed for 1", export.Stderr, StringComparison.Ordinal);
        var bundleText = await File.ReadAllTextAsync(bundleFile);
        Assert.DoesNotContain(PasswordCanary, bundleText, StringComparison.Ordinal);
        Assert.Contains(connection, bundleText, StringComparison.Ordinal);

        string[] Import(params string[] extra) => ["bundle", "import", bundleFile, "--tenant", "default", "--space-map", "Sales=Copy", "--key", privateKey, .. extra];
        var plan = (await connectory.RunOnStoreAsync(Import("--dry-run"))).Exits(0);
        Assert.Contains($"wouldCreate: {connection} 'Warehouse' -> space 'Copy'", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("(dry run: nothing changed)", plan.Stdout, StringComparison.Ordinal);

        var done = (await connectory.RunOnStoreAsync(Import())).Exits(0);
        Assert.Contains($"created: {connection} 'Warehouse' -> space 'Copy' as ", done.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain($"as {connection}", done.Stdout, StringComparison.Ordinal); // the id is the original's in this tenant: the copy gets its own
        Assert.DoesNotContain(PasswordCanary, done.Stdout + done.Stderr, StringComparison.Ordinal);

        // The re-run finds the copy with the same password, and changes nothing.
        var again = (await connectory.RunOnStoreAsync(Import())).Exits(0);
        Assert.Contains("unchanged: " + connection, again.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 in bundle: 0 created, 0 updated, 1 unchanged, 0 refused, 0 failed.", again.Stdout, StringComparison.Ordinal);

        // A bundle changed in transit fails the command and changes nothing.
        var tampered = JsonNode.Parse(bundleText)!;
        var sealedPassword = tampered["connections"]![0]!["credential"]!["password"]!.GetValue<string>().Split(':');
        var bytes = Convert.FromBase64String(sealedPassword[2]);
        bytes[^1] ^= 1;
        tampered["connections"]![0]!["credential"]!["password"] = $"{sealedPassword[0]}:{sealedPassword[1]}:{Convert.ToBase64String(bytes)}";
        await File.WriteAllTextAsync(bundleFile, tampered.ToJsonString());
        var refused = (await connectory.RunOnStoreAsync(Import())).Exits(1);
        Assert.Contains("the sealed password does not open", refused.Stderr, StringComparison.Ordinal);

        // Usage errors touch nothing.
        (await connectory.RunOnStoreAsync("bundle", "import", bundleFile, "--tenant", "default", "--space-map", "no-equals-sign")).Exits(1);
        (await CommandLineRunner.RunAsync(["bundle", "export"], connectory.WorkingDirectory)).Exits(2);
    }
}
