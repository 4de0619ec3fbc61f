using Connectory.Data;
using Connectory.DataCredentials;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Namespaces;
using Connectory.Platform.Paging;
using Connectory.Platform.Preconditions;
using Connectory.Platform.Spaces;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataConnections;

/// <summary>Contract: shared/spec/data-connections.openapi.json — paths, parameters, statuses and bodies follow it.</summary>
internal static class DataConnectionsEndpoints
{
    public static IServiceCollection AddDataConnections(this IServiceCollection services)
    {
        services.AddScoped<TenantKeys>();
        services.AddScoped<CredentialStore>();
        services.AddScoped<ConnectionWrites>();
        services.AddScoped<ConnectionActions>();
        services.AddScoped<ConnectionListing>();
        services.AddScoped<ConnectionCounts>();
        services.AddScoped<ISpaceDeletionGuard, SpacesKeepTheirConnections>();
        return services;
    }

    public static RouteGroupBuilder MapDataConnections(this IEndpointRouteBuilder app, ApiNamespace ns)
    {
        var group = app.MapGroup(ns.Prefix + "/data-connections").RequireAuthorization().InNamespace(ns);
        group.MapGet("/", List).FirstOfRepeatedQuery();
        group.MapPost("/", Create);
        group.MapPost("/actions/delete", BulkDelete);
        group.MapPost("/actions/update", BulkUpdate);
        group.MapPost("/actions/duplicate", Duplicate);
        group.MapGet("/{qID}", Get);
        group.MapPatch("/{qID}", Patch);
        group.MapPut("/{qID}", Put);
        group.MapDelete("/{qID}", Delete);
        return group;
    }

    static Task<IResult> List(
        Caller caller, ConnectionListing listing, HttpRequest request,
        string? dataName, bool? extended, string? spaceId, bool? personal, string? owner, bool? ownedByMe, int? limit, string? sort, string? page,
        bool? noDatafiles, string? userId, bool? caseinsensitive, string? locale, bool? includeQris, string? filter, bool? includeDisabled,
        CancellationToken ct) =>
        listing.ListAsync(
            new ListParameters(dataName, extended, spaceId, personal, owner, ownedByMe, limit, sort, page, noDatafiles, userId, caseinsensitive, locale, includeQris, filter, includeDisabled),
            caller, request, ct);

    static async Task<Results<Created<ConnectionCreateResponse>, JsonHttpResult<DcaasConnectionCreateAuthResponse>, ApiError>> Create(
        ConnectionCreate body, Caller caller, ConnectionWrites writes, IDefinedConnections defined, HttpRequest request, CancellationToken ct)
    {
        // If-None-Match: * asks for what every create does: a name or id already taken is a 409.
        if (Preconditions.ForCreate(request) is { } malformed)
        {
            return malformed;
        }
        if (defined.IsPropertiesBody(body))
        {
            var outcome = await defined.CreateAsync(body, caller, ct);
            if (outcome.AuthUrl is { } url)
            {
                return TypedResults.Json(new DcaasConnectionCreateAuthResponse(url), ErrorJson.Options, statusCode: StatusCodes.Status201Created);
            }
            return outcome.Created is { } made ? Created(made, request) : outcome.Error!;
        }
        if (await defined.RefuseDisabledAsync(body.datasourceID, ct) is { } disabled)
        {
            return disabled;
        }
        if (FromWire(body, out var command) is { } invalid)
        {
            return invalid;
        }
        var (created, error) = await writes.CreateAsync(command, caller, ct);
        if (created is null)
        {
            return error!;
        }
        return Created(created, request);
    }

    static Created<ConnectionCreateResponse> Created(CreatedConnection created, HttpRequest request)
    {
        var response = created.Connection.ToCreateResponse(created.Privileges, request, created.Credential?.Id, created.Credential?.Name);
        Preconditions.Tag(request.HttpContext.Response, created.Connection);
        return TypedResults.Created(response.links.self.Href, response);
    }

