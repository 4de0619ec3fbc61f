using System.Text.Json;
using System.Text.Json.Serialization;
using Connectory.Platform.Paging;

namespace Connectory.DataCredentials;

// Wire shapes of shared/spec/data-credentials.openapi.json; names are the spec's schema names.

/// <summary>The spec's <c>Credential</c>, plus qSeparated and connectionId as the data-connections API reports them.</summary>
internal sealed record Credential(
    string qID,
    string qName,
    string qType,
    string datasourceID,
    int qConnCount,
    string qReferenceKey,
    int qSeparated,
    string created,
    string updated,
    CredentialLinks links,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? connectionId = null);

internal sealed record CredentialLinks(Link self);

/// <summary>The PUT body: the spec's <c>CredentialCreate</c>.</summary>
internal sealed record CredentialCreate(
    string? qID,
    string? qName,
    string? qType,
    string? qPassword,
    string? qUsername,
    string? connectionId,
    string? datasourceID);

/// <summary>One item of the spec's <c>PatchRequest</c>.</summary>
internal sealed record CredentialPatchOperation(string? op, string? path, JsonElement? value);

/// <summary>The spec's <c>ActionFilterOrphanRequest</c>; <c>user</c> (an owner's id, as in the response items) narrows an admin's list.</summary>
internal sealed record ActionFilterOrphanRequest(string? qType, int? qSeparated, string? datasourceID, string? user);

internal sealed record ActionFilterOrphanResponse(IReadOnlyList<OrphanCredentialResItem> data, int count);

/// <summary>The spec's <c>OrphanCredentialResItem</c>; its required list says userId/tenantId but its properties, served here, are user/tenant.</summary>
internal sealed record OrphanCredentialResItem(
    string qID,
    string user,
    string qName,
    string qType,
    string tenant,
    string created,
    string updated,
    string datasourceID);
