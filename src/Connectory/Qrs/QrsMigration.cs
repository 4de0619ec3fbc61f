using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Bundles;
using Connectory.Data;
using Connectory.Platform.Auth;
using Connectory.Platform.Tenants;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Qrs;

/// <summary>What `connectory qrs export` needs (see docs/qrs.md, "Migrating to Cloud spaces").</summary>
internal sealed record QrsExportSettings(
    Uri From, string CertificateFile, string? KeyFile, string? Password, string? CaFile, string UserHeader, string? KeyOutFile);

/// <summary>What `connectory import` needs.</summary>
internal sealed record QrsImportSettings(string BundleFile, string Tenant, string SpaceMap, string? KeyFile, string? User, bool DryRun);

/// <summary>
/// Moves data connections from a QRS (Qlik Sense Enterprise on Windows, or this service's /qrs face) into Cloud
/// spaces: export reads them over HTTPS with a client certificate into a versioned JSON bundle; import plans and
/// creates them in a tenant through the same writes the Cloud API uses.
/// </summary>
internal static class QrsMigration
{
    public const string BundleFormat = "connectory-qrs-bundle";
    public const int BundleVersion = 1;
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    public const string DefaultUserHeader = "UserDirectory=INTERNAL; UserId=sa_repository";

    /// <summary>QRS types whose connections point at the Windows server itself (a folder path, a DSN, an OLE DB provider), which a Cloud space cannot reach.</summary>
    public static readonly IReadOnlySet<string> UnsupportedTypes = new HashSet<string>(["folder", "ODBC", "OLEDB"], StringComparer.OrdinalIgnoreCase);

    // ---- command line ----

    public static async Task<int> ExportCommandAsync(QrsExportSettings settings)
    {
        await using var stdout = Console.OpenStandardOutput();
        var (exported, error) = await ExportAsync(settings, stdout, CancellationToken.None);
        if (error is not null)
        {
            return Fail(error);
        }
        Console.Error.WriteLine(exported);
        return 0;
    }

    public static async Task<int> ImportCommandAsync(IServiceProvider services, QrsImportSettings settings)
    {
        var (report, error) = await ImportAsync(services, settings, Console.Out, CancellationToken.None);
        return error is not null ? Fail(error) : report!.Failed > 0 ? 1 : 0;
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }

    // ---- export ----

