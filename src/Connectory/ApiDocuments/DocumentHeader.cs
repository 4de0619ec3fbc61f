using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Connectory.ApiDocuments;

/// <summary>The document's title, version, server and sign-in schemes.</summary>
internal sealed class DocumentHeader(ApiDocument api) : IOpenApiDocumentTransformer
{
    public const string Bearer = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Connectory: " + api.Title,
            Version = typeof(DocumentHeader).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
            Description = api.Summary,
        };
        // One tag per document (OperationTags puts every operation under it), in place of the handler classes' names.
        document.Tags = new HashSet<OpenApiTag> { new() { Name = api.Title, Description = api.Summary } };
        // Without Hosting:PublicUrl the document names no server, so clients resolve paths against wherever they
        // fetched it from; the document then stays the same whichever host name a request used.
        var publicUrl = context.ApplicationServices.GetRequiredService<IConfiguration>()["Hosting:PublicUrl"];
        document.Servers = string.IsNullOrEmpty(publicUrl) ? [] : [new OpenApiServer { Url = publicUrl.TrimEnd('/') }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key issued by this service, or a JWT from an issuer listed under Auth:Jwt.",
        };
        return Task.CompletedTask;
    }
}
