using Connectory.Hosting;

// connectory [serve|migrate|tenants create|apikeys create|keys rotate|keys status|secrets seal|qrs export|import BUNDLE] [--key=value ...]
// Words before the first option pick the command; every option goes to configuration.
var words = args.TakeWhile(a => !a.StartsWith('-')).ToArray();
var options = args.Skip(words.Length).Where(a => a is not ("--resume" or "--dry-run")).ToArray();
var command = string.Join(' ', words);

var builder = ConnectoryApp.CreateBuilder(options);
var app = ConnectoryApp.Build(builder);

return command switch
{
    "" or "serve" => await Serve(app),
    "migrate" => await AdminCommands.MigrateAsync(app),
    "tenants create" => await AdminCommands.CreateTenantAsync(app),
    "apikeys create" => await AdminCommands.CreateApiKeyAsync(app),
    "keys rotate" => await Connectory.Secrets.KeyCommands.RotateAsync(app.Services, args.Contains("--resume"), Console.Out),
    "secrets seal" => await AdminCommands.SealSettingAsync(app),
    "keys status" => await Connectory.Secrets.KeyCommands.StatusAsync(app.Services, Console.Out),
    "qrs export" => await Connectory.Qrs.QrsMigration.ExportCommandAsync(app),
    _ when words is ["import", var bundle] => await Connectory.Qrs.QrsMigration.ImportCommandAsync(app, bundle, args.Contains("--dry-run")),
    _ => Usage(command),
};

static async Task<int> Serve(WebApplication app)
{
    await app.RunAsync();
    return 0;
}

static int Usage(string command)
{
    Console.Error.WriteLine($"unknown command '{command}'. Commands: serve (default), migrate, tenants create --name N [--auto-create-users=true], apikeys create --tenant T --user U, keys rotate [--resume], keys status, qrs export --from URL --cert FILE, import BUNDLE --tenant T --space-map RULES [--dry-run], secrets seal --setting S");
    return 2;
}

public partial class Program;
