using Connectory.Dcaas;
using Connectory.Errors;
using Connectory.Qrs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Connectory.ApiDocuments;

/// <summary>
/// The answers every operation may give besides its own, which no handler's signature shows: errors in the family's
/// shape (Cloud and connectivity JSON with DCERROR codes, DCaaS JSON, QRS plain text), the sign-in challenge, the
/// request limits, and on /api the rate tiers' 429 and RateLimit-* headers. Also marks operations that need sign-in.
/// </summary>
internal sealed class ErrorResponses : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var family = metadata.OfType<ErrorFamily>().LastOrDefault() ?? ErrorFamilies.Cloud;
        var path = RoutePaths.Of(description);
        var signIn = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var hasBody = operation.RequestBody is not null;
        var rateLimited = path.StartsWith("/api/", StringComparison.Ordinal);

        var error = await ErrorContentAsync(family, context, cancellationToken);
        operation.Responses ??= new OpenApiResponses();
        void Add(int status, string text)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.ContainsKey(key))
            {
                operation.Responses[key] = new OpenApiResponse { Description = text, Content = error() };
            }
        }

        Add(400, "A parameter or body that does not parse, or breaks a request limit (query 8 KiB, names 256 characters, 100 bulk items, ...).");
        if (signIn)
        {
            Add(401, "No valid sign-in: a missing, unknown, expired or revoked token.");
            Add(403, "Signed in, but the caller's roles do not allow this.");
        }
        if (description.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Path))
        {
            Add(404, "No such object, or one the caller may not see (another tenant's objects answer the same).");
        }
        if (hasBody)
        {
            Add(413, "The request body is over 1 MiB.");
            Add(415, "The request body is not application/json.");
        }
        if (rateLimited)
        {
            Add(429, "Over the caller's rate tier (requests per minute per user per tenant).");
            var tooMany = operation.Responses["429"];
            if (tooMany is OpenApiResponse response)
            {
                response.Headers = RateLimitHeaders(rejected: true);
            }
            foreach (var (status, answer) in operation.Responses)
            {
                if (status.StartsWith('2') && answer is OpenApiResponse ok)
                {
                    ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    foreach (var (name, header) in RateLimitHeaders(rejected: false))
                    {
                        ok.Headers[name] = header;
                    }
                }
            }
        }
        Add(500, "An unexpected failure; the body carries a trace id to find it in the log.");

        if (metadata.OfType<XrfkeyRequired>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter { Name = "Xrfkey", In = ParameterLocation.Query, Required = true, Description = "16 characters of [0-9a-zA-Z], equal to the X-Qlik-Xrfkey header (else 403).", Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9a-zA-Z]{16}$" } });
            operation.Parameters.Add(new OpenApiParameter { Name = "X-Qlik-Xrfkey", In = ParameterLocation.Header, Required = true, Description = "The same 16 characters as the Xrfkey query parameter.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
        }
        if (signIn)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(DocumentHeader.Bearer, context.Document)] = [] }];
        }
    }

    static Dictionary<string, IOpenApiHeader> RateLimitHeaders(bool rejected)
    {
        var headers = new Dictionary<string, IOpenApiHeader>
        {
            ["RateLimit-Limit"] = Header("Requests per minute the caller's tier allows on this instance."),
            ["RateLimit-Remaining"] = Header("Requests left in the current minute."),
        };
        if (rejected)
        {
            headers["RateLimit-Reset"] = Header("Seconds until the window resets.");
            headers["Retry-After"] = Header("Seconds to wait before trying again.");
        }
        return headers;
    }

    static OpenApiHeader Header(string text) => new() { Description = text, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };

    /// <summary>The error body of the family, as a factory (each response gets its own content map).</summary>
    static async Task<Func<Dictionary<string, OpenApiMediaType>>> ErrorContentAsync(ErrorFamily family, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (family == ErrorFamilies.Qrs)
        {
            return () => new() { ["text/plain"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
        }
        var type = family == ErrorFamilies.Dcaas ? typeof(DcaasResponseErrors) : typeof(ResponseErrors);
        var name = family == ErrorFamilies.Dcaas ? "ResponseErrors" : nameof(ResponseErrors);
        var schema = await context.GetOrCreateSchemaAsync(type, null, ct);
        var reference = SchemaNames.Register(context.Document!, name, schema);
        return () => new() { ["application/json"] = new OpenApiMediaType { Schema = reference } };
    }
}
