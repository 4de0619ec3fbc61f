using Connectory.Dcaas;
using Connectory.Qrs;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Connectory.Errors;

/// <summary>
/// How one API family writes an error. Attached to a face's route group as endpoint metadata, it is what every
/// error seam reads (framework errors, the sign-in challenge, the NUL check), so no seam looks at the path.
/// </summary>
internal abstract class ErrorFamily
{
    public abstract Task WriteAsync(HttpContext context, ErrorKind kind, string? detail, string? traceId = null);
}

internal static class ErrorFamilies
{
    /// <summary><c>{"errors":[{"code","title","detail","status"}]}</c>; also the answer of requests that match no family's routes.</summary>
    public static readonly ErrorFamily Cloud = new CloudFamily();

    /// <summary><c>{"errors":[{"code","title","detail","meta"}]}</c> with DCAAS codes.</summary>
    public static readonly ErrorFamily Dcaas = new DcaasFamily();

    /// <summary>Plain text, as the Repository API answers.</summary>
    public static readonly ErrorFamily Qrs = new QrsFamily();

    /// <summary>The family of the request's endpoint (the failed one, when an exception is being handled).</summary>
    public static ErrorFamily Of(HttpContext context) =>
        (context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint)?.Metadata.GetMetadata<ErrorFamily>() ?? Cloud;

    /// <summary>
    /// Marks every endpoint of the group with <paramref name="family"/> and gives the group routes of its own for
    /// what would otherwise match nothing: a 405 (or 415) per route pattern and a 404 for any other path under the
    /// group's prefix. They carry the group's metadata (its authorization included), so they answer as the group does.
    /// </summary>
    public static RouteGroupBuilder WithErrorFamily(this RouteGroupBuilder group, ErrorFamily family)
    {
        group.WithMetadata(family);
        var routes = ((IEndpointRouteBuilder)group).DataSources;
        routes.Add(new UnmatchedRoutes(routes));
        return group;
    }

    sealed class CloudFamily : ErrorFamily
    {
        public override Task WriteAsync(HttpContext context, ErrorKind kind, string? detail, string? traceId = null) =>
            ErrorWriter.WriteAsync(context, kind, detail, traceId);
    }

    sealed class DcaasFamily : ErrorFamily
    {
        public override Task WriteAsync(HttpContext context, ErrorKind kind, string? detail, string? traceId = null) =>
            DcaasError.Write(kind, detail).ExecuteAsync(context);
    }

    sealed class QrsFamily : ErrorFamily
    {
        public override Task WriteAsync(HttpContext context, ErrorKind kind, string? detail, string? traceId = null)
        {
            // Routing answers name the status, as QRS does; everything else says what went wrong.
            var text = kind == ErrorCatalog.RouteNotFound || kind == ErrorCatalog.MethodNotAllowed || kind == ErrorCatalog.UnsupportedMediaType
                ? ReasonPhrases.GetReasonPhrase(kind.Status)
                : kind == ErrorCatalog.PayloadTooLarge ? "The request body is too large."
                : detail ?? ReasonPhrases.GetReasonPhrase(kind.Status);
            return QrsText.WriteAsync(context, kind.Status, text);
        }
    }

    /// <summary>A group's 405/415 routes (one per route pattern, after the pattern's own endpoints) and its 404 catch-all.</summary>
    sealed class UnmatchedRoutes(ICollection<EndpointDataSource> siblings) : EndpointDataSource
    {
        public override IReadOnlyList<Endpoint> Endpoints => [];

        public override IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);

        public override IReadOnlyList<Endpoint> GetGroupedEndpoints(RouteGroupContext context)
        {
            var routed = siblings.Where(s => !ReferenceEquals(s, this)).SelectMany(s => s.GetGroupedEndpoints(context)).OfType<RouteEndpoint>();
            var endpoints = new List<Endpoint>();
            foreach (var pattern in routed.GroupBy(e => e.RoutePattern.RawText ?? "", StringComparer.OrdinalIgnoreCase))
            {
                if (pattern.Any(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 }))
                {
                    continue; // some endpoint takes every method
                }
                var allowed = pattern.SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                var allow = string.Join(", ", allowed);
                endpoints.Add(Build(context, pattern.First().RoutePattern, pattern.Max(e => e.Order) + 1, "405 " + pattern.Key, http =>
                {
                    // An allowed method reaches this route only when the content type was refused.
                    var refusedType = allowed.Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase);
                    http.Response.StatusCode = refusedType ? StatusCodes.Status415UnsupportedMediaType : StatusCodes.Status405MethodNotAllowed;
                    if (!refusedType)
                    {
                        http.Response.Headers.Allow = allow;
                    }
                    return Task.CompletedTask;
                }));
            }
            var prefix = context.Prefix.RawText?.TrimEnd('/') ?? "";
            endpoints.Add(Build(context, RoutePatternFactory.Parse(prefix + "/{**unmatched}"), int.MaxValue, "404 " + prefix, http =>
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }));
            return endpoints;
        }

        // The empty status is given its body by the framework-error writer, in the family's shape.
        static RouteEndpoint Build(RouteGroupContext context, RoutePattern pattern, int order, string name, RequestDelegate answer)
        {
            var builder = new RouteEndpointBuilder(answer, pattern, order) { DisplayName = name, ApplicationServices = context.ApplicationServices };
            foreach (var convention in context.Conventions)
            {
                convention(builder);
            }
            foreach (var convention in context.FinallyConventions)
            {
                convention(builder);
            }
            return (RouteEndpoint)builder.Build();
        }
    }
}