    /// <summary>The spec's ConnectionCreate as the registry's create command; what only the wire can get wrong is checked here.</summary>
    static ApiError? FromWire(ConnectionCreate body, out NewConnection command)
    {
        command = new NewConnection();
        var idError = ConnectionFields.CheckUuid(body.qID, "qID", out var id);
        var engineIdError = ConnectionFields.CheckUuid(body.qEngineObjectID, "qEngineObjectID", out var engineId);
        var logOnError = ConnectionFields.ParseLogOn(body.qLogOn, out var logOn);
        var architectureError = ConnectionFields.ParseArchitecture(body.qArchitecture, out var architecture);
        if ((idError ?? engineIdError ?? logOnError ?? architectureError) is { } error)
        {
            return error;
        }
        if (id is not null && engineId is not null && id != engineId)
        {
            return ApiError.InvalidField("qEngineObjectID", "must equal qID");
        }
        var inline = body.qUsername is not null || body.qPassword is not null;
        // qCredentialsName names the credential made from qUsername/qPassword, or, without them, one of the caller's to link.
        var linked = !string.IsNullOrEmpty(body.qCredentialsID) ? body.qCredentialsID : inline ? null : NullIfEmpty(body.qCredentialsName);
        command = new NewConnection
        {
            Id = id ?? engineId,
            Name = body.qName,
            Type = body.qType,
            DatasourceId = body.datasourceID,
            Statement = body.qConnectStatement,
            SpaceId = body.space,
            LogOn = logOn,
            Architecture = architecture,
            SeparateCredentials = body.qSeparateCredentials == true,
            Tags = body.tags,
            AppOwner = body.owner ?? body.ownerId,
            Username = body.qUsername,
            Password = body.qPassword,
            CredentialName = inline ? body.qCredentialsName : null,
            CredentialRef = linked,
            CredentialRefByName = string.IsNullOrEmpty(body.qCredentialsID),
            Secret = body.qConnectionSecret,
        };
        return null;
    }

    static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    static async Task<Results<Ok<ConnectionGet>, ApiError>> Get(
        string qID, Caller caller, ConnectoryDb db, HotSql reads, ConnectionWrites writes, CredentialStore credentials, HttpRequest request,
        string? type, string? spaceId, string? credentialId, bool? byCredentialName, bool? parseConnection, bool? noCache, bool? extended,
        IDefinedConnections defined, CancellationToken ct)
    {
        var (found, error) = await ConnectionLookup.ResolveAsync(db, caller, PathName(qID, type, request), type, spaceId, tracked: false, ct, reads);
        if (found is null)
        {
            return error!;
        }
        if (found.IsDataFiles)
        {
            var created = found.DataFilesSpace?.CreatedAt
                ?? await db.Users.AsNoTracking().Where(u => u.Id == found.DataFilesOwner).Select(u => u.CreatedAt).FirstOrDefaultAsync(ct);
            return TypedResults.Ok(DataFiles.Get(caller.TenantId, found.DataFilesSpace, found.DataFilesOwner ?? "", created, request));
        }
        var connection = found.Stored!;
        var privileges = found.Privileges;
        // A single read may carry the connection secret, and always carries what this caller may see: never stored by a cache.
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        request.HttpContext.Response.Headers.Pragma = "no-cache";
        Preconditions.Tag(request.HttpContext.Response, connection);
        string? credential;
        if (!string.IsNullOrEmpty(credentialId))
        {
            var chosen = await credentials.FindOwnAsync(caller.UserId, credentialId, byCredentialName == true, ct);
            if (chosen is null)
            {
                return ApiError.NotFound($"Credential '{credentialId}'");
            }
            credential = chosen.Id;
        }
        else
        {
            credential = connection.SeparateCredentials
                ? (await credentials.SeparatedForAsync(connection.Id, caller.UserId, ct))?.Id
                : connection.CredentialId;
        }
        var view = connection.ToGet(privileges, request, credential, includeQri: true) with
        {
            // The connection secret leaves the service only here, and only to those who may change the connection.
            qConnectionSecret = privileges.HasFlag(ConnectionPrivileges.Update) ? writes.SecretOf(connection) : null,
            // A connection made from a data-source definition reads back through that definition.
            connectionProperties = parseConnection == true
                ? await defined.ReadPropertiesAsync(connection, ct) ?? ConnectionProperties.From(ConnectStatement.Parse(connection.ConnectStatement))
                : null,
        };
        // An OAuth connection's tokens are refreshed when expired; only their status is told, never the tokens.
        if (parseConnection == true)
        {
            await defined.ReportTokenStatusAsync(connection, caller, request.HttpContext.Response, ct);
        }
        return TypedResults.Ok(view);
    }

