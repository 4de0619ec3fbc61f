using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Xml;
using Connectory.Backup;
using Connectory.Qrs;
using Connectory.Secrets;

namespace Connectory.Hosting;

/// <summary>
/// The commands and their options. A command builds the app (<see cref="ConnectoryApp"/>) only when it runs, so
/// help, version and usage errors touch nothing. Exit codes: 0 done, 1 the command ran and failed, 2 a usage error.
/// </summary>
internal static class ConnectoryCommandLine
{
    public const int Failed = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var (commandLine, configuration) = ConfigurationArguments.Split(args);
        var parsed = Declare(configuration).Parse(commandLine);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }
            await Console.Error.WriteLineAsync($"Run '{CommandPath(parsed.CommandResult)} --help' for usage.");
            return UsageError;
        }
        // Exceptions reach the caller (a test host waits for the entry point's), and Ctrl+C is the server's to handle.
        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    static RootCommand Declare(IReadOnlyList<string> configuration)
    {
        // Every command takes these; they reach configuration under the same names (urls, data-dir).
        var urls = new Option<string>("--urls") { Description = $"Where the server listens (default {ConnectoryApp.DefaultUrls})", Recursive = true };
        var dataDir = new Option<string>("--data-dir") { Description = "The SQLite file, bootstrap key, generated master key (default ./data)", Recursive = true };

        string[] AppArguments(ParseResult parse) =>
        [
            .. configuration,
            .. parse.GetValue(urls) is { } u ? [$"--urls={u}"] : Array.Empty<string>(),
            .. parse.GetValue(dataDir) is { } d ? [$"--data-dir={d}"] : Array.Empty<string>(),
        ];

        // An admin command: the app is built (not started) and the command uses its services.
        void RunsOnApp(Command command, Func<ParseResult, IServiceProvider, Task<int>> run) =>
            command.SetAction(async (parse, _) =>
            {
                try
                {
                    // Standard output carries only what the command prints (a key, a sealed value); its logs go to standard error.
                    string[] arguments = ["--Logging:Console:LogToStandardErrorThreshold=Trace", .. AppArguments(parse)];
                    await using var app = ConnectoryApp.Build(ConnectoryApp.CreateBuilder(arguments));
                    return await run(parse, app.Services);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await Console.Error.WriteLineAsync($"{CommandPath(parse.CommandResult)}: {e.Message}");
                    return Failed;
                }
            });

        var serve = new Command("serve", "Serve the API (the default command)");
        serve.SetAction((parse, _) => ServeAsync(AppArguments(parse)));

        var migrate = new Command("migrate", "Apply schema migrations and exit");
        RunsOnApp(migrate, (_, services) => AdminCommands.MigrateAsync(services));

        var tenantName = new Option<string>("--name") { Description = "The tenant's name", Required = true };
        var autoCreateUsers = new Option<bool>("--auto-create-users") { Description = "Let trusted JWTs create unknown users on first sign-in" };
        var createTenant = new Command("create", "Create a tenant; prints its id, its admin user and the admin's API key (once)") { tenantName, autoCreateUsers };
        RunsOnApp(createTenant, (parse, services) => AdminCommands.CreateTenantAsync(services, parse.GetRequiredValue(tenantName), parse.GetValue(autoCreateUsers)));

        var keyTenant = new Option<string>("--tenant") { Description = "The tenant (id or name)", Required = true };
        var keyUser = new Option<string>("--user") { Description = "The user (id or subject)", Required = true };
        var keyDescription = new Option<string>("--description") { Description = "What the key is for" };
        var keyExpiry = new Option<TimeSpan?>("--expiry")
        {
            Description = "Lifetime: an ISO 8601 duration (P90D, PT12H) or a TimeSpan (90.00:00:00); default ApiKeys:DefaultExpiry, at most ApiKeys:MaxExpiry",
            CustomParser = ParseExpiry,
        };
        var createApiKey = new Command("create", "Mint an API key for a user; prints it once") { keyTenant, keyUser, keyDescription, keyExpiry };
        RunsOnApp(createApiKey, (parse, services) => AdminCommands.CreateApiKeyAsync(
            services, parse.GetRequiredValue(keyTenant), parse.GetRequiredValue(keyUser), parse.GetValue(keyDescription), parse.GetValue(keyExpiry)));

        var keysStatus = new Command("status", "Each master key: current, in use or retired, and how many secrets it guards");
        RunsOnApp(keysStatus, (_, services) => KeyCommands.StatusAsync(services, Console.Out));
        var resume = new Option<bool>("--resume") { Description = "Finish an interrupted rotation (adds no key)" };
        var keysRotate = new Command("rotate", "Add a master key, make it current, re-wrap every stored secret under it") { resume };
        RunsOnApp(keysRotate, (parse, services) => KeyCommands.RotateAsync(services, parse.GetValue(resume), Console.Out));

        var setting = new Option<string>("--setting") { Description = "The setting the value is for (Section:Key)", Required = true };
        var seal = new Command("seal", "Print the value on standard input sealed for a setting (sealed:v1:...)") { setting };
        RunsOnApp(seal, (parse, services) => AdminCommands.SealSettingAsync(services, parse.GetRequiredValue(setting), Console.In));

        var from = new Option<Uri>("--from") { Description = "The QRS, https://host:4242", Required = true, CustomParser = ParseHttpsUrl };
        var cert = new Option<string>("--cert") { Description = "Client certificate: a .pfx, or a PEM with --key", Required = true };
        var certKey = new Option<string>("--key") { Description = "The client certificate's private key (PEM)" };
        var password = new Option<string>("--password") { Description = "The .pfx or key password" };
        var ca = new Option<string>("--ca") { Description = "The CA that signed the QRS's certificate (PEM)" };
        var userHeader = new Option<string>("--user-header") { Description = "Who the export signs in as", DefaultValueFactory = _ => QrsMigration.DefaultUserHeader };
        var keyOut = new Option<string>("--key-out") { Description = "Ask for passwords, sealed to a new key written here (PEM)" };
        var export = new Command("export", "Read every data connection of a QRS into a JSON bundle on standard output") { from, cert, certKey, password, ca, userHeader, keyOut };
        export.SetAction((parse, _) => QrsMigration.ExportCommandAsync(new QrsExportSettings(
            parse.GetRequiredValue(from), parse.GetRequiredValue(cert), parse.GetValue(certKey), parse.GetValue(password), parse.GetValue(ca),
            parse.GetRequiredValue(userHeader), parse.GetValue(keyOut))));

        var bundle = new Argument<string>("BUNDLE") { Description = "The bundle file from 'qrs export'" };
        var importTenant = new Option<string>("--tenant") { Description = "The tenant (id or name)", Required = true };
        var spaceMap = new Option<string>("--space-map") { Description = "Rules, or a file of rules: \"tag:Finance=Finance;*=QSEoW Import\"", Required = true };
        var importKey = new Option<string>("--key") { Description = "The export's --key-out, to import passwords" };
        var importUser = new Option<string>("--user") { Description = "Who owns the connections (id or subject; default the tenant's admin)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan, create nothing" };
        var import = new Command("import", "Create a bundle's connections in a tenant's spaces; re-runs skip what is already there")
        {
            bundle, importTenant, spaceMap, importKey, importUser, dryRun,
        };
        RunsOnApp(import, (parse, services) => QrsMigration.ImportCommandAsync(services, new QrsImportSettings(
            parse.GetRequiredValue(bundle), parse.GetRequiredValue(importTenant), parse.GetRequiredValue(spaceMap),
            parse.GetValue(importKey), parse.GetValue(importUser), parse.GetValue(dryRun))));

        var backupTo = new Option<string>("--to") { Description = "The backup file to write (a tar of manifest.json and the SQLite database)", Required = true };
        var backup = new Command("backup", "Copy the SQLite database, while the service serves, into one file with a manifest") { backupTo };
        RunsOnApp(backup, (parse, services) => BackupCommands.BackupAsync(services, parse.GetRequiredValue(backupTo), Console.Out));
        var backupFile = new Argument<string>("FILE") { Description = "A file written by 'connectory backup'" };
        var force = new Option<bool>("--force") { Description = "Replace the database in the data directory (stop the service first)" };
        var restore = new Command("restore", "Restore a backup into the data directory; refuses one that is damaged, newer, or whose master keys are missing") { backupFile, force };
        RunsOnApp(restore, (parse, services) => BackupCommands.RestoreAsync(services, parse.GetRequiredValue(backupFile), parse.GetValue(force), Console.Out));
        var checkSchema = new Command("check-schema", "Compare the database's schema with this version's: exits 1 when it is newer");
        RunsOnApp(checkSchema, (_, services) => BackupCommands.CheckSchemaAsync(services, Console.Out));

        var root = new RootCommand("Connectory: a registry of data connections and their credentials, serving Qlik's data-connection APIs")
        {
            urls,
            dataDir,
            serve,
            migrate,
            new Command("tenants", "Tenants") { createTenant },
            new Command("apikeys", "API keys") { createApiKey },
            new Command("keys", "Master keys") { keysStatus, keysRotate },
            new Command("secrets", "Configured secrets") { seal },
            new Command("qrs", "Qlik Sense Enterprise's repository") { export },
            import,
            backup,
            restore,
            checkSchema,
            Bundles.BundleCommands.Declare(RunsOnApp),
        };
        root.SetAction((parse, _) => ServeAsync(AppArguments(parse)));
        return root;
    }

    static async Task<int> ServeAsync(string[] appArguments)
    {
        var app = ConnectoryApp.Build(ConnectoryApp.CreateBuilder(appArguments));
        try
        {
            await app.RunAsync();
        }
        catch (Exception e) when (IsRefusalToStart(e) || e.InnerException is { } inner && IsRefusalToStart(inner))
        {
            // Already logged, naming the lock or the schema and what to do: a refusal to start, not a crash.
            return Failed;
        }
        return 0;
    }

    static bool IsRefusalToStart(Exception e) => e is Data.MigrationLockTimeoutException or Data.SchemaTooNewException;

    static TimeSpan? ParseExpiry(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        try
        {
            return text.StartsWith('P') ? XmlConvert.ToTimeSpan(text) : TimeSpan.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            result.AddError($"--expiry takes an ISO 8601 duration (P90D, PT12H) or a TimeSpan (90.00:00:00), not '{text}'.");
            return null;
        }
    }

    static Uri? ParseHttpsUrl(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps)
        {
            return url;
        }
        result.AddError($"--from takes an https:// URL, not '{text}'.");
        return null;
    }

    static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult c; result = c.Parent)
        {
            names.Insert(0, c.Command.Name);
        }
        return string.Join(' ', names);
    }
}

