using System.CommandLine;
using System.Text.Json;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Connectory.Platform.Tenants;
using Connectory.Qrs;

namespace Connectory.Bundles;

/// <summary>What `connectory bundle export` needs.</summary>
internal sealed record BundleExportSettings(string Tenant, string? User, string? Space, string? Filter, string? Ids, string? RecipientFile, string? OutFile);

/// <summary>What `connectory bundle import` needs.</summary>
internal sealed record BundleImportSettings(
    string BundleFile, string Tenant, string? User, string? SpaceMap, string? OwnerMap, string? NameMap, string? KeyFile, bool DryRun);

/// <summary>
/// <c>connectory bundle export|import</c>: the API's actions run on the store directly, as a user of a tenant (by
/// default its first TenantAdmin), under the same access rules. Keys are read from files here and never travel.
/// </summary>
internal static class BundleCommands
{
    static readonly JsonSerializerOptions Indented = new(ErrorJson.Options) { WriteIndented = true };

    /// <summary>The <c>bundle</c> command; <paramref name="runsOnApp"/> gives a subcommand its action on the built app.</summary>
    public static Command Declare(Action<Command, Func<ParseResult, IServiceProvider, Task<int>>> runsOnApp)
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant (id or name)", Required = true };
        var user = new Option<string>("--user") { Description = "Who acts (id or subject; default the tenant's first TenantAdmin)" };
        var space = new Option<string>("--space") { Description = "Export the connections of this space (id)" };
        var filter = new Option<string>("--filter") { Description = "Export the connections a SCIM filter matches: 'qType eq \"rest\"'" };
        var ids = new Option<string>("--ids") { Description = "Export these connections (comma-separated ids)" };
        var recipient = new Option<string>("--recipient") { Description = "The recipient's public key (PEM file, RSA or EC): secrets go sealed to it; without it they stay behind" };
        var output = new Option<string>("--out") { Description = "Write the bundle here (default standard output)" };
        var export = new Command("export", "Write a bundle of a tenant's data connections") { tenant, user, space, filter, ids, recipient, output };
        runsOnApp(export, (parse, services) => ExportAsync(services, new BundleExportSettings(
            parse.GetRequiredValue(tenant), parse.GetValue(user), parse.GetValue(space), parse.GetValue(filter), parse.GetValue(ids), parse.GetValue(recipient), parse.GetValue(output))));

        var bundle = new Argument<string>("BUNDLE") { Description = "The bundle file from 'bundle export'" };
        var importTenant = new Option<string>("--tenant") { Description = "The tenant (id or name)", Required = true };
        var importUser = new Option<string>("--user") { Description = "Who acts (id or subject; default the tenant's first TenantAdmin)" };
        var spaceMap = new Option<string>("--space-map") { Description = "SOURCE=TARGET;... source space (id, name, personal or *) to target space (id, name or personal)" };
        var ownerMap = new Option<string>("--owner-map") { Description = "SOURCE=TARGET;... source owner to target user (id or subject)" };
        var nameMap = new Option<string>("--name-map") { Description = "OLD=NEW;... new names for connections" };
        var key = new Option<string>("--key") { Description = "The recipient's private key (PEM file), to import the sealed secrets" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change, change nothing" };
        var import = new Command("import", "Create or update a bundle's connections in a tenant; a re-run changes nothing")
        {
            bundle, importTenant, importUser, spaceMap, ownerMap, nameMap, key, dryRun,
        };
        runsOnApp(import, (parse, services) => ImportAsync(services, new BundleImportSettings(
            parse.GetRequiredValue(bundle), parse.GetRequiredValue(importTenant), parse.GetValue(importUser), parse.GetValue(spaceMap),
            parse.GetValue(ownerMap), parse.GetValue(nameMap), parse.GetValue(key), parse.GetValue(dryRun)), Console.Out));

        return new Command("bundle", "Bundles of data connections (export, import)") { export, import };
    }

    public static async Task<int> ExportAsync(IServiceProvider services, BundleExportSettings settings)
    {
        string? recipientPem = null;
        if (settings.RecipientFile is not null && ReadFile(settings.RecipientFile, "recipient key", out recipientPem) is { } unreadable)
        {
            return Fail(unreadable);
        }
        await using var scope = services.CreateAsyncScope();
        var (caller, callerError) = await SignInAsync(scope.ServiceProvider, settings.Tenant, settings.User);
        if (caller is null)
        {
            return Fail(callerError!);
        }
        var ids = settings.Ids?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(i => (string?)i).ToList();
        var (bundle, error) = await scope.ServiceProvider.GetRequiredService<BundleExporter>().ExportAsync(
            new ExportSelection(settings.Space, settings.Filter, ids, recipientPem), caller, CancellationToken.None);
        if (bundle is null)
        {
            return Fail(error!.Detail ?? error.Kind.Title);
        }
        var json = JsonSerializer.Serialize(bundle, Indented);
        if (settings.OutFile is null)
        {
            await Console.Out.WriteLineAsync(json);
        }
        else
        {
            await File.WriteAllTextAsync(settings.OutFile, json);
        }
        var sealedCount = bundle.Connections!.Count(c => c!.Credential is not null || c.ConnectionSecret is not null);
        var leftOut = bundle.Connections!.Count(c => c!.SecretsLeftOut == true);
        await Console.Error.WriteLineAsync($"exported {bundle.Connections!.Count} data connections; secrets sealed for {sealedCount}, left out for {leftOut}");
        return 0;
    }

