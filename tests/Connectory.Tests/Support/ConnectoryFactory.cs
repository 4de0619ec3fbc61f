using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Connectory.Data;
using Connectory.Platform.Tenants;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Connectory.Tests.Support;

/// <summary>
/// The real app on Kestrel (loopback, random port) over its own temp directory and a real database: a SQLite file,
/// or a PostgreSQL database of its own when CONNECTORY_TEST_DB=postgres. The database starts as a copy of the
/// template the real migrations built once per run (see <see cref="TestDatabase"/>), or empty for tests of the
/// migrations themselves (<see cref="FromEmptyDatabase"/>); either way the app's own start-up runs over it.
/// A throwaway bootstrap key, a clock tests can move, and every log line captured so tests can search them.
/// </summary>
public sealed class ConnectoryFactory : WebApplicationFactory<Program>
{
    readonly Dictionary<string, string?> settings;
    string? postgresDatabase;

    public ConnectoryFactory() : this(TestDirectory.Create(), null, migrated: true) { }

    ConnectoryFactory(string dataDir, Dictionary<string, string?>? extra, bool migrated)
    {
        DataDir = dataDir;
        BootstrapKey = "cnx_test_" + Guid.NewGuid().ToString("N");
        settings = new Dictionary<string, string?>
        {
            ["data-dir"] = dataDir,
            ["Auth:BootstrapApiKey"] = BootstrapKey,
            ["Auth:SignInCacheSeconds"] = "0",
            // Tests make many requests as one user; the tiers are tested with their own limits.
            ["RateLimits:Tier1PerMinute"] = "1000000",
            ["RateLimits:Tier2PerMinute"] = "1000000",
            ["Logging:Console:FormatterName"] = "simple",
        };
        if (TestDatabase.IsPostgres)
        {
            postgresDatabase = TestDatabase.CreatePostgresDatabase(migrated);
            settings["Database:Provider"] = "postgres";
            settings["Database:MigrateAtStart"] = "true";
            settings["ConnectionStrings:Connectory"] = TestDatabase.PostgresConnectionString(postgresDatabase);
        }
        else if (migrated)
        {
            TestDatabase.CopySqliteTemplate(dataDir);
        }
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        UseKestrel(0);
    }

    /// <summary>Over an existing data directory and database, with exactly these settings.</summary>
    ConnectoryFactory(Dictionary<string, string?> sameSettings)
    {
        settings = sameSettings;
        DataDir = sameSettings["data-dir"]!;
        BootstrapKey = sameSettings["Auth:BootstrapApiKey"]!;
        UseKestrel(0);
    }

    /// <summary>A second app over the same data directory and database, as after a restart or on another instance.</summary>
    public ConnectoryFactory Restarted(Dictionary<string, string?>? extra = null) =>
        new(new Dictionary<string, string?>(settings.Concat(extra ?? []).GroupBy(kv => kv.Key).Select(g => g.Last())));

    /// <summary>A fresh app with extra settings from the start (e.g. trusted JWT issuers).</summary>
    public static ConnectoryFactory With(Dictionary<string, string?> extra) => new(TestDirectory.Create(), extra, migrated: true);

    /// <summary>A fresh app over an empty database, so that its start-up runs every migration.</summary>
    public static ConnectoryFactory FromEmptyDatabase(Dictionary<string, string?>? extra = null) => new(TestDirectory.Create(), extra, migrated: false);

    /// <summary>The app's database: the SQLite file's connection string, or its own PostgreSQL database's.</summary>
    public string DatabaseConnectionString => settings.GetValueOrDefault("ConnectionStrings:Connectory") is { } postgres
        ? postgres
        : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDir, TestDatabase.SqliteFileName), Pooling = false }.ToString();

    public string DataDir { get; }
    public string BootstrapKey { get; }
    public ShiftableClock Clock { get; } = new();
    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
    }

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    /// <summary>A client on the real server that signs in with <paramref name="token"/> (none when null).</summary>
    public HttpClient Client(string? token)
    {
        StartServer();
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>A fresh tenant, made the way `connectory tenants create` makes one.</summary>
    public async Task<TestTenant> NewTenantAsync()
    {
        StartServer();
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>()
            .CreateAsync("t-" + Guid.NewGuid().ToString("N")[..12], null, CancellationToken.None);
        return new TestTenant(this, created.Tenant.Id, created.Admin.Id, Client(created.ApiKey));
    }

    /// <summary>Runs <paramref name="work"/> with a DbContext scoped to nothing: it sees only what it ignores filters for.</summary>
    internal async Task<T> WithDbAsync<T>(Func<ConnectoryDb, Task<T>> work)
    {
        StartServer();
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ConnectoryDb>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && postgresDatabase is not null)
        {
            // Not dropped here: a restarted app may open the same database next. TestDatabase drops it at exit.
            // Only this database's pool: clearing every pool would close the connections of apps still running.
            // The app's pool is keyed by the connection string as the app completes it.
            using var connection = new NpgsqlConnection(DatabaseRegistration.PostgresConnectionString(settings["ConnectionStrings:Connectory"]!));
            NpgsqlConnection.ClearPool(connection);
        }
    }
}

public sealed class ShiftableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}

static class TestDirectory
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "connectory-tests", Guid.NewGuid().ToString("N"));
        // Owner-only, as the service makes a data directory: it warns about one that others may open.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}

sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);
    public void Dispose() { }

    sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
