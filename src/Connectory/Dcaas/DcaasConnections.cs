using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.DataSources;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Dcaas;

/// <summary>A create request from either surface: DcaasConnectionCreate on data-connections, or the deprecated DCaaS body.</summary>
internal sealed record DcaasRequest(
    string? Name, string? DataSourceId, JsonElement? Properties, string? Space, IReadOnlyList<string?>? Tags, bool AuthUrlOnly,
    string NameField = "qName", string DataSourceField = "datasourceID");

/// <summary>What a create came to: a connection, an authorize URL, or a failure (with each bad property named).</summary>
internal sealed record DcaasOutcome(
    DataConnection? Connection = null, DataCredential? Credential = null, ConnectionPrivileges Privileges = ConnectionPrivileges.None,
    string? AuthUrl = null, ApiError? Error = null, IReadOnlyList<PropertyProblem>? Problems = null, bool Disabled = false)
{
    public static DcaasOutcome Fail(ApiError error) => new(Error: error);

    public static DcaasOutcome Invalid(string dataSourceId, IReadOnlyList<PropertyProblem> problems) => new(
        Error: ApiError.InvalidField("connectionProperties", $"does not fit data source '{dataSourceId}': {string.Join("; ", problems)}"),
        Problems: problems);
}

/// <summary>
/// Connections made from a data source's definition: properties checked against its schema, the statement printed from
/// its template, secrets into an embedded credential (encrypted), the QRI from its qriDefinition, OAuth codes exchanged
/// before anything is stored. Both the data-connections API and the deprecated DCaaS endpoints use this one path.
/// </summary>
internal sealed class DcaasConnections(
    ConnectoryDb db, DataSourceCatalog catalog, DataSourceSettings settings, ConnectionWrites writes, CredentialStore credentials,
    TenantKeys tenantKeys, OAuthFlow oauth)
{
    public const string PropertiesPath = "/connectionProperties/";
    const string AutomaticTagPrefix = "DcaasAPI:";

    public static string AutomaticTag(DataSourceDefinition definition) => $"{AutomaticTagPrefix}{definition.Provider}:{definition.ConnectorVersion}";

    public async Task<DcaasOutcome> CreateAsync(DcaasRequest request, Caller caller, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.DataSourceId))
        {
            return DcaasOutcome.Fail(ApiError.MissingField(request.DataSourceField));
        }
        if (catalog.Find(request.DataSourceId) is not { } definition)
        {
            return DcaasOutcome.Fail(ApiError.InvalidField(request.DataSourceField, $"names no data source in the catalog: '{request.DataSourceId}' (see GET /api/v1/data-sources)"));
        }
        if (await settings.IsDisabledAsync(definition.DataSourceId, ct))
        {
            return new DcaasOutcome(Error: ApiError.Forbidden($"Data source '{definition.DataSourceId}' is disabled in this tenant; no new connections can be made with it."), Disabled: true);
        }
        if (request.Properties is not { ValueKind: JsonValueKind.Object } raw)
        {
            return DcaasOutcome.Fail(ApiError.InvalidField("connectionProperties", "must be an object"));
        }
        if (DuplicateName(raw) is { } duplicate)
        {
            return DcaasOutcome.Fail(ApiError.InvalidField("connectionProperties", $"names '{duplicate}' more than once"));
        }
        var given = JsonNode.Parse(raw.GetRawText())!.AsObject();
        if (request.AuthUrlOnly && definition.OAuth is not null)
        {
            // The spec: with authUrlOnly on an OAuth source, everything else in the request is ignored.
            var (url, refused) = oauth.AuthUrl(definition, caller);
            return refused is not null ? DcaasOutcome.Fail(ToError(refused)) : new DcaasOutcome(AuthUrl: url);
        }
        var error = ConnectionFields.CheckName(request.Name, request.NameField);
        if (error is not null)
        {
            return DcaasOutcome.Fail(error);
        }
        var (values, problems) = definition.Schema.Validate(given, definition.DataSourceId);
        string? code = null;
        if (definition.OAuth is not null)
        {
            code = values.GetValueOrDefault(OAuthFlow.AuthCodeProperty)?.GetValue<string>();
            if (string.IsNullOrEmpty(code) && !problems.Any(p => p.Property == OAuthFlow.AuthCodeProperty))
            {
                problems.Add(new(OAuthFlow.AuthCodeProperty, "is required to make an OAuth connection (send authUrlOnly: true first to get the authorize URL)"));
            }
        }
        if (problems.Count > 0)
        {
            return DcaasOutcome.Invalid(definition.DataSourceId, problems);
        }
        var tags = (request.Tags ?? []).Append(AutomaticTag(definition)).ToList();
        if (ConnectionFields.CheckTags(tags) is { } badTags)
        {
            return DcaasOutcome.Fail(tags.Count > ConnectionFields.MaxTags
                ? ApiError.InvalidField("tags", $"may hold at most {ConnectionFields.MaxTags - 1} tags here (one more, {AutomaticTag(definition)}, is added), not {tags.Count - 1}")
                : badTags);
        }
        var statement = definition.Template.Print(values);
        if (ConnectionFields.CheckStatement(statement) is { } badStatement)
        {
            return DcaasOutcome.Fail(badStatement);
        }
        var (spaceId, _, spaceError) = await writes.TargetSpaceAsync(caller, request.Space, ct);
        if (spaceError is not null)
        {
            return DcaasOutcome.Fail(spaceError);
        }
        // Everything the caller sent is checked; only now may the code be spent, and nothing is stored before it is.
        JsonObject? tokens = null;
        if (code is not null)
        {
            var (exchanged, failed) = await oauth.ExchangeAsync(definition, code, values.GetValueOrDefault(OAuthFlow.StateProperty)?.GetValue<string>(), caller, ct);
            if (failed is not null)
            {
                return failed.Status == 400 ? DcaasOutcome.Invalid(definition.DataSourceId, [new(failed.Property, failed.Detail)]) : DcaasOutcome.Fail(ToError(failed));
            }
            tokens = exchanged;
        }

        var username = UsernameOf(definition, values);
        var secret = SecretBundle.Write(definition, values, tokens);
        var (created, rejected) = await writes.CreateAsync(new NewConnection
        {
            Name = request.Name,
            Type = definition.ConnectionType,
            DatasourceId = definition.DataSourceId,
            Statement = statement,
            SpaceId = spaceId,
            Tags = tags,
            // The secrets (OAuth tokens among them) go to an embedded credential, encrypted as one bundle.
            Username = username ?? (secret is null ? null : ""),
            Password = secret,
            Qri = DataSourceQri.For(definition, values, await tenantKeys.QriKeyAsync(caller.TenantId, ct)),
        }, caller, ct);
        return created is null ? DcaasOutcome.Fail(rejected!) : new DcaasOutcome(created.Connection, created.Credential, created.Privileges);
    }

    /// <summary>403 when a connection made from a statement names a data source this tenant has disabled.</summary>
    public async Task<ApiError?> RefuseDisabledAsync(string? dataSourceId, CancellationToken ct) =>
        catalog.Find(dataSourceId?.Trim()) is { } definition && await settings.IsDisabledAsync(definition.DataSourceId, ct)
            ? ApiError.Forbidden($"Data source '{definition.DataSourceId}' is disabled in this tenant; no new connections can be made with it.")
            : null;

    /// <summary>
    /// The connection's properties read back through its definition (secrets left out), or null when the connection
    /// was not made from one (no definition, or a statement of another form).
    /// </summary>
    public async Task<JsonObject?> ReadPropertiesAsync(DataConnection connection, CancellationToken ct)
    {
        if (catalog.Find(connection.DatasourceId) is not { } definition)
        {
            return null;
        }
        var statement = ConnectStatement.Parse(connection.ConnectStatement);
        if (!definition.Template.Matches(statement))
        {
            return null;
        }
        var properties = definition.Template.Read(statement);
        if (definition.Schema.Properties.FirstOrDefault(p => p.CredentialUsername) is { } usernameProperty && connection.CredentialId is not null)
        {
            var username = await db.DataCredentials.AsNoTracking().Where(c => c.Id == connection.CredentialId).Select(c => c.Username).FirstOrDefaultAsync(ct);
            if (!string.IsNullOrEmpty(username))
            {
                properties[usernameProperty.Name] = username;
            }
        }
        return properties;
    }

    /// <summary>Whether a PATCH touches <c>/connectionProperties/&lt;name&gt;</c> paths (then <see cref="PatchAsync"/> handles it).</summary>
    public static bool Handles(IReadOnlyList<PatchOperation?>? operations) =>
        operations?.Any(o => o?.path?.StartsWith(PropertiesPath, StringComparison.Ordinal) == true) == true;

    /// <summary>
    /// Applies <c>/connectionProperties/&lt;name&gt;</c> operations (with any other documented paths in the same request):
    /// the merged properties are checked against the schema and the statement re-printed; changing the target keeps the
    /// data-connections rule (credentials must come in the same request).
    /// </summary>
    public async Task<ApiError?> PatchAsync(
        DataConnection connection, IReadOnlyList<PatchOperation?> operations, Caller caller, CancellationToken ct, Func<ConnectionChange, Task<ApiError?>>? beforeApply = null)
    {
        if (catalog.Find(connection.DatasourceId) is not { } definition || await ReadPropertiesAsync(connection, ct) is not { } current)
        {
            return ApiError.BadRequest("This connection was not made from a data-source definition, so it has no connectionProperties to patch; patch /qConnectStatement instead.");
        }
        static bool Own(PatchOperation? o) => o?.path?.StartsWith(PropertiesPath, StringComparison.Ordinal) == true;
        var own = operations.Where(Own).ToList();
        var others = operations.Where(o => !Own(o)).ToList();
        if (others.Any(o => o?.path == "/qConnectStatement"))
        {
            return ApiError.BadRequest("Patch either /qConnectStatement or /connectionProperties/<name>, not both: the statement is printed from the properties.");
        }
        var change = new ConnectionChange();
        if (others.Count > 0 && ConnectionPatch.TryParse(others, connection.TagList(), out change) is { } invalid)
        {
            return invalid;
        }
        var secrets = new JsonObject();
        var problems = new List<PropertyProblem>();
        foreach (var operation in own)
        {
            var name = operation!.path![PropertiesPath.Length..].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            var spec = definition.Schema.Find(name);
            if (spec is null || spec.WriteOnly)
            {
                problems.Add(new(name, spec is null ? $"is not a connection property of data source '{definition.DataSourceId}'" : "cannot be patched; send the qlik-auth-code and qlik-auth-state headers to authorize again"));
                continue;
            }
            if (operation.op is not ("add" or "replace" or "remove"))
            {
                return ApiError.InvalidField("op", $"must be add, replace or remove ({operation.path})");
            }
            if (operation.value is { } given && DuplicateName(given) is { } duplicate)
            {
                return ApiError.InvalidField("value", $"names '{duplicate}' more than once ({operation.path})");
            }
            var value = operation.op == "remove" ? null : operation.value is { } v ? JsonNode.Parse(v.GetRawText()) : null;
            if (operation.op != "remove" && value is null)
            {
                return ApiError.InvalidField("value", $"is required for '{operation.op}' ({operation.path})");
            }
            if (spec.Secret)
            {
                secrets[name] = value;
            }
            else
            {
                current[name] = value;
            }
        }
        var storedSecrets = connection.CredentialId is null ? new HashSet<string>() : definition.Schema.Secrets.Select(s => s.Name).ToHashSet();
        var merged = new JsonObject(current.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value!.DeepClone()))
            .Concat(secrets.Where(s => s.Value is not null).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value!.DeepClone()))));
        var (values, found) = definition.Schema.Validate(merged, definition.DataSourceId, storedSecrets);
        problems.AddRange(found);
        foreach (var (name, value) in secrets.Where(s => s.Value is null))
        {
            if (definition.Schema.Find(name)!.Required)
            {
                problems.Add(new(name, "is required and cannot be removed"));
            }
        }
        if (problems.Count > 0)
        {
            return DcaasOutcome.Invalid(definition.DataSourceId, problems).Error;
        }
        change.Statement = definition.Template.Print(values);
        if (ConnectionFields.CheckStatement(change.Statement) is { } badStatement)
        {
            return badStatement;
        }
        if (definition.Schema.Properties.FirstOrDefault(p => p.CredentialUsername) is { } usernameProperty && current.ContainsKey(usernameProperty.Name))
        {
            var username = UsernameOf(definition, values) ?? "";
            var stored = connection.CredentialId is null ? null
                : await db.DataCredentials.AsNoTracking().Where(c => c.Id == connection.CredentialId).Select(c => c.Username).FirstOrDefaultAsync(ct);
            if (username != (stored ?? ""))
            {
                change.Username = username;
            }
        }
        if (secrets.Count > 0)
        {
            var previous = connection.CredentialId is null ? null : await db.DataCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connection.CredentialId, ct);
            change.Password = SecretBundle.Merge(definition, previous is null ? null : credentials.PasswordOf(previous), secrets);
            change.PasswordGiven = true;
        }
        if (beforeApply is not null && await beforeApply(change) is { } refused)
        {
            return refused;
        }
        if (await writes.ApplyAsync(connection, change, caller, ct) is { } failed)
        {
            return failed;
        }
        // The QRI follows the definition's connection part, not the generic statement target.
        connection.Qri = DataSourceQri.For(definition, values, await tenantKeys.QriKeyAsync(connection.TenantId, ct));
        return await writes.SaveAsync(connection.Name, ct);
    }

    /// <summary>
    /// PATCH with <c>qlik-auth-code</c>: authorizes the connection again. The operations in the body are checked first,
    /// then the state and the code (exchanged at the token URL), and only then is anything stored: the new tokens
    /// replace the old ones in the connection's credential, in the same save as the operations. Any failure leaves
    /// the connection as it was.
    /// </summary>
    public async Task<ApiError?> ReauthorizeAsync(
        DataConnection connection, IReadOnlyList<PatchOperation?> operations, string code, string? state, Caller caller, CancellationToken ct)
    {
        if (catalog.Find(connection.DatasourceId) is not { OAuth: not null } definition)
        {
            return ApiError.BadRequest($"{OAuthFlow.AuthCodeHeader} applies to OAuth data sources, and this connection's data source does not use OAuth.");
        }
        async Task<ApiError?> Exchange(ConnectionChange change)
        {
            var (tokens, failed) = await oauth.ExchangeAsync(definition, code, state, caller, ct, "nothing was changed");
            if (failed is not null)
            {
                return failed.Status == 400
                    ? ApiError.InvalidField(failed.Property == OAuthFlow.StateProperty ? OAuthFlow.AuthStateHeader : OAuthFlow.AuthCodeHeader, failed.Detail)
                    : ToError(failed);
            }
            var previous = change.PasswordGiven ? change.Password : await StoredSecretsAsync(connection, caller, ct);
            change.Password = SecretBundle.WithTokens(previous, tokens!);
            change.PasswordGiven = true;
            return null;
        }
        if (Handles(operations))
        {
            return await PatchAsync(connection, operations, caller, ct, Exchange);
        }
        var change = new ConnectionChange();
        // The header alone is a whole request: an empty array of operations is allowed with it.
        if (operations.Count > 0 && ConnectionPatch.TryParse(operations, connection.TagList(), out change) is { } invalid)
        {
            return invalid;
        }
        return await Exchange(change) ?? await writes.ApplyAsync(connection, change, caller, ct);
    }

    /// <summary>
    /// The connection's OAuth tokens, refreshed first (RFC 6749 §6) when the access token has expired and a refresh
    /// token is stored; the new tokens are stored encrypted before they are returned. Status is null for a connection
    /// that is not an OAuth one, else one of <see cref="TokenStatus"/>'s values.
    /// </summary>
    public async Task<(JsonObject? Tokens, string? Status, DateTimeOffset? ExpiresAt)> FreshTokensAsync(DataConnection connection, Caller caller, CancellationToken ct)
    {
        if (catalog.Find(connection.DatasourceId) is not { OAuth: not null } definition)
        {
            return (null, null, null);
        }
        var credential = await CredentialOfAsync(connection, caller, tracked: true, ct);
        JsonObject bundle;
        try
        {
            bundle = SecretBundle.Parse(credential is null ? null : credentials.PasswordOf(credential));
        }
        catch (SecretDecryptionException)
        {
            // Reading the connection does not depend on its secret: the read goes on and says so.
            return (null, TokenStatus.Unreadable, null);
        }
        if (bundle["oauth"] is not JsonObject tokens || tokens["access_token"] is null)
        {
            return (null, TokenStatus.Missing, null);
        }
        if (!oauth.IsExpired(tokens))
        {
            return (tokens, TokenStatus.Valid, ExpiresAt(tokens));
        }
        if (tokens["refresh_token"]?.GetValueKind() != JsonValueKind.String)
        {
            return (null, TokenStatus.Expired, ExpiresAt(tokens));
        }
        var (fresh, failed) = await oauth.RefreshAsync(definition, tokens["refresh_token"]!.GetValue<string>(), ct);
        if (failed is not null)
        {
            // A refused refresh token needs the user again (PATCH with qlik-auth-code); anything else may pass.
            return (null, failed.Status == 400 && failed.Property == OAuthFlow.AuthCodeProperty ? TokenStatus.Expired : TokenStatus.RefreshFailed, ExpiresAt(tokens));
        }
        bundle["oauth"] = fresh;
        credentials.SetPassword(credential!, bundle.ToJsonString());
        await db.SaveChangesAsync(ct);
        return (fresh, TokenStatus.Refreshed, ExpiresAt(fresh!));
    }

    static DateTimeOffset? ExpiresAt(JsonObject tokens) =>
        tokens["expires_at"] is { } at && at.GetValueKind() == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeSeconds(at.GetValue<long>()) : null;

    /// <summary>The credential that holds the connection's secrets for this caller: the embedded one, or the caller's separated one.</summary>
    async Task<DataCredential?> CredentialOfAsync(DataConnection connection, Caller caller, bool tracked, CancellationToken ct)
    {
        if (connection.SeparateCredentials)
        {
            return await credentials.SeparatedForAsync(connection.Id, caller.UserId, ct, tracked);
        }
        return connection.CredentialId is null
            ? null
            : await (tracked ? db.DataCredentials : db.DataCredentials.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == connection.CredentialId, ct);
    }

    async Task<string?> StoredSecretsAsync(DataConnection connection, Caller caller, CancellationToken ct) =>
        await CredentialOfAsync(connection, caller, tracked: false, ct) is { } credential ? credentials.PasswordOf(credential) : null;

    /// <summary>A member name that occurs twice in one object (JSON allows it; a property set cannot hold it), or null.</summary>
    static string? DuplicateName(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key
            ?? element.EnumerateObject().Select(p => DuplicateName(p.Value)).FirstOrDefault(d => d is not null),
        JsonValueKind.Array => element.EnumerateArray().Select(DuplicateName).FirstOrDefault(d => d is not null),
        _ => null,
    };

    static string? UsernameOf(DataSourceDefinition definition, Dictionary<string, JsonNode> values) =>
        definition.Schema.Properties.FirstOrDefault(p => p.CredentialUsername) is { } property && values.TryGetValue(property.Name, out var value)
            ? PropertySchema.ToText(property, value)
            : null;

    public static ApiError ToError(OAuthFailure failure) => failure.Status switch
    {
        502 => new ApiError(ErrorCatalog.BadGateway, failure.Detail),
        _ => ApiError.BadRequest(failure.Detail),
    };
}
