using System.Text.Json.Serialization.Metadata;
using Connectory.Dcaas;
using Connectory.Qrs;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Connectory.ApiDocuments;

/// <summary>Schema names: the type's own, except where Qlik's document names the same shape otherwise.</summary>
internal static class SchemaNames
{
    static readonly Dictionary<Type, string> QlikNames = new()
    {
        [typeof(QrsDataConnection)] = "DataConnection",
        [typeof(QrsDataConnectionCondensed)] = "DataConnectionCondensed",
        [typeof(QrsUserCondensed)] = "UserCondensed",
        [typeof(QrsTagCondensed)] = "TagCondensed",
        [typeof(QrsCustomPropertyValueView)] = "CustomPropertyValue",
        [typeof(QrsCustomPropertyDefinitionCondensed)] = "CustomPropertyDefinitionCondensed",
        [typeof(DcaasResponseErrors)] = "ResponseErrors",
    };

    public static string? Of(JsonTypeInfo type) =>
        QlikNames.TryGetValue(type.Type, out var name) ? name : OpenApiOptions.CreateDefaultSchemaReferenceId(type);

    public static string Of(Type type) => QlikNames.TryGetValue(type, out var name) ? name : type.Name;

    /// <summary>Puts <paramref name="schema"/> among the document's components (once) and answers a reference to it.</summary>
    public static OpenApiSchemaReference Register(OpenApiDocument document, string name, IOpenApiSchema schema)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(name, schema);
        return new OpenApiSchemaReference(name, document);
    }
}

/// <summary>Every operation of a document under one tag, the document's title (not the handler class's name).</summary>
internal sealed class OperationTags(ApiDocument api) : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Tags = new HashSet<OpenApiTagReference> { new(api.Title, context.Document) };
        return Task.CompletedTask;
    }
}