/// <summary>
/// Which tokens of the command line are configuration rather than the command's options: <c>--Key=value</c> and
/// <c>--Key value</c> whose key names a section (contains ':', as <c>--Database:Provider=postgres</c>) or is one of
/// the host's own settings, and <c>--Key=</c> with no value (a section's own empty entry). A test host passes its
/// settings in these forms. Everything else is the command's, and an option the command does not know is a usage error.
/// </summary>
internal static class ConfigurationArguments
{
    // Settings without a section that are configuration, not options: the host's own, and ASP.NET Core's AllowedHosts.
    static readonly HashSet<string> HostSettings = new(["environment", "contentRoot", "applicationName", "AllowedHosts"], StringComparer.OrdinalIgnoreCase);

    public static (string[] CommandLine, string[] Configuration) Split(IReadOnlyList<string> args)
    {
        List<string> commandLine = [], configuration = [];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var keyAndValue = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..].Split('=', 2) : [""];
            var key = keyAndValue[0];
            var emptyEntry = keyAndValue is [{ Length: > 0 }, ""];
            if (!(key.Contains(':') || HostSettings.Contains(key) || emptyEntry))
            {
                commandLine.Add(arg);
            }
            else if (arg.Contains('='))
            {
                configuration.Add(arg);
            }
            else if (i + 1 < args.Count)
            {
                // As ASP.NET's command-line configuration reads it: the next token is the value, whatever it looks like.
                configuration.Add($"{arg}={args[++i]}");
            }
            else
            {
                commandLine.Add(arg); // a key without a value: the parser reports it
            }
        }
        return ([.. commandLine], [.. configuration]);
    }
}
