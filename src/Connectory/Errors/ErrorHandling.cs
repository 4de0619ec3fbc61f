using Microsoft.AspNetCore.Diagnostics;

namespace Connectory.Errors;

/// <summary>
/// Writes what the framework itself rejects (malformed JSON, 404/405 routes, 413, 415, unhandled exceptions)
/// in the same error shape as the handlers. Each API family can claim its own path prefix and writer.
/// </summary>
internal static class ErrorHandling
{
    public static IServiceCollection AddErrorHandling(this IServiceCollection services)
    {
        // Binding failures throw so that one place turns them into the error shape instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteExceptionAsync, StatusCodeSelector = null });
        app.UseStatusCodePages(WriteEmptyStatusAsync);
        return app;
    }

    static async Task WriteExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var traceId = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier;
        if (exception is BadHttpRequestException bad)
        {
            var kind = bad.StatusCode switch
            {
                413 => ErrorCatalog.PayloadTooLarge,
                415 => ErrorCatalog.UnsupportedMediaType,
                _ when bad.InnerException is System.Text.Json.JsonException => ErrorCatalog.MalformedJson,
                _ => ErrorCatalog.ForStatus(bad.StatusCode),
            };
            await ErrorWriter.WriteAsync(context, kind, DescribeBadRequest(bad));
            return;
        }
        if (exception is Microsoft.AspNetCore.Connections.ConnectionResetException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
            return;
        }
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Connectory.Errors");
        if (exception is DataCredentials.SecretDecryptionException undecryptable)
        {
            logger.LogError("A stored secret of record {RecordId} did not decrypt (tampered, or its master key is missing), trace {TraceId}", undecryptable.RecordId, traceId);
            await ErrorWriter.WriteAsync(context, ErrorCatalog.DecryptionFailed, $"A stored credential could not be decrypted. Quote trace id {traceId} when reporting it.", traceId);
            return;
        }
        logger.LogError(exception, "Unhandled exception for {Method} {Path}, trace {TraceId}", context.Request.Method, context.Request.Path.Value, traceId);
        await ErrorWriter.WriteAsync(context, ErrorCatalog.Internal, $"An internal error occurred. Quote trace id {traceId} when reporting it.", traceId);
    }

    static string DescribeBadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is System.Text.Json.JsonException json)
        {
            // JsonException messages name the path and position, never the offending value.
            return $"The request body is not valid JSON for this operation: {json.Message}";
        }
        return bad.StatusCode switch
        {
            413 => "The request body exceeds the 1 MiB limit.",
            415 => "The request body must be application/json.",
            _ => bad.Message,
        };
    }

    static async Task WriteEmptyStatusAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var code = context.Response.StatusCode;
        var detail = code switch
        {
            404 => $"No route matches {context.Request.Method} {context.Request.Path.Value}",
            405 => $"Method {context.Request.Method} is not allowed on {context.Request.Path.Value}",
            415 => "The request body must be application/json.",
            _ => null,
        };
        await ErrorWriter.WriteAsync(context, ErrorCatalog.ForStatus(code), detail);
    }
}