    public static async Task<int> ImportAsync(IServiceProvider services, BundleImportSettings settings, TextWriter output)
    {
        if (ReadFile(settings.BundleFile, "bundle", out var text) is { } unreadable)
        {
            return Fail(unreadable);
        }
        Bundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize<Bundle>(text!, ErrorJson.Options);
        }
        catch (JsonException e)
        {
            return Fail($"'{settings.BundleFile}' is not a bundle: {e.Message}");
        }
        var maps = new Dictionary<string, IReadOnlyDictionary<string, string>?>();
        foreach (var (option, value) in new[] { ("--space-map", settings.SpaceMap), ("--owner-map", settings.OwnerMap), ("--name-map", settings.NameMap) })
        {
            var (map, mapError) = ParseMap(option, value);
            if (mapError is not null)
            {
                return Fail(mapError);
            }
            maps[option] = map;
        }
        BundleKey? key = null;
        if (settings.KeyFile is not null)
        {
            if (ReadFile(settings.KeyFile, "key", out var pem) is { } unreadableKey)
            {
                return Fail(unreadableKey);
            }
            (key, var keyError) = BundleKey.ReadPrivate(pem!);
            if (key is null)
            {
                return Fail($"'{settings.KeyFile}' {keyError}.");
            }
        }
        using var _ = key;
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var (caller, callerError) = await SignInAsync(provider, settings.Tenant, settings.User);
        if (caller is null)
        {
            return Fail(callerError!);
        }
        var (response, error) = await BundlesEndpoints.ImportAsync(
            bundle, new ImportMapping(maps["--space-map"], maps["--owner-map"], maps["--name-map"]), key, settings.DryRun, caller,
            provider.GetRequiredService<BundleReader>(), provider.GetRequiredService<BundleImporter>(), CancellationToken.None);
        if (response is null)
        {
            return Fail(error!.Detail ?? error.Kind.Title);
        }
        foreach (var item in response.connections)
        {
            var place = item.spaceName is null ? "" : $" -> space '{item.spaceName}'";
            var changes = item.changes.Count == 0 ? "" : $" [{string.Join(", ", item.changes)}]";
            var detail = item.detail.Length == 0 ? "" : $" ({item.detail})";
            await output.WriteLineAsync($"{item.outcome}: {item.sourceId} '{item.name}'{place}{(item.id is null ? "" : " as " + item.id)}{changes}{detail}");
        }
        foreach (var source in response.dataSources)
        {
            await output.WriteLineAsync($"{source.Outcome}: data source '{source.Id}' ({source.Detail})");
        }
        var s = response.summary;
        await output.WriteLineAsync($"{response.connections.Count} in bundle: {s.created} {(response.dryRun ? "would create" : "created")}, {s.updated} {(response.dryRun ? "would update" : "updated")}, "
            + $"{s.unchanged} unchanged, {s.refused} refused, {s.failed} failed{(response.dryRun ? " (dry run: nothing changed)" : "")}.");
        return s.refused + s.failed > 0 ? 1 : 0;
    }

    /// <summary><c>SOURCE=TARGET</c> pairs separated by <c>;</c>, or null when the option is absent.</summary>
    static (IReadOnlyDictionary<string, string>? Map, string? Error) ParseMap(string option, string? text)
    {
        if (text is null)
        {
            return (null, null);
        }
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
            {
                return (null, $"{option}: '{pair}' must be SOURCE=TARGET.");
            }
            map[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return (map, null);
    }

    static async Task<(Caller? Caller, string? Error)> SignInAsync(IServiceProvider provider, string tenantRef, string? userRef)
    {
        var tenant = await provider.GetRequiredService<TenantProvisioning>().FindAsync(tenantRef, CancellationToken.None);
        if (tenant is null)
        {
            return (null, $"No tenant '{tenantRef}'.");
        }
        provider.GetRequiredService<TenantScope>().TenantId = tenant.Id;
        var user = await QrsMigration.ImporterAsync(provider.GetRequiredService<ConnectoryDb>(), tenant.Id, userRef, CancellationToken.None);
        if (user is null)
        {
            return (null, userRef is null ? $"Tenant '{tenant.Name}' has no active TenantAdmin to act as; name one with --user." : $"No active user '{userRef}' in tenant '{tenant.Name}'.");
        }
        return (new Caller(tenant.Id, user.Id, user.Subject, user.RoleSet), null);
    }

    static string? ReadFile(string file, string what, out string? text)
    {
        try
        {
            text = File.ReadAllText(file);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            text = null;
            return $"Cannot read the {what} '{file}': {e.Message}";
        }
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
