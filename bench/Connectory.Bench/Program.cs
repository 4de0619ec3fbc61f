using Connectory.Bench;
using Connectory.Hosting;

// connectory-bench serve [--key=value ...]  the Connectory app plus the baseline endpoints its figures are compared with
// connectory-bench seed --connections N --spaces S [--key=value ...]  fills the store of that same app directly
// connectory-bench secrets --count N [--ops M] [--key=value ...]  secret protection cost and `keys rotate` throughput
var words = args.TakeWhile(a => !a.StartsWith('-')).ToArray();
var options = args.Skip(words.Length).ToArray();

var builder = ConnectoryApp.CreateBuilder(options);
builder.Services.AddSingleton<Baselines>();
var app = ConnectoryApp.Build(builder);
app.MapBaselines();

switch (string.Join(' ', words))
{
    case "" or "serve":
        await app.RunAsync();
        return 0;
    case "seed":
        return await Seeder.RunAsync(app);
    case "secrets":
        return await SecretsBench.RunAsync(app);
    default:
        Console.Error.WriteLine("usage: connectory-bench [serve|seed|secrets] [--connections N --spaces S | --count N --ops M] [--key=value ...]");
        return 2;
}