    static async Task<Results<NoContent, ApiError>> Patch(
        string qID, List<PatchOperation?> operations, Caller caller, ConnectoryDb db, ConnectionWrites writes, HttpRequest request,
        string? type, [FromHeader(Name = "qlik-auth-code")] string? authCode, [FromHeader(Name = "qlik-auth-state")] string? authState,
        IDefinedConnections defined, CancellationToken ct)
    {
        if (PatchOperation.CheckCount(operations.Count) is { } tooMany)
        {
            return tooMany;
        }
        var (found, error) = await ConnectionLookup.ResolveAsync(db, caller, PathName(qID, type, request), type, null, tracked: true, ct);
        if (Refuse(found, error) is { } refused)
        {
            return refused;
        }
        var connection = found!.Stored!;
        if (Require(request, connection) is { } failedCondition)
        {
            return failedCondition;
        }
        // qlik-auth-code (with qlik-auth-state) authorizes an OAuth connection again; /connectionProperties/<name>
        // paths re-print the statement from the data source's definition.
        if (defined.HandlesPatch(operations, authCode))
        {
            return await defined.PatchAsync(connection, operations, authCode, authState, caller, ct) is { } refusedDefined ? refusedDefined : Patched(request, connection);
        }
        if (ConnectionPatch.TryParse(operations, connection.TagList(), out var change) is { } invalid)
        {
            return invalid;
        }
        return await writes.ApplyAsync(connection, change, caller, ct) is { } failed ? failed : Patched(request, connection);
    }

    static async Task<Results<NoContent, ApiError>> Put(
        string qID, ConnectionUpdate body, Caller caller, ConnectoryDb db, ConnectionWrites writes, HttpRequest request, string? type, string? spaceId, CancellationToken ct)
    {
        var (found, error) = await ConnectionLookup.ResolveAsync(db, caller, PathName(qID, type, request), type, spaceId, tracked: true, ct);
        if (Refuse(found, error) is { } refused)
        {
            return refused;
        }
        if (Require(request, found!.Stored!) is { } failedCondition)
        {
            return failedCondition;
        }
        return await writes.ReplaceAsync(found, body, caller, ct) is { } failed ? failed : TypedResults.NoContent();
    }

    static async Task<Results<NoContent, ApiError>> Delete(
        string qID, Caller caller, ConnectoryDb db, ConnectionActions actions, HttpRequest request, string? type, string? spaceId, CancellationToken ct)
    {
        var (found, error) = await ConnectionLookup.ResolveAsync(db, caller, PathName(qID, type, request), type, spaceId, tracked: true, ct);
        if (Refuse(found, error, ConnectionPrivileges.Delete) is { } refused)
        {
            return refused;
        }
        if (Require(request, found!.Stored!) is { } failedCondition)
        {
            return failedCondition;
        }
        return await actions.DeleteAsync(found.Stored!, ct) is { } failed ? failed : TypedResults.NoContent();
    }

    static async Task<Results<JsonHttpResult<BulkResponse>, ApiError>> BulkDelete(ActionDeleteRequest body, Caller caller, ConnectionActions actions, CancellationToken ct)
    {
        if (CheckBulk(caller, body.connections) is { } invalid)
        {
            return invalid;
        }
        return TypedResults.Json(await actions.BulkDeleteAsync(body.connections!, caller, ct), ErrorJson.Options, statusCode: StatusCodes.Status207MultiStatus);
    }

    static async Task<Results<JsonHttpResult<BulkResponse>, ApiError>> BulkUpdate(ActionUpdateRequest body, Caller caller, ConnectionActions actions, CancellationToken ct)
    {
        if (CheckBulk(caller, body.connections) is { } invalid)
        {
            return invalid;
        }
        return TypedResults.Json(await actions.BulkUpdateAsync(body.connections!, caller, ct), ErrorJson.Options, statusCode: StatusCodes.Status207MultiStatus);
    }