    /// <summary>Writes the bundle to <paramref name="output"/>; returns a one-line summary, or an error and writes nothing.</summary>
    public static async Task<(string? Summary, string? Error)> ExportAsync(QrsExportSettings settings, Stream output, CancellationToken ct)
    {
        X509Certificate2 certificate;
        X509Certificate2Collection authorities = [];
        try
        {
            certificate = LoadClientCertificate(settings);
            if (!string.IsNullOrEmpty(settings.CaFile))
            {
                authorities = LoadCertificates(settings.CaFile);
            }
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (null, $"Cannot read the certificates: {e.Message}");
        }
        using var _ = certificate;
        using var exportKey = settings.KeyOutFile is null ? null : RSA.Create(3072);
        using var handler = new HttpClientHandler { ClientCertificateOptions = ClientCertificateOption.Manual };
        handler.ClientCertificates.Add(certificate);
        if (authorities.Count > 0)
        {
            handler.ServerCertificateCustomValidationCallback = (_, server, _, errors) => server is not null && TrustsServer(server, errors, authorities);
        }
        using var http = new HttpClient(handler);
        var xrfkey = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16);
        var url = new Uri(settings.From.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/qrs/dataconnection/full?xrfkey=" + xrfkey);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Qlik-Xrfkey", xrfkey);
        request.Headers.Add(QrsGate.UserHeader, settings.UserHeader);
        if (exportKey is not null)
        {
            request.Headers.Add(QrsPasswordEnvelope.Header, QrsPasswordEnvelope.PublicKeyHeader(exportKey));
        }
        JsonArray connections;
        bool passwordsIncluded;
        try
        {
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"QRS answered {(int)response.StatusCode}: {Shorten(body)}");
            }
            if (JsonNode.Parse(body) is not JsonArray array)
            {
                return (null, "QRS did not answer a list of data connections.");
            }
            connections = array;
            passwordsIncluded = response.Headers.TryGetValues(QrsPasswordEnvelope.IncludedHeader, out var included) && included.Contains("included");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
        {
            return (null, $"Cannot read {url.GetLeftPart(UriPartial.Path)}: {e.Message}");
        }
        var withPasswords = connections.Count(c => c is JsonObject o && o["passwordEncrypted"] is JsonValue);
        var bundle = new JsonObject
        {
            ["format"] = BundleFormat,
            ["version"] = BundleVersion,
            ["exportedAt"] = DateTime.UtcNow.ToRfc3339(),
            ["source"] = settings.From.GetLeftPart(UriPartial.Path),
            ["passwordKey"] = passwordsIncluded && exportKey is not null
                ? new JsonObject { ["algorithm"] = QrsPasswordEnvelope.Algorithm, ["fingerprint"] = QrsPasswordEnvelope.Fingerprint(exportKey) }
                : null,
            ["connections"] = connections,
        };
        if (passwordsIncluded && exportKey is not null)
        {
            // The private key goes to its own file that only the current user may read; the bundle never holds it.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            try
            {
                await using var keyFile = new FileStream(settings.KeyOutFile!, options);
                await keyFile.WriteAsync(Encoding.ASCII.GetBytes(exportKey.ExportPkcs8PrivateKeyPem()), ct);
            }
            catch (IOException e)
            {
                return (null, $"Cannot write the key file (it must not exist yet): {e.Message}");
            }
        }
        await JsonSerializer.SerializeAsync(output, bundle, Indented, ct);
        var passwordNote = settings.KeyOutFile is null ? "passwords not requested (no --key-out)"
            : passwordsIncluded ? $"{withPasswords} passwords sealed to the key in {settings.KeyOutFile}"
            : "the server did not return passwords (Qrs:ExportPasswords off, or not a client-certificate sign-in); no key file written";
        return ($"exported {connections.Count} data connections; {passwordNote}", null);
    }

    static X509Certificate2 LoadClientCertificate(QrsExportSettings settings)
    {
        var file = settings.CertificateFile;
        if (File.ReadAllText(file).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            using var pem = string.IsNullOrEmpty(settings.Password)
                ? X509Certificate2.CreateFromPemFile(file, settings.KeyFile)
                : X509Certificate2.CreateFromEncryptedPemFile(file, settings.Password, settings.KeyFile);
            // TLS on Linux needs the key in a PKCS#12-backed certificate; a PEM-loaded one is ephemeral.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        return X509CertificateLoader.LoadPkcs12FromFile(file, settings.Password);
    }

    static X509Certificate2Collection LoadCertificates(string file)
    {
        var text = File.ReadAllText(file);
        X509Certificate2Collection certificates = [];
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            certificates.ImportFromPem(text);
        }
        else
        {
            certificates.Add(X509CertificateLoader.LoadCertificateFromFile(file));
        }
        return certificates.Count > 0 ? certificates : throw new CryptographicException($"'{file}' holds no certificate.");
    }

    /// <summary>The server's certificate must name the host and chain to the given authority.</summary>
    static bool TrustsServer(X509Certificate2 server, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }

    static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    // ---- import ----

    /// <summary>What happened to each bundle entry.</summary>
    internal sealed record ImportLine(string SourceId, string Name, string Outcome, string? TargetId, string? Space, string Detail);

    internal sealed class ImportReport
    {
        public List<ImportLine> Lines { get; } = [];
        public int Created => Lines.Count(l => l.Outcome is "created" or "would create");
        public int Skipped => Lines.Count(l => l.Outcome == "skipped");
        public int Failed => Lines.Count(l => l.Outcome == "failed");
    }

    /// <summary>Plans every entry, and unless <see cref="QrsImportSettings.DryRun"/> creates the planned ones; writes one report line per entry.</summary>
    public static async Task<(ImportReport? Report, string? Error)> ImportAsync(IServiceProvider services, QrsImportSettings settings, TextWriter output, CancellationToken ct)
    {
        JsonNode? bundle;
        try
        {
            bundle = JsonNode.Parse(await File.ReadAllTextAsync(settings.BundleFile, ct));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return (null, $"Cannot read the bundle '{settings.BundleFile}': {e.Message}");
        }
        if (bundle is not JsonObject || Text(bundle["format"]) != BundleFormat || Int(bundle["version"]) != BundleVersion || bundle["connections"] is not JsonArray entries)
        {
            return (null, $"'{settings.BundleFile}' is not a {BundleFormat} of version {BundleVersion}.");
        }
        var spaceMapText = File.Exists(settings.SpaceMap) ? await File.ReadAllTextAsync(settings.SpaceMap, ct) : settings.SpaceMap;
        var (map, mapError) = QrsSpaceMap.Parse(spaceMapText);
        if (map is null)
        {
            return (null, mapError);
        }
        using var privateKey = settings.KeyFile is null ? null : RSA.Create();
        if (privateKey is not null)
        {
            try
            {
                privateKey.ImportFromPem(await File.ReadAllTextAsync(settings.KeyFile!, ct));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
            {
                return (null, $"Cannot read the key '{settings.KeyFile}': {e.Message}");
            }
            if (Text((bundle["passwordKey"] as JsonObject)?["fingerprint"]) is { } fingerprint && fingerprint != QrsPasswordEnvelope.Fingerprint(privateKey))
            {
                return (null, $"The key '{settings.KeyFile}' is not the one the bundle's passwords are sealed to.");
            }
        }

        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var db = provider.GetRequiredService<ConnectoryDb>();
        var tenant = await provider.GetRequiredService<TenantProvisioning>().FindAsync(settings.Tenant, ct);
        if (tenant is null)
        {
            return (null, $"No tenant '{settings.Tenant}'.");
        }
        provider.GetRequiredService<TenantScope>().TenantId = tenant.Id;
        var importer = await ImporterAsync(db, tenant.Id, settings.User, ct);
        if (importer is null)
        {
            return (null, settings.User is null ? $"Tenant '{tenant.Name}' has no active TenantAdmin to import as; name one with --user." : $"No active user '{settings.User}' in tenant '{tenant.Name}'.");
        }
        var caller = new Caller(tenant.Id, importer.Id, importer.Subject, importer.RoleSet);

        // Each entry becomes an item of the bundles' import engine, which matches, creates and reports it.
        var items = new List<ImportItem>();
        foreach (var entry in entries)
        {
            items.Add(await ItemOfAsync(entry as JsonObject, map, privateKey, importer, db, ct));
        }
        var results = await provider.GetRequiredService<BundleImporter>().ImportAsync(items, ImportPolicy.QrsMigration, caller, settings.DryRun, ct);
        var report = new ImportReport();
        foreach (var result in results)
        {
            var line = LineOf(result);
            report.Lines.Add(line);
            await output.WriteLineAsync(Describe(line));
        }
        var verb = settings.DryRun ? "would create" : "created";
        await output.WriteLineAsync($"{entries.Count} in bundle: {report.Created} {verb}, {report.Skipped} skipped, {report.Failed} failed{(settings.DryRun ? " (dry run: nothing changed)" : "")}.");
        return (report, null);
    }

    /// <summary>A QRS entry as an import item: its space from the space map, its owner if a user of the tenant, its password opened.</summary>
    static async Task<ImportItem> ItemOfAsync(JsonObject? entry, QrsSpaceMap map, RSA? privateKey, User importer, ConnectoryDb db, CancellationToken ct)
    {
        var sourceId = Text(entry?["id"]) ?? "";
        var name = Text(entry?["name"]) ?? "";
        var type = Text(entry?["type"]);
        var statement = Text(entry?["connectionstring"]);
        ImportItem Skip(string why, bool failure = false) => new() { SourceId = sourceId, Name = name, Refusal = new ImportRefusal(ImportRefusalKind.Source, why, failure) };
        if (entry is null || !Guid.TryParse(sourceId, out var sourceGuid) || string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(type) || string.IsNullOrEmpty(statement))
        {
            return Skip("invalid entry: id (a GUID), name, type and connectionstring are required");
        }
        sourceId = sourceGuid.ToString();
        if (UnsupportedTypes.Contains(type))
        {
            return Skip($"unsupported type '{type}': it points at the Windows server, which a Cloud space cannot reach");
        }
        var tags = entry["tags"] is JsonArray tagArray ? tagArray.Select(t => Text((t as JsonObject)?["name"])).OfType<string>().ToList() : [];
        var ownerDirectory = Text((entry["owner"] as JsonObject)?["userDirectory"]);
        var ownerId = Text((entry["owner"] as JsonObject)?["userId"]);
        var ownerSubject = ownerDirectory is not null && ownerId is not null ? ownerDirectory + "\\" + ownerId : null;
        var spaceRef = map.SpaceFor(name, type, ownerSubject, tags);
        if (spaceRef is null)
        {
            return Skip("unmapped space: no rule of the space map matches");
        }
        string? password = null;
        var notes = new List<string>();
        if (Text(entry["passwordEncrypted"]) is { } sealedPassword)
        {
            if (privateKey is null)
            {
                notes.Add("password not carried (no --key)");
            }
            else if (QrsPasswordEnvelope.Open(privateKey, sealedPassword, sourceId) is { } opened)
            {
                password = opened;
                notes.Add("password carried");
            }
            else
            {
                return Skip("the sealed password does not open with the given key", failure: true) with { TargetSpace = spaceRef };
            }
        }
        var owner = ownerSubject is null ? null
            : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Subject == QrsView.SubjectOf(ownerDirectory!, ownerId!) && u.Status == UserStatus.Active, ct);
        notes.Add(owner is null ? $"owner {importer.Subject} (QRS owner {ownerSubject ?? "none"} is not a user of the tenant)" : $"owner {owner.Subject}");
        var username = Text(entry["username"]);
        return new ImportItem
        {
            // The QRS id is kept (ids are per tenant), so a re-run recognises the entry.
            SourceId = sourceId,
            Name = name,
            Type = type,
            DatasourceId = type.Trim(),
            Statement = statement,
            TargetSpace = spaceRef,
            OwnerId = owner?.Id,
            LogOn = Int(entry["logOn"]) == 1 ? 1 : 0,
            Architecture = QrsView.ToCloudArchitecture(Int(entry["architecture"]) ?? 0),
            Tags = tags,
            Username = string.IsNullOrEmpty(username) ? null : username,
            Password = password,
            Notes = notes,
        };
    }

    /// <summary>The engine's result in the words this command has always printed.</summary>
    static ImportLine LineOf(ImportResult result)
    {
        var (item, space) = (result.Item, result.SpaceName);
        ImportLine Skipped(string why) => new(item.SourceId, item.Name, "skipped", result.TargetId, space, why);
        return result.Outcome switch
        {
            ImportOutcome.Created => new(item.SourceId, item.Name, result.DryRun ? "would create" : "created", result.TargetId, space, result.Detail),
            ImportOutcome.Unchanged or ImportOutcome.Updated => Skipped(result.Detail),
            ImportOutcome.Failed => new(item.SourceId, item.Name, "failed", null, space, result.Detail),
            _ => result.RefusalKind switch
            {
                ImportRefusalKind.NoSpace => Skipped($"unmapped space: the space map names '{item.TargetSpace}', which is not a space of the tenant"),
                ImportRefusalKind.NameTaken or ImportRefusalKind.DuplicateInImport => Skipped("name clash: " + result.Detail.Replace(" (from this import)", "", StringComparison.Ordinal)),
                ImportRefusalKind.Source => Skipped(result.Detail),
                _ => new(item.SourceId, item.Name, "failed", null, space, result.Detail),
            },
        };
    }

    static string Describe(ImportLine line) => line.Outcome switch
    {
        "created" or "would create" => $"{line.Outcome}: {line.SourceId} '{line.Name}' -> space '{line.Space}' as {line.TargetId} ({line.Detail})",
        _ => $"{line.Outcome}: {line.SourceId} '{line.Name}': {line.Detail}",
    };

    static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    static int? Int(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    /// <summary>Who an admin command acts as: the named active user, or the tenant's first active TenantAdmin.</summary>
    internal static async Task<User?> ImporterAsync(ConnectoryDb db, string tenantId, string? userRef, CancellationToken ct)
    {
        if (userRef is not null)
        {
            return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => (u.Id == userRef || u.Subject == userRef) && u.Status == UserStatus.Active, ct);
        }
        var admins = await db.Users.AsNoTracking().Where(u => u.Status == UserStatus.Active && u.Roles.Contains(TenantRoles.TenantAdmin)).OrderBy(u => u.CreatedAt).ToListAsync(ct);
        return admins.FirstOrDefault(u => u.IsTenantAdmin());
    }

    static bool IsTenantAdmin(this User user) => user.RoleSet.Contains(TenantRoles.TenantAdmin);
}
