using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.DataSources;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.ConnectionTesting;

/// <summary>What to test and with what: the target, the credentials, and every form of a secret a message must not show.</summary>
internal sealed record TestOrder(TestTarget Target, string? Username, string? Password, IReadOnlyCollection<string> Secrets, string? DataSourceId);

/// <summary>
/// Tests a connection for real, saved or not. Who may: for a saved connection, whoever may read it (and so use it in
/// a load), with the credential a load would get (the embedded or linked one, or the caller's own separated one);
/// for an unsaved one, whoever may create it in the space it names. Every call is recorded in the audit trail
/// (<c>connection.test</c>), never with a secret, a statement or a message.
/// </summary>
internal sealed class ConnectionTester(
    ConnectoryDb db, ConnectionWrites writes, CredentialStore credentials, IDefinedConnections defined, DataSourceCatalog catalog,
    OutboundPolicy policy, IOptions<ConnectionTestOptions> options, AuditLog audit, SecretReferences references)
{
    public const string Action = "connection.test";
    const string TargetKindName = "data-connection";

    public async Task<(ConnectionTestResult? Result, ApiError? Error)> TestSavedAsync(string qID, Caller caller, RequestOrigin origin, CancellationToken ct)
    {
        var detail = new JsonObject { ["saved"] = true, ["reference"] = Short(qID) };
        TestOrder order;
        string? connectionId = null;
        try
        {
            var (found, error) = await SavedOrderAsync(qID, caller, ct);
            connectionId = found?.Stored?.Id;
            if (error is not null)
            {
                return await RefuseAsync(caller, origin, detail, error, connectionId);
            }
            order = found!.Order!;
        }
        catch (SecretDecryptionException)
        {
            detail["error"] = ErrorCatalog.DecryptionFailed.Code;
            await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Failed, ErrorCatalog.DecryptionFailed.Status, TargetKindName, connectionId, detail));
            throw;
        }
        return (await RunAsync(order, caller, origin, detail, connectionId, ct), null);
    }

    public async Task<(ConnectionTestResult? Result, ApiError? Error)> TestNewAsync(ConnectionCreate body, Caller caller, RequestOrigin origin, CancellationToken ct)
    {
        var detail = new JsonObject { ["saved"] = false };
        if (!string.IsNullOrEmpty(body.space))
        {
            detail["spaceId"] = Short(body.space);
        }
        TestOrder order;
        try
        {
            var (made, error) = await NewOrderAsync(body, caller, ct);
            if (error is not null)
            {
                return await RefuseAsync(caller, origin, detail, error, null);
            }
            order = made!;
        }
        catch (SecretDecryptionException)
        {
            detail["error"] = ErrorCatalog.DecryptionFailed.Code;
            await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Failed, ErrorCatalog.DecryptionFailed.Status, Detail: detail));
            throw;
        }
        return (await RunAsync(order, caller, origin, detail, null, ct), null);
    }

    /// <summary>A call the rate limiter turned away.</summary>
    public Task RecordThrottledAsync(Caller caller, RequestOrigin origin) =>
        audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Refused, StatusCodes.Status429TooManyRequests,
            Detail: new JsonObject { ["error"] = ErrorCatalog.TooManyRequests.Code }));

    async Task<(ConnectionTestResult?, ApiError?)> RefuseAsync(Caller caller, RequestOrigin origin, JsonObject detail, ApiError error, string? connectionId)
    {
        detail["error"] = error.Kind.Code;
        await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Refused, error.Kind.Status, connectionId is null ? null : TargetKindName, connectionId, detail));
        return (null, error);
    }

    async Task<ConnectionTestResult> RunAsync(TestOrder order, Caller caller, RequestOrigin origin, JsonObject detail, string? connectionId, CancellationToken ct)
    {
        var target = order.Target;
        using var steps = new TestSteps(order.Secrets, options.Value.Timeout, ct);
        switch (target.Kind)
        {
            case TargetKind.Postgres:
                await PostgresProbe.RunAsync(steps, policy, target, order.Username, order.Password);
                break;
            case TargetKind.Http:
                await HttpProbe.RunAsync(steps, policy, target, order.Username, order.Password);
                break;
            case TargetKind.Folder:
                await FileProbes.FolderAsync(steps, policy, target);
                break;
            case TargetKind.Sqlite:
                await FileProbes.SqliteAsync(steps, policy, target);
                break;
            case TargetKind.Tcp:
                await TcpAsync(steps, target);
                break;
        }
        var result = steps.Result(target.KindName, target.Describe());
        // Where and how it went, by step name: no message (a server's words), no credential, no statement.
        detail["dataSourceId"] = Short(order.DataSourceId);
        detail["kind"] = result.kind;
        detail["target"] = Short(target.AuditTarget());
        detail["ok"] = result.ok;
        detail["failedStep"] = result.steps.FirstOrDefault(s => !s.ok)?.step;
        detail["latencyMs"] = result.latencyMs;
        await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Granted, StatusCodes.Status200OK,
            connectionId is null ? null : TargetKindName, connectionId, detail));
        return result;
    }

    async Task TcpAsync(TestSteps steps, TestTarget target)
    {
        var socket = await NetworkSteps.ConnectAsync(steps, policy, target.Host, target.Port);
        if (socket is null)
        {
            return;
        }
        if (!target.Tls)
        {
            socket.Dispose();
            return;
        }
        if (await NetworkSteps.HandshakeAsync(steps, socket, target.Host, checkCertificate: true) is { } stream)
        {
            await stream.DisposeAsync();
        }
    }

    sealed record SavedOrder(DataConnection? Stored, TestOrder? Order);

    async Task<(SavedOrder? Found, ApiError? Error)> SavedOrderAsync(string qID, Caller caller, CancellationToken ct)
    {
        var (found, error) = await ConnectionLookup.ResolveAsync(db, caller, qID, null, null, tracked: false, ct);
        if (found is null)
        {
            return (null, error);
        }
        if (found.IsDataFiles)
        {
            return (null, ApiError.BadRequest($"'{DataFiles.Name}' connections hold the space's files inside the service; there is nothing outside it to test."));
        }
        var connection = found.Stored!;
        // Read is what lets a user load from a connection; asked for anyway, as the resolver does.
        if (!found.May(ConnectionPrivileges.Read))
        {
            return (null, ApiError.NotFound($"Data connection '{qID}'"));
        }
        DataCredential? credential = connection.SeparateCredentials
            ? await credentials.SeparatedForAsync(connection.Id, caller.UserId, ct)
            : connection.CredentialId is { } credentialId ? await db.DataCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == credentialId, ct) : null;
        var (target, invalid) = TestTarget.From(connection.DatasourceId, connection.ConnectStatement);
        if (target is null)
        {
            return (new SavedOrder(connection, null), invalid);
        }
        var stored = credential is null ? null : credentials.PasswordOf(credential);
        var (password, secrets) = Unbundle(stored);
        secrets.AddRange(writes.SecretOf(connection) is { } secret ? [secret] : []);
        var (value, unresolved) = await ReferencedAsync(password, connection.TenantId, ct);
        if (unresolved is not null)
        {
            return (new SavedOrder(connection, null), unresolved);
        }
        password = value;
        secrets.AddRange(value is null ? [] : [value]);
        return (new SavedOrder(connection, new TestOrder(target, credential?.Username, password, Forms(secrets, credential?.Username), connection.DatasourceId)), null);
    }

    async Task<(TestOrder? Order, ApiError? Error)> NewOrderAsync(ConnectionCreate body, Caller caller, CancellationToken ct)
    {
        // The rule of a create: whoever may make it in that space may test it there.
        var (_, _, spaceError) = await writes.TargetSpaceAsync(caller, body.space, ct);
        if (spaceError is not null)
        {
            return (null, spaceError);
        }
        if (defined.IsPropertiesBody(body))
        {
            return FromProperties(body);
        }
        if (ConnectionFields.CheckStatement(body.qConnectStatement) is { } badStatement)
        {
            return (null, badStatement);
        }
        var source = body.datasourceID?.Trim();
        if (!string.IsNullOrEmpty(source) && catalog.Find(source) is null && !TestTarget.KnownSources.Contains(source))
        {
            return (null, ApiError.InvalidField("datasourceID", $"names no data source in the catalog: '{Short(source)}' (see GET /api/v1/data-sources)"));
        }
        if (await defined.RefuseDisabledAsync(source, ct) is { } disabled)
        {
            return (null, disabled);
        }
        string? username = body.qUsername, password = body.qPassword;
        var secrets = new List<string>();
        var reference = !string.IsNullOrEmpty(body.qCredentialsID) ? body.qCredentialsID : body.qCredentialsName;
        if (body.qUsername is null && body.qPassword is null && !string.IsNullOrEmpty(reference))
        {
            // A credential of the caller's own, as a create would link it.
            var credential = await credentials.FindOwnAsync(caller.UserId, reference, byName: string.IsNullOrEmpty(body.qCredentialsID), ct);
            if (credential is null)
            {
                return (null, ApiError.NotFound($"Credential '{Short(reference)}'"));
            }
            username = credential.Username;
            (password, secrets) = Unbundle(credentials.PasswordOf(credential));
        }
        else if (password is not null)
        {
            secrets.Add(password);
        }
        if (SecretReferences.IsReference(password))
        {
            // A reference as a stored one would be: allowed by the same rule, read now, never kept.
            if (references.Refusal(password, caller.TenantId) is { } refused)
            {
                return (null, ApiError.InvalidField("qPassword", refused));
            }
            var (value, unresolved) = await ReferencedAsync(password, caller.TenantId, ct);
            if (unresolved is not null)
            {
                return (null, unresolved);
            }
            password = value;
            secrets.AddRange(value is null ? [] : [value]);
        }
        if (!string.IsNullOrEmpty(body.qConnectionSecret))
        {
            secrets.Add(body.qConnectionSecret);
        }
        var (target, invalid) = TestTarget.From(source, body.qConnectStatement!);
        return target is null ? (null, invalid) : (new TestOrder(target, username, password, Forms(secrets, username), source), null);
    }

    /// <summary>A DcaasConnectionCreate body: the properties checked against the data source's schema, the statement printed from its template.</summary>
    (TestOrder?, ApiError?) FromProperties(ConnectionCreate body)
    {
        if (string.IsNullOrWhiteSpace(body.datasourceID))
        {
            return (null, ApiError.MissingField("datasourceID"));
        }
        if (catalog.Find(body.datasourceID.Trim()) is not { } definition)
        {
            return (null, ApiError.InvalidField("datasourceID", $"names no data source in the catalog: '{Short(body.datasourceID)}' (see GET /api/v1/data-sources)"));
        }
        if (body.connectionProperties is not { ValueKind: JsonValueKind.Object } raw)
        {
            return (null, ApiError.InvalidField("connectionProperties", "must be an object"));
        }
        var (values, problems) = definition.Schema.Validate(JsonNode.Parse(raw.GetRawText())!.AsObject(), definition.DataSourceId);
        if (problems.Count > 0)
        {
            return (null, ApiError.InvalidField("connectionProperties", $"does not fit data source '{definition.DataSourceId}': {string.Join("; ", problems)}"));
        }
        var statement = definition.Template.Print(values);
        var username = definition.Schema.Properties.FirstOrDefault(p => p.CredentialUsername) is { } user && values.TryGetValue(user.Name, out var name)
            ? PropertySchema.ToText(user, name)
            : null;
        var secrets = definition.Schema.Secrets.Where(s => values.ContainsKey(s.Name)).Select(s => PropertySchema.ToText(s, values[s.Name])).ToList();
        var password = definition.Schema.Secrets.FirstOrDefault(s => values.ContainsKey(s.Name) && s.Name.Contains("password", StringComparison.OrdinalIgnoreCase)) is { } field
            ? PropertySchema.ToText(field, values[field.Name])
            : secrets.FirstOrDefault();
        var (target, invalid) = TestTarget.From(definition.DataSourceId, statement);
        return target is null ? (null, invalid) : (new TestOrder(target, username, password, Forms(secrets, username), definition.DataSourceId), null);
    }

    /// <summary>The value a password stands for (itself, or what its env:// or file:// reference names now), or why it cannot be read.</summary>
    async Task<(string? Value, ApiError? Error)> ReferencedAsync(string? password, string tenantId, CancellationToken ct)
    {
        try
        {
            return (await references.ValueOfAsync(password, tenantId, ct), null);
        }
        catch (SecretReferenceException unresolved)
        {
            return (null, new ApiError(ErrorCatalog.SecretReferenceUnresolved, unresolved.Message));
        }
    }

    /// <summary>
    /// A stored password as a driver takes it: itself, or, for a bundle of several secrets (a JSON object), its
    /// <c>password</c> member. Every string in a bundle counts as a secret.
    /// </summary>
    static (string? Password, List<string> Secrets) Unbundle(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return (null, []);
        }
        List<string> secrets = [stored];
        if (!stored.StartsWith('{'))
        {
            return (stored, secrets);
        }
        try
        {
            if (JsonNode.Parse(stored) is JsonObject bundle)
            {
                Collect(bundle, secrets);
                return (bundle["password"] is JsonValue v && v.TryGetValue<string>(out var password) ? password : null, secrets);
            }
        }
        catch (JsonException)
        {
            // Not a bundle: a password that happens to start with a brace.
        }
        return (stored, secrets);
    }

    static void Collect(JsonNode? node, List<string> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o)
                {
                    Collect(value, into);
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Collect(item, into);
                }
                break;
            case JsonValue v when v.TryGetValue<string>(out var text):
                into.Add(text);
                break;
        }
    }

    /// <summary>Each secret as a message might quote it: as given, URL-encoded, and inside an HTTP Basic token.</summary>
    static List<string> Forms(IEnumerable<string> secrets, string? username) =>
        secrets.Where(s => s.Length > 0)
            .SelectMany(s => new[] { s, Uri.EscapeDataString(s), HttpProbe.BasicToken(username ?? "", s) })
            .Distinct(StringComparer.Ordinal)
            .ToList();

    static string? Short(string? text) => text is { Length: > 256 } ? text[..256] : text;
}
