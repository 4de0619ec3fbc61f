using Connectory.Errors;
using Connectory.Hosting;
using Connectory.Platform.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Scalar.AspNetCore;

namespace Connectory.ApiDocuments;

internal sealed class ApiDocumentOptions
{
    public const string Section = "ApiDocuments";

    /// <summary>Serve the browsable API reference page at <c>/openapi/reference</c>.</summary>
    public bool ReferencePage { get; set; }
}

/// <summary>
/// The OpenAPI documents of every face, generated from the endpoints (Microsoft.AspNetCore.OpenApi) with
/// transformers for what their metadata does not say, listed at <c>GET /openapi/</c> and served at
/// <c>/openapi/{name}.json</c>; optionally a reference page over them. Served without sign-in: they describe the
/// service, which is public knowledge, and hold nothing of any tenant.
/// </summary>
internal static class ApiDocumentsRegistration
{
    public const string Root = "/openapi";
    public const string ReferencePath = Root + "/reference";

    public static IServiceCollection AddApiDocuments(this IServiceCollection services)
    {
        services.AddSettings<ApiDocumentOptions>(ApiDocumentOptions.Section);
        services.AddSingleton<ApiDocumentCache>();
        foreach (var document in ApiDocumentCatalog.All)
        {
            services.AddOpenApi(document.Name, options =>
            {
                options.OpenApiVersion = ApiDocumentCache.Version;
                options.ShouldInclude = document.Includes;
                options.AddDocumentTransformer(new DocumentHeader(document));
                if (document.Paths.Contains("/health"))
                {
                    options.AddDocumentTransformer(new HealthProbes());
                }
                options.CreateSchemaReferenceId = SchemaNames.Of;
                // Hand-written answers first, so that the errors are added to the operation's real responses.
                options.AddOperationTransformer(new HandWrittenAnswers());
                options.AddOperationTransformer(new OperationTags(document));
                options.AddOperationTransformer(new ErrorResponses());
            });
        }
        return services;
    }

    public static WebApplication MapApiDocuments(this WebApplication app)
    {
        var group = app.MapGroup(Root).ExcludeFromDescription();
        group.MapGet("/", Index);
        group.MapGet("/{name}.json", Document);
        if (app.Services.GetRequiredService<IOptions<ApiDocumentOptions>>().Value.ReferencePage)
        {
            app.MapReferencePage();
        }
        return app;
    }

    static Ok<ApiDocumentIndex> Index(HttpRequest request, IOptions<ApiDocumentOptions> options) => TypedResults.Ok(new ApiDocumentIndex(
        [.. ApiDocumentCatalog.All.Select(d => new ApiDocumentEntry(d.Name, d.Title, d.Summary, Urls.To(request, $"{Root}/{d.Name}.json").Href))],
        options.Value.ReferencePage ? Urls.To(request, ReferencePath).Href : null));

    static async Task<IResult> Document(string name, HttpContext context, ApiDocumentCache cache)
    {
        if (ApiDocumentCatalog.Find(name) is not { } document)
        {
            return ApiError.NotFound($"API document '{name}'");
        }
        var cached = await cache.GetAsync(document);
        var headers = context.Response.GetTypedHeaders();
        headers.ETag = new EntityTagHeaderValue(cached.ETag);
        headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(t => t.Tag == cached.ETag || t.Equals(EntityTagHeaderValue.Any)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Bytes(cached.Json, "application/json; charset=utf-8");
    }

    static void MapReferencePage(this WebApplication app) =>
        app.MapScalarApiReference(ReferencePath, options =>
        {
            options.WithTitle("Connectory API reference")
                .WithOpenApiRoutePattern(Root + "/{documentName}.json")
                .AddDocuments(ApiDocumentCatalog.All.Select(d => new ScalarDocument(d.Name, d.Title)))
                // Nothing leaves the service: no web fonts, no telemetry, no hosted agent or proxy.
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp();
        }).ExcludeFromDescription();
}

internal sealed record ApiDocumentIndex(
    IReadOnlyList<ApiDocumentEntry> Documents,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Reference);

internal sealed record ApiDocumentEntry(string Name, string Title, string Summary, string Url);
