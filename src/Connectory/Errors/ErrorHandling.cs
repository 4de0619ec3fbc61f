using Microsoft.AspNetCore.Diagnostics;

namespace Connectory.Errors;

/// <summary>
/// Writes what the framework itself rejects (malformed JSON, 404/405 routes, 413, 415, unhandled exceptions)
/// in the error shape of the endpoint's API family (<see cref="ErrorFamilies.Of"/>).
/// </summary>
internal static partial class ErrorHandling
{
    [System.Text.RegularExpressions.GeneratedRegex("""^Failed to bind parameter "(?<type>[^"]+) (?<name>[^" ]+)" from""")]
    private static partial System.Text.RegularExpressions.Regex ParameterBinding();

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
        var family = ErrorFamilies.Of(context);
        if (exception is BadHttpRequestException bad)
        {
            var kind = bad.StatusCode switch
            {
                413 => ErrorCatalog.PayloadTooLarge,
                415 => ErrorCatalog.UnsupportedMediaType,
                _ when bad.InnerException is System.Text.Json.JsonException => ErrorCatalog.MalformedJson,
                _ when ParameterBinding().IsMatch(bad.Message) => ErrorCatalog.InvalidParameter,
                _ => ErrorCatalog.ForStatus(bad.StatusCode),
            };
            await family.WriteAsync(context, kind, DescribeBadRequest(bad));
            return;
        }
        if (exception is Microsoft.AspNetCore.Connections.ConnectionResetException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
            return;
        }
        if (exception is Secrets.SecretReferenceException reference)
        {
            // A secret about to be stored as a reference the settings do not allow: the caller's to fix.
            await family.WriteAsync(context, ErrorCatalog.InvalidField, reference.Message);
            return;
        }
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Connectory.Errors");
        if (exception is DataCredentials.SecretDecryptionException undecryptable)
        {
            logger.LogError("A stored secret of record {RecordId} did not decrypt (tampered, or its master key is missing), trace {TraceId}", undecryptable.RecordId, traceId);
            await family.WriteAsync(context, ErrorCatalog.DecryptionFailed, $"A stored credential could not be decrypted. Quote trace id {traceId} when reporting it.", traceId);
            return;
        }
        if (exception is Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException lost && lost.Entries.Any(e => e.Entity is Data.IVersioned { RequiredVersion: not null }))
        {
            // A conditional write (If-Match) that a concurrent write overtook, on a path that does not answer it itself.
            await family.WriteAsync(context, ErrorCatalog.PreconditionFailed, "If-Match: the resource was changed by another request meanwhile; nothing of this request was applied.", traceId);
            return;
        }
        if (exception is not null && Data.DbErrors.IsTransientConflict(exception))
        {
            logger.LogWarning("{Method} {Path} lost a database conflict with a concurrent change and was rolled back, trace {TraceId}", context.Request.Method, context.Request.Path.Value, traceId);
            context.Response.Headers.RetryAfter = "1";
            await family.WriteAsync(context, ErrorCatalog.Unavailable, "A concurrent change to the same data won; nothing of this request was applied. Retry it.", traceId);
            return;
        }
        if (exception is not null && Data.DbErrors.IsStoreUnavailable(exception))
        {
            // The message only: a connection failure's exception can quote the connection's settings.
            logger.LogError("{Method} {Path}: the database is unavailable ({Reason}), trace {TraceId}", context.Request.Method, context.Request.Path.Value, exception.GetType().Name, traceId);
            context.Response.Headers.RetryAfter = "5";
            await family.WriteAsync(context, ErrorCatalog.Unavailable, "The database is unavailable; nothing of this request was applied. Retry it shortly.", traceId);
            return;
        }
        logger.LogError(exception, "Unhandled exception for {Method} {Path}, trace {TraceId}", context.Request.Method, context.Request.Path.Value, traceId);
        await family.WriteAsync(context, ErrorCatalog.Internal, $"An internal error occurred. Quote trace id {traceId} when reporting it.", traceId);
    }

    static string DescribeBadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is System.Text.Json.JsonException json)
        {
            // JsonException messages name the path and position, never the offending value.
            return $"The request body is not valid JSON for this operation: {json.Message}";
        }
        if (ParameterBinding().Match(bad.Message) is { Success: true } binding)
        {
            // The framework's message names CLR types ("Nullable<int> limit"); say what the API expects instead.
            return Unparsable(binding.Groups["name"].Value, binding.Groups["type"].Value.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?'));
        }
        return bad.StatusCode switch
        {
            413 => "The request body exceeds the 1 MiB limit.",
            415 => "The request body must be application/json.",
            _ => bad.Message,
        };
    }

    static string Unparsable(string name, string typeName, string source = "Query")
    {
        var expected = typeName switch
        {
            "int" or "Int32" or "long" or "Int64" => "an integer",
            "bool" or "Boolean" => "true or false",
            "DateTime" or "DateTimeOffset" => "an RFC 3339 date-time",
            "Guid" => "a UUID",
            _ => "a valid value",
        };
        return $"{source} parameter '{name}' must be {expected}.";
    }

    /// <summary>
    /// The parameter an endpoint could not parse, when its request delegate answered a bare 400 without saying which:
    /// the compile-time generated delegates do so for optional parameters. Found again from the endpoint's metadata.
    /// </summary>
    static string? UnparsedParameter(HttpContext context)
    {
        foreach (var parameter in context.GetEndpoint()?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IParameterBindingMetadata>() ?? [])
        {
            if (!parameter.HasTryParse)
            {
                continue;
            }
            var inRoute = context.Request.RouteValues.TryGetValue(parameter.Name, out var routed);
            var value = inRoute ? routed?.ToString() : context.Request.Query[parameter.Name].FirstOrDefault();
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }
            var type = Nullable.GetUnderlyingType(parameter.ParameterInfo.ParameterType) ?? parameter.ParameterInfo.ParameterType;
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            var parses = type == typeof(int) ? int.TryParse(value, invariant, out _)
                : type == typeof(long) ? long.TryParse(value, invariant, out _)
                : type == typeof(bool) ? bool.TryParse(value, out _)
                : type == typeof(Guid) ? Guid.TryParse(value, out _)
                : type == typeof(DateTime) ? DateTime.TryParse(value, invariant, out _)
                : type != typeof(DateTimeOffset) || DateTimeOffset.TryParse(value, invariant, out _);
            if (!parses)
            {
                return Unparsable(parameter.Name, type.Name, inRoute ? "Route" : "Query");
            }
        }
        return null;
    }

    static async Task WriteEmptyStatusAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var code = context.Response.StatusCode;
        if (code == 400 && UnparsedParameter(context) is { } unparsed)
        {
            await ErrorFamilies.Of(context).WriteAsync(context, ErrorCatalog.InvalidParameter, unparsed);
            return;
        }
        var detail = code switch
        {
            404 => $"No route matches {context.Request.Method} {context.Request.Path.Value}",
            405 => $"Method {context.Request.Method} is not allowed on {context.Request.Path.Value}",
            415 => "The request body must be application/json.",
            _ => null,
        };
        await ErrorFamilies.Of(context).WriteAsync(context, ErrorCatalog.ForStatus(code), detail);
    }
}
