using Connectory.ApiDocuments;
using Connectory.Bundles;
using Connectory.ConnectionTesting;
using Connectory.Platform.RateLimits;
using Connectory.Platform.Namespaces;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.DataSources;
using Connectory.Dcaas;
using Connectory.Errors;
using Connectory.Platform.ApiKeys;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Connectory.Platform.Groups;
using Connectory.Platform.Paging;
using Connectory.Platform.Spaces;
using Connectory.Platform.Tenants;
using Connectory.Platform.Users;
using Connectory.Qrs;
using Connectory.Resolving;
using Connectory.Secrets;
using Connectory.Hosting.Telemetry;
using Connectory.WebConsole;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Connectory.Hosting;

/// <summary>The one composition root: the server, the admin commands and the tests all build the app here.</summary>
internal static class ConnectoryApp
{
    public const string DefaultUrls = "http://127.0.0.1:5080";
    public const string DataProtectionKeys = "dataprotection-keys";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // Defaults sit below every other source, so --urls, ASPNETCORE_URLS and test hosts all override them.
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new("urls", DefaultUrls)],
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            RequestLimits.Apply(k.Limits);
            k.AddServerHeader = false;
            k.ConfigureEndpointDefaults(EarlyErrorBodies.Use);
        });
        builder.Logging.AddConnectoryConsole(builder.Configuration);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddErrorHandling();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = ErrorJson.Options.Encoder);
        services.AddConnectoryDatabase(builder.Configuration);
        // Only the framework's own antiforgery/auth plumbing uses data protection; keep its keys with the data, owner-only.
        var dataProtectionKeys = new DataDirectory(builder.Configuration).File(DataProtectionKeys);
        OwnerOnly.EnsureDirectory(dataProtectionKeys);
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(dataProtectionKeys));
        services.AddSingleton<IFileSystem>(LocalFileSystem.Instance);
        services.AddSingleton<SecretFile>();
        services.AddSingleton<DataFileModes>();
        services.AddConnectoryAuth();
        services.AddSettings<ApiKeyOptions>(ApiKeyOptions.Section)
            .Validate(o => o.DefaultExpiry > TimeSpan.Zero && o.DefaultExpiry <= o.MaxExpiry, "ApiKeys:DefaultExpiry must be positive and at most ApiKeys:MaxExpiry.")
            .Validate(o => o.MaxKeysPerUser >= 1, "ApiKeys:MaxKeysPerUser must be at least 1 (a new tenant's admin gets a key).")
            .ValidateOnStart();
        services.AddScoped<ApiKeyIssuer>();
        services.AddScoped<TenantProvisioning>();
        services.AddSecrets();
        services.AddPaging();
        services.AddDataConnections();
        services.AddBundles();
        services.AddDataCredentials();
        services.AddQrs();
        services.AddDataSources();
        services.AddDcaas();
        services.AddResolving();
        services.AddConnectionTesting();
        services.AddAuditTrail();
        services.AddRateTiers();
        services.AddConnectoryTelemetry(builder.Configuration);
        services.AddApiDocuments();
        services.AddHostedService<DatabaseInitializer>();
        services.AddReadiness();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        SettingsCheck.WarnAtStart(app.Services);
        // Outermost: it sees the status the error handling wrote.
        app.UseAccessLog();
        app.UseErrorHandling();
        app.UseNoStore();
        app.UseQueryStringLimit();
        app.UseNulCharacterCheck();
        app.UseXrfkeyCheck();
        app.UseAuthentication();
        app.UseAuthorization();
        // After sign-in: limits are per user.
        app.UseRateLimiter();
        app.UseRateTierHeaders();

        app.MapHealth();
        app.MapConnectoryMetrics();
        app.MapUsers();
        app.MapApiKeys();
        app.MapSpaces();
        app.MapGroups();
        // One set of handlers, mapped once per namespace Qlik serves them under.
        foreach (var ns in ApiNamespace.All)
        {
            app.MapDataConnections(ns).MapConnectionTests();
            app.MapDataCredentials(ns);
            app.MapDataSources(ns);
        }
        app.MapBundles();
        app.MapQrs();
        app.MapDcaas();
        app.MapResolving();
        app.MapAudits();
        app.MapApiDocuments();
        app.MapConsole();
        // Unknown paths anywhere under /api/v1/dcaas answer in the DCaaS shape, as its routes do.
        app.MapGroup("/api/v1/dcaas").RequireAuthorization().WithErrorFamily(ErrorFamilies.Dcaas);

        app.Lifetime.ApplicationStarted.Register(() => PrintBanner(app));
        return app;
    }

    static void PrintBanner(WebApplication app)
    {
        var addresses = app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var url = addresses?.FirstOrDefault() ?? DefaultUrls;
        var keyFile = app.Services.GetRequiredService<DataDirectory>().File(DatabaseInitializer.BootstrapKeyFile);
        Console.WriteLine($"Connectory is listening on {string.Join(", ", addresses ?? [url])}");
        Console.WriteLine(File.Exists(keyFile)
            ? $"Authenticate with the bootstrap admin key: curl -H \"Authorization: Bearer $(cat {keyFile})\" {url}/api/v1/users/me"
            : $"Authenticate with 'Authorization: Bearer <api key>' (create one with: connectory apikeys create --tenant <tenant> --user <user>)");
    }
}
