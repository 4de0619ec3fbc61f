using Connectory.Platform.Namespaces;
using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace Connectory.ApiDocuments;

/// <summary>
/// One served API document: a face of the service, named as in <c>/openapi/{Name}.json</c>. <paramref name="Paths"/>
/// are the route prefixes it holds; <paramref name="Namespace"/>, for the faces mapped once per namespace, is the
/// namespace whose endpoints it takes (from their <see cref="ApiNamespace"/> metadata, so /api/v1 and
/// /api/connectivity never share a document).
/// </summary>
internal sealed record ApiDocument(string Name, string Title, string Summary, ApiNamespace? Namespace, params string[] Paths)
{
    /// <summary>Paths under <see cref="Paths"/> that another document holds.</summary>
    public string[] Except { get; init; } = [];

    public bool Includes(ApiDescription description)
    {
        var path = "/" + (description.RelativePath ?? "").TrimStart('/');
        if (Except.Contains(path))
        {
            return false;
        }
        var ns = description.ActionDescriptor.EndpointMetadata.OfType<ApiNamespace>().FirstOrDefault();
        if (Namespace is not null && ns is not null && ns != Namespace)
        {
            return false;
        }
        return Paths.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal));
    }
}

internal static class ApiDocumentCatalog
{
    public static readonly IReadOnlyList<ApiDocument> All =
    [
        Face(ApiNamespace.V1, "data-connections", "Data connections", "Qlik Cloud's data-connections API: connections, their credentials and QRIs.") with
        {
            Except = [Bundles.BundlesEndpoints.ExportPath, Bundles.BundlesEndpoints.ImportPath],
        },
        new("bundles", "Bundles", "Export and import of data connections as bundles, secrets sealed to a recipient's key.", null, Bundles.BundlesEndpoints.ExportPath, Bundles.BundlesEndpoints.ImportPath),
        Face(ApiNamespace.V1, "data-credentials", "Data credentials", "Qlik Cloud's data-credentials API: the credentials connections use, owner-only."),
        Face(ApiNamespace.V1, "data-sources", "Data sources", "Qlik Cloud's data-sources API: the catalog of data-source definitions and their settings."),
        Face(ApiNamespace.Connectivity, "data-connections", "Connectivity: data connections", "The data-connections API under Qlik's newer /api/connectivity namespace (createdAt, ownerId)."),
        Face(ApiNamespace.Connectivity, "data-credentials", "Connectivity: data credentials", "The data-credentials API under /api/connectivity (createdAt)."),
        Face(ApiNamespace.Connectivity, "data-sources", "Connectivity: data sources", "The data-sources API under /api/connectivity (updatedAt), with QRI generation and run-time resolution of connections."),
        new("dcaas", "DCaaS (deprecated)", "The deprecated /api/v1/dcaas endpoints; every answer names its successor in a Link header.", null, "/api/v1/dcaas"),
        new("users", "Users", "Users of a tenant, with SCIM filters.", null, "/api/v1/users"),
        new("api-keys", "API keys", "API keys: issue, list, revoke; the tenant's key settings.", null, "/api/v1/api-keys"),
        new("spaces", "Spaces", "Spaces and their role assignments.", null, "/api/v1/spaces"),
        new("groups", "Groups", "Groups of a tenant (identity-provider and custom) and their stored memberships.", null, "/api/v1/groups"),
        new("audits", "Audit trail", "The tenant's append-only record of changes, for TenantAdmins.", null, "/api/v1/audits"),
        new("qrs-dataconnection", "QRS data connections", "The Qlik Sense Enterprise Repository API's /qrs/dataconnection over the same registry.", null, "/qrs/dataconnection", "/qrs/about/api/default/dataconnection"),
        new("service", "Service", "Health probes and the product information Qlik's clients read first.", null, "/health", "/resources"),
    ];

    public static ApiDocument? Find(string name) => All.FirstOrDefault(d => d.Name == name);

    static ApiDocument Face(ApiNamespace ns, string face, string title, string summary) =>
        new(ns == ApiNamespace.V1 ? face : "connectivity-" + face, title, summary, ns, ns.Prefix + "/" + face);
}