    static async Task<Results<Created<ConnectionCreateResponse>, ApiError>> Duplicate(
        ActionDuplicateRequest body, Caller caller, ConnectoryDb db, ConnectionActions actions, HttpRequest request, CancellationToken ct)
    {
        var (copy, credentialId, credentialName, error) = await actions.DuplicateAsync(body, caller, ct);
        if (copy is null)
        {
            return error!;
        }
        var access = await ConnectionAccess.ForSpaceAsync(db, caller, copy.SpaceId, ct);
        var response = copy.ToCreateResponse(access.Privileges(copy), request, credentialId, credentialName);
        Preconditions.Tag(request.HttpContext.Response, copy);
        return TypedResults.Created(response.links.self.Href, response);
    }

    /// <summary>
    /// With type=connectionname, the {qID} segment fully decoded from the raw request target: routing leaves %2F
    /// encoded (so '/' cannot split a path), but a connection's name may hold a '/'.
    /// </summary>
    static string PathName(string qID, string? type, HttpRequest request)
    {
        if (type != "connectionname" || request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is not { } raw)
        {
            return qID;
        }
        var path = raw.Split('?', 2)[0];
        var segment = path[(path.LastIndexOf('/') + 1)..];
        return segment.Length == 0 ? qID : Uri.UnescapeDataString(segment);
    }

    static ApiError? CheckBulk(Caller caller, List<BulkItem>? items)
    {
        if (!caller.IsAnyAdmin)
        {
            return ApiError.Forbidden("Bulk actions need an admin role (TenantAdmin, AnalyticsAdmin or DataAdmin).");
        }
        if (items is null || items.Count == 0)
        {
            return ApiError.MissingField("connections");
        }
        if (items.Any(i => i is null))
        {
            return ApiError.InvalidField("connections", "must hold objects, not null");
        }
        return items.Count > ConnectionActions.MaxBulkItems
            ? ApiError.InvalidField("connections", $"may hold at most {ConnectionActions.MaxBulkItems} items, not {items.Count}")
            : null;
    }

    /// <summary>
    /// If-Match and If-None-Match against the connection as read (412 or 400 when they fail); an If-Match tag makes the
    /// save conditional on the version read, so a write that lands in between turns this one into a 412 too.
    /// </summary>
    static ApiError? Require(HttpRequest request, DataConnection connection)
    {
        var (error, required) = Preconditions.ForWrite(request, "data connection", connection);
        connection.RequiredVersion = required;
        return error;
    }

    /// <summary>A PATCH answers 204 with the patched connection's new ETag (RFC 5789 §2).</summary>
    static NoContent Patched(HttpRequest request, DataConnection connection)
    {
        Preconditions.Tag(request.HttpContext.Response, connection);
        return TypedResults.NoContent();
    }

    /// <summary>404 when unseen (already in <paramref name="error"/>), 400 for DataFiles, 403 without the privilege.</summary>
    static ApiError? Refuse(ResolvedConnection? found, ApiError? error, ConnectionPrivileges privilege = ConnectionPrivileges.Update)
    {
        if (found is null)
        {
            return error;
        }
        if (found.IsDataFiles)
        {
            return ApiError.BadRequest($"'{DataFiles.Name}' connections are reserved and cannot be changed or deleted.");
        }
        return found.May(privilege) ? null : ApiError.Forbidden($"The caller may not {privilege.Verb()} this connection.");
    }
}

/// <summary>A space that still holds data connections cannot be deleted (412), so no connection is left without a space.</summary>
internal sealed class SpacesKeepTheirConnections : ISpaceDeletionGuard
{
    public async Task<string?> BlockingReasonAsync(ConnectoryDb db, string spaceId, CancellationToken ct)
    {
        var count = await db.DataConnections.CountAsync(c => c.SpaceId == spaceId, ct);
        return count == 0 ? null : $"The space still holds {count} data connection(s); move or delete them first.";
    }
}
