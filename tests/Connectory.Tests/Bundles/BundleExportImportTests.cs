using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.Secrets;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Bundles;

/// <summary>
/// Export of a space with its secrets sealed to a recipient's key, and import into another tenant's space through the
/// API: remapping, the dry run's diff, idempotent re-runs, and sealed data that does not open.
/// </summary>
public sealed class BundleExportImportTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string PasswordCanary = "canary-password-7f3a9c";
    const string SecretCanary = "canary-secret-5b21e8";

    /// <summary>A source tenant with a space "Sales" of two connections (one with a password and a secret), and one elsewhere.</summary>
    async Task<(TestTenant Tenant, string Sales, string WithSecrets, string Plain, string Elsewhere)> SourceAsync()
    {
        var tenant = await factory.NewTenantAsync();
        var sales = await tenant.NewSpaceAsync("shared", name: "Sales");
        var other = await tenant.NewSpaceAsync("shared", name: "Other");
        var withSecrets = await tenant.Admin.NewConnectionAsync("Warehouse", sales, edit: b =>
        {
            b["qUsername"] = "reader";
            b["qPassword"] = PasswordCanary;
            b["qConnectionSecret"] = SecretCanary;
            b["tags"] = new[] { "finance", "daily" };
        });
        var plain = await tenant.Admin.NewConnectionAsync("Catalog", sales, statement: ConnectionApi.RestStatement("catalog.example.test"));
        var elsewhere = await tenant.Admin.NewConnectionAsync("Elsewhere", other);
        var disabled = await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/postgres/settings", new { disabled = true });
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        return (tenant, sales, withSecrets, plain, elsewhere);
    }

    async Task<string?> StoredPasswordAsync(string tenantId, string connectionId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var connection = await db.DataConnections.IgnoreQueryFilters().SingleAsync(c => c.TenantId == tenantId && c.Id == connectionId);
        if (connection.CredentialId is null)
        {
            return null;
        }
        var credential = await db.DataCredentials.IgnoreQueryFilters().SingleAsync(c => c.TenantId == tenantId && c.Id == connection.CredentialId);
        return credential.Password is null ? null
            : scope.ServiceProvider.GetRequiredService<SecretProtector>().TryUnprotect(credential.Password, new SecretContext(tenantId, credential.Id, "password"));
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    [InlineData("x25519")]
    public async Task ASpaceSealedToAKeyImportsIntoAnotherTenantRemappedOnceAndThenUnchanged(string keyKind)
    {
        var (source, sales, withSecrets, plain, elsewhere) = await SourceAsync();
        var (publicPem, privatePem) = keyKind switch { "rsa" => BundleApi.RsaKeyPair(), "ec" => BundleApi.EcKeyPair(), _ => BundleApi.X25519KeyPair() };

        var bundle = await source.Admin.ExportBundleAsync(new { spaceId = sales, recipientPublicKey = publicPem });
        var text = bundle.ToJsonString();
        Assert.DoesNotContain(PasswordCanary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCanary, text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"reader\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(elsewhere, text, StringComparison.Ordinal);
        Assert.Equal("connectory-bundle", bundle["format"]!.GetValue<string>());
        var algorithm = keyKind switch { "rsa" => "RSA-OAEP-256+A256GCM", "ec" => "ECDH-ES+HKDF-SHA256+A256GCM", _ => "X25519+HKDF-SHA256+A256GCM" };
        Assert.Equal(algorithm, bundle["recipient"]!["algorithm"]!.GetValue<string>());
        var entries = bundle["connections"]!.AsArray();
        Assert.Equal(new[] { plain, withSecrets }.Order(), entries.Select(e => e!["id"]!.GetValue<string>()).Order());
        var sealedEntry = entries.Single(e => e!["id"]!.GetValue<string>() == withSecrets)!;
        Assert.StartsWith("v1:", sealedEntry["credential"]!["password"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("v1:", sealedEntry["connectionSecret"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(bundle["dataSources"]!.AsArray(), d => d!["id"]!.GetValue<string>() == "postgres" && d["disabled"]!.GetValue<bool>());

        var target = await factory.NewTenantAsync();
        var finance = await target.NewSpaceAsync("shared", name: "Finance");
        object Request(bool dryRun) => new
        {
            bundle,
            dryRun,
            spaceMap = new Dictionary<string, string> { ["Sales"] = "Finance" },
            nameMap = new Dictionary<string, string> { ["Warehouse"] = "Warehouse EU" },
            privateKey = privatePem,
        };

        // The dry run: the diff, and nothing changes.
        var plan = await target.Admin.ImportOkAsync(Request(dryRun: true));
        Assert.True(plan.GetProperty("dryRun").GetBoolean());
        Assert.Equal(new Dictionary<string, string> { ["Warehouse EU"] = "wouldCreate", ["Catalog"] = "wouldCreate" }, plan.Outcomes());
        Assert.Equal("wouldUpdate", plan.GetProperty("dataSources").EnumerateArray().Single(d => d.Str("id") == "postgres").Str("outcome"));
        Assert.Equal(0, (await target.Admin.ListAsync($"spaceId={finance}&noDatafiles=true")).GetProperty("data").GetArrayLength());
        Assert.False((await target.Admin.GetAsync("/api/v1/data-sources/postgres/settings").JsonAsync()).GetProperty("disabled").GetBoolean());

        var done = await target.Admin.ImportOkAsync(Request(dryRun: false));
        Assert.Equal(new Dictionary<string, string> { ["Warehouse EU"] = "created", ["Catalog"] = "created" }, done.Outcomes());
        Assert.Equal(2, done.Summary("created"));
        Assert.True((await target.Admin.GetAsync("/api/v1/data-sources/postgres/settings").JsonAsync()).GetProperty("disabled").GetBoolean());
        var imported = await target.Admin.GetConnectionAsync(withSecrets);
        Assert.Equal("Warehouse EU", imported.Str("qName"));
        Assert.Equal(finance, imported.Str("space"));
        Assert.Equal(target.AdminUserId, imported.Str("user"));
        Assert.Equal(SecretCanary, imported.Str("qConnectionSecret"));
        Assert.Equal(["daily", "finance"], imported.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.Equal(PasswordCanary, await StoredPasswordAsync(target.Id, withSecrets));

        // A re-run with the same bundle changes nothing and says so.
        var again = await target.Admin.ImportOkAsync(Request(dryRun: false));
        Assert.Equal(new Dictionary<string, string> { ["Warehouse EU"] = "unchanged", ["Catalog"] = "unchanged" }, again.Outcomes());
        Assert.Equal("unchanged", again.GetProperty("dataSources").EnumerateArray().Single(d => d.Str("id") == "postgres").Str("outcome"));
        Assert.Equal(2, (await target.Admin.ListAsync($"spaceId={finance}&noDatafiles=true")).GetProperty("data").GetArrayLength());

        // A change in the target shows in the diff, and the import puts it back.
        var patched = await target.Admin.PatchConnectionAsync(plain, new[] { new { op = "replace", path = "/tags", value = new[] { "local" } } });
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        var diff = await target.Admin.ImportOkAsync(Request(dryRun: true));
        var catalogDiff = diff.GetProperty("connections").EnumerateArray().Single(c => c.Str("name") == "Catalog");
        Assert.Equal("wouldUpdate", catalogDiff.Str("outcome"));
        Assert.Equal(["tags"], catalogDiff.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("unchanged", diff.Outcomes()["Warehouse EU"]);
        Assert.Equal("updated", (await target.Admin.ImportOkAsync(Request(dryRun: false))).Outcomes()["Catalog"]);
        Assert.Equal("unchanged", (await target.Admin.ImportOkAsync(Request(dryRun: false))).Outcomes()["Catalog"]);

        // The source is untouched.
        Assert.Equal("Warehouse", (await source.Admin.GetConnectionAsync(withSecrets)).Str("qName"));
    }

    [Fact]
    public async Task WithoutThePrivateKeyConnectionsComeWithoutTheirSecrets()
    {
        var (source, sales, withSecrets, _, _) = await SourceAsync();
        var (publicPem, _) = BundleApi.RsaKeyPair();
        var bundle = await source.Admin.ExportBundleAsync(new { spaceId = sales, recipientPublicKey = publicPem });
        var target = await factory.NewTenantAsync();
        await target.NewSpaceAsync("shared", name: "Sales");

        var result = await target.Admin.ImportOkAsync(new { bundle });
        var item = result.GetProperty("connections").EnumerateArray().Single(c => c.Str("sourceId") == withSecrets);
        Assert.Equal("created", item.Str("outcome"));
        Assert.Contains("secrets left out", item.Str("detail"), StringComparison.Ordinal);
        var imported = await target.Admin.GetConnectionAsync(withSecrets);
        Assert.False(imported.TryGetProperty("qConnectionSecret", out var secret) && secret.ValueKind == JsonValueKind.String);
        Assert.Null(await StoredPasswordAsync(target.Id, withSecrets));
        Assert.Equal("unchanged", (await target.Admin.ImportOkAsync(new { bundle })).Outcomes()["Warehouse"]);

        // Without a recipient the export leaves the secrets out and says so per connection.
        var bare = await source.Admin.ExportBundleAsync(new { spaceId = sales });
        Assert.Null(bare["recipient"]);
        var bareEntry = bare["connections"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == withSecrets)!;
        Assert.True(bareEntry["secretsLeftOut"]!.GetValue<bool>());
        Assert.Null(bareEntry["credential"]);
        Assert.DoesNotContain(PasswordCanary, bare.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SealedDataThatDoesNotOpenRefusesTheWholeImport()
    {
        var (source, sales, withSecrets, plain, _) = await SourceAsync();
        var (publicPem, privatePem) = BundleApi.RsaKeyPair();
        var target = await factory.NewTenantAsync();
        await target.NewSpaceAsync("shared", name: "Sales");

        async Task RefusedAsync(JsonObject bundle, string expected, string? key = null)
        {
            var error = await ApiAssert.ErrorAsync(await target.Admin.ImportAsync(new { bundle, privateKey = key ?? privatePem }), HttpStatusCode.BadRequest);
            Assert.Contains(expected, error.Str("detail"), StringComparison.Ordinal);
            Assert.Equal(0, (await target.Admin.ListAsync("noDatafiles=true")).GetProperty("data").GetArrayLength());
        }
        JsonObject Fresh(JsonObject bundle) => (JsonObject)JsonNode.Parse(bundle.ToJsonString())!;
        var bundle = await source.Admin.ExportBundleAsync(new { spaceId = sales, recipientPublicKey = publicPem });
        JsonObject Entry(JsonObject b, string id) => (JsonObject)b["connections"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == id)!;

        // One bit of the ciphertext changed.
        var flipped = Fresh(bundle);
        var password = Entry(flipped, withSecrets)["credential"]!["password"]!.GetValue<string>().Split(':');
        var bytes = Convert.FromBase64String(password[2]);
        bytes[^1] ^= 1;
        Entry(flipped, withSecrets)["credential"]!["password"] = $"{password[0]}:{password[1]}:{Convert.ToBase64String(bytes)}";
        await RefusedAsync(flipped, "the sealed password does not open");

        // A sealed value moved to another connection, or the connection's id changed.
        var moved = Fresh(bundle);
        Entry(moved, plain)["connectionSecret"] = Entry(moved, withSecrets)["connectionSecret"]!.GetValue<string>();
        await RefusedAsync(moved, "the sealed connectionSecret does not open");

        // Another key pair: named by its fingerprint before anything is opened.
        var (_, otherPrivate) = BundleApi.RsaKeyPair();
        await RefusedAsync(Fresh(bundle), "is not the key the bundle's secrets are sealed to", otherPrivate);

        // A plaintext where a sealed value belongs is refused even without a key.
        var plaintext = Fresh(bundle);
        Entry(plaintext, withSecrets)["credential"]!["password"] = "hunter2";
        var error = await ApiAssert.ErrorAsync(await target.Admin.ImportAsync(new { bundle = plaintext }), HttpStatusCode.BadRequest);
        Assert.Contains("password is not a sealed value", error.Str("detail"), StringComparison.Ordinal);

        // The untouched bundle imports.
        Assert.Equal(2, (await target.Admin.ImportOkAsync(new { bundle, privateKey = privatePem })).Summary("created"));
    }

    [Fact]
    public async Task BadInputIsA400InTheCloudShape()
    {
        var tenant = await factory.NewTenantAsync();
        var (_, privatePem) = BundleApi.RsaKeyPair();
        async Task<string> Bad(Task<HttpResponseMessage> response) => (await ApiAssert.ErrorAsync(await response, HttpStatusCode.BadRequest)).Str("detail");

        Assert.Contains("private key", await Bad(tenant.Admin.ExportAsync(new { recipientPublicKey = privatePem })), StringComparison.Ordinal);
        Assert.Contains("recipientPublicKey", await Bad(tenant.Admin.ExportAsync(new { recipientPublicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" })), StringComparison.Ordinal);
        using (var small = System.Security.Cryptography.RSA.Create(1024))
        {
            Assert.Contains("under 2048 bits", await Bad(tenant.Admin.ExportAsync(new { recipientPublicKey = small.ExportSubjectPublicKeyInfoPem() })), StringComparison.Ordinal);
        }
        Assert.Contains("filter", await Bad(tenant.Admin.ExportAsync(new { filter = "qName eq" })), StringComparison.Ordinal);
        Assert.Contains("ids", await Bad(tenant.Admin.ExportAsync(new { ids = new string?[] { null } })), StringComparison.Ordinal);
        Assert.Contains("bundle", await Bad(tenant.Admin.ImportAsync(new { })), StringComparison.Ordinal);
        Assert.Contains("connectory-bundle", await Bad(tenant.Admin.ImportAsync(new { bundle = new { format = "other", version = 1, connections = Array.Empty<object>() } })), StringComparison.Ordinal);
        Assert.Contains("privateKey", await Bad(tenant.Admin.ImportAsync(new { bundle = new { format = "connectory-bundle", version = 1, connections = Array.Empty<object>() }, privateKey = "not a key" })), StringComparison.Ordinal);
        var notJson = await tenant.Admin.PostAsync(BundleApi.ImportPath, new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        await ApiAssert.ErrorAsync(notJson, HttpStatusCode.BadRequest);

        // A damaged entry is refused alone; the others import.
        var result = await tenant.Admin.ImportOkAsync(new
        {
            bundle = new
            {
                format = "connectory-bundle",
                version = 1,
                connections = new object?[]
                {
                    null,
                    new { id = "not-a-uuid", name = "x", type = "t", connectStatement = "c" },
                    new { id = Guid.NewGuid().ToString(), name = "Fine", type = "QvRestConnector.exe", datasourceID = "rest", connectStatement = ConnectionApi.RestStatement() },
                },
            },
        });
        Assert.Equal(2, result.Summary("refused"));
        Assert.Equal(1, result.Summary("created"));
    }
}
