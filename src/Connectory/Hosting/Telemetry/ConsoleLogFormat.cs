using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting.Telemetry;

/// <summary>
/// Console logs as operators read them: human-readable single lines on a terminal, JSON lines when the output goes to
/// a file, journald or a collector. <c>Logging:Format</c> (<c>auto</c>, <c>text</c>, <c>json</c>) decides; under
/// <c>auto</c> an explicit <c>Logging:Console:FormatterName</c> stands. Every line written during a request carries its
/// request id and trace id (logging scopes with activity tracking).
/// </summary>
internal static class ConsoleLogFormat
{
    public const string Setting = "Logging:Format";

    public static ILoggingBuilder AddConnectoryConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // Before AddConsole, so the Logging:Console:FormatterOptions settings apply over these defaults.
        logging.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });
        logging.Services.Configure<SimpleConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.AddConsole();
        // Its formatters and settings stay; its writer is replaced by one that writes many lines at once.
        var consoleLogger = logging.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        logging.Services.Remove(consoleLogger);
        logging.Services.AddSingleton<ILoggerProvider, BatchedConsoleLoggerProvider>();
        // Its "Request starting/finished" lines quote the whole URL, query string included, where a secret may sit;
        // the access line says the same by route template.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        logging.Services.AddSingleton<IPostConfigureOptions<ConsoleLoggerOptions>>(new ChooseFormatter(configuration[Setting]));
        return logging;
    }

    sealed class ChooseFormatter(string? format) : IPostConfigureOptions<ConsoleLoggerOptions>
    {
        public void PostConfigure(string? name, ConsoleLoggerOptions options)
        {
            switch (format?.ToLowerInvariant())
            {
                case "json":
                    options.FormatterName = ConsoleFormatterNames.Json;
                    break;
                case "text":
                    options.FormatterName = ConsoleFormatterNames.Simple;
                    break;
                default:
                    options.FormatterName ??= Console.IsOutputRedirected ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple;
                    break;
            }
        }
    }
}
