using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Connectory.ApiDocuments;

/// <summary>The health probes, which health checks map without the metadata the generator reads.</summary>
internal sealed class HealthProbes : IOpenApiDocumentTransformer
{
    public static readonly string[] Paths = ["/health/live", "/health/ready"];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths ??= [];
        document.Paths[Paths[0]] = Probe("Liveness: the process answers (checks nothing else).");
        document.Paths[Paths[1]] = Probe("Readiness: the database answers.");
        return Task.CompletedTask;
    }

    static OpenApiPathItem Probe(string summary)
    {
        static Dictionary<string, OpenApiMediaType> Text() => new() { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Healthy", Content = Text() },
                        ["503"] = new OpenApiResponse { Description = "Unhealthy", Content = Text() },
                    },
                },
            },
        };
    }
}
