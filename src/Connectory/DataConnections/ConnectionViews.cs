using System.Text.Json;
using Connectory.Data;
using Connectory.Platform.Access;
using Connectory.Platform.Namespaces;
using Connectory.Platform.Paging;

namespace Connectory.DataConnections;

internal static class ConnectionViews
{
    public static IReadOnlyList<string> TagList(this IShownConnection c) =>
        c.Tags == "[]" ? [] : JsonSerializer.Deserialize(c.Tags, ConnectionJson.Default.ListString) ?? [];

    /// <summary>Non-ASCII text is kept as is, so 32 tags of 256 bytes always fit the stored column.</summary>
    public static string ToTags(IEnumerable<string> tags) => JsonSerializer.Serialize(tags, Errors.ErrorJson.Options);

    public static ConnectionGet ToGet(this DataConnection c, ConnectionPrivileges privileges, HttpRequest request, string? credentialId, bool includeQri) =>
        c.ToGet(c.TenantId, privileges, SelfBase(request), credentialId, includeQri);

    /// <summary>The absolute URL every connection's <c>links.self</c> starts with: computed once for a listing, not per row.</summary>
    public static string SelfBase(HttpRequest request) => ApiNamespace.Of(request).Url(request, "/data-connections/").Href;

    public static ConnectionGet ToGet(this IShownConnection c, string tenantId, ConnectionPrivileges privileges, string selfBase, string? credentialId, bool includeQri) => new(
        c.Id, c.Name, c.ConnectStatement, c.Type, c.LogOn, c.Id, c.Architecture, c.SeparateCredentials, privileges.Names(),
        tenantId, c.OwnerId, c.SpaceId ?? "", c.DatasourceId, c.TagList(), c.CreatedAt.ToRfc3339(), c.UpdatedAt.ToRfc3339(),
        new ConnectionLinks(new Link(selfBase + c.Id)),
        qCredentialsID: credentialId,
        qri: includeQri ? c.Qri : null);

    public static ConnectionCreateResponse ToCreateResponse(this DataConnection c, ConnectionPrivileges privileges, HttpRequest request, string? credentialId, string? credentialName) => new(
        c.Id, c.Name, c.ConnectStatement, c.Type, c.LogOn.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Id, c.Architecture,
        c.SeparateCredentials, privileges.Names(), c.OwnerId, c.SpaceId ?? "", c.CreatedAt.ToRfc3339(), c.UpdatedAt.ToRfc3339(),
        credentialId, credentialName, credentialId is null ? null : "cred:" + credentialId,
        new ConnectionLinks(new Link(SelfBase(request) + c.Id)));
}
