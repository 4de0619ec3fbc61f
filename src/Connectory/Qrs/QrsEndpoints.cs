using System.Net.Security;
using System.Text.Json;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Filtering;
using Connectory.Hosting;
using Connectory.Platform.Auth;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Connectory.Qrs;

/// <summary>
/// Contract: shared/spec/qrs-dataconnection.swagger.json (the /dataconnection part of Qlik's Repository API).
/// Errors are plain text, as QRS answers them; the group checks the Xrfkey (<see cref="QrsGate"/>) before sign-in
/// (a bearer token, or X-Qlik-User from a trusted proxy: <see cref="QrsSignIn"/>).
/// </summary>
internal static class QrsEndpoints
{
    public static IServiceCollection AddQrs(this IServiceCollection services)
    {
        services.AddSettings<QrsOptions>(QrsOptions.Section)
            // Environment variables are often written as one value (Qrs__TrustedProxies=10.0.0.5,10.0.0.6), which the
            // binder leaves out of a list: such a value is read as a comma-separated list.
            .PostConfigure<IConfiguration>((o, configuration) => o.TrustedProxies = [.. o.TrustedProxies
                .Concat((configuration[$"{QrsOptions.Section}:{nameof(QrsOptions.TrustedProxies)}"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Distinct(StringComparer.OrdinalIgnoreCase)])
            .Validate(QrsOptions.Valid, "Qrs:TrustedProxies must be IP addresses, and Qrs:Tenant and Qrs:Space must not be empty.")
            .ValidateOnStart();
        services.AddScoped<QrsConnections>();
        services.AddScoped<QrsCustomProperties>();
        services.AddSingleton<QrsCertificates>();
        services.AddQrsSignIn();
        // HTTPS endpoints that ask for client certificates (see docs/qrs.md) accept those of the QRS authority;
        // whether a certificate signs a user in is still decided per request by the X-Qlik-User scheme.
        services.AddOptions<KestrelServerOptions>().Configure<QrsCertificates>((kestrel, certificates) =>
        {
            if (certificates.Enabled)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ClientCertificateValidation =
                    (certificate, _, errors) => errors == SslPolicyErrors.None || certificates.Trusts(certificate));
            }
        });
        return services;
    }

    public static WebApplication MapQrs(this WebApplication app)
    {
        var group = app.MapGroup("/qrs").WithErrorFamily(ErrorFamilies.Qrs).RequireXrfkey().RequireAuthorization(QrsSignIn.Policy);
        group.MapGet("/dataconnection", List);
        group.MapPost("/dataconnection", Create);
        group.MapGet("/dataconnection/full", ListFull);
        group.MapGet("/dataconnection/count", Count);
        group.MapPost("/dataconnection/many", CreateMany);
        group.MapGet("/dataconnection/{id:guid}", Get);
        group.MapPut("/dataconnection/{id:guid}", Put);
        group.MapDelete("/dataconnection/{id:guid}", Delete);
        group.MapGet("/about/api/default/dataconnection", () => TypedResults.Json(QrsView.Default(), QrsJson.Options));
        return app;
    }

    static async Task<IResult> List(Caller caller, QrsConnections qrs, string? filter, string? orderby, string? privileges, CancellationToken ct)
    {
        var (rows, canCreate, error) = await QueryAsync(caller, qrs, filter, orderby, ct);
        var withPrivileges = WantsPrivileges(privileges);
        return error ?? TypedResults.Json(rows!.Select(r => QrsView.Condensed(r, withPrivileges ? QrsView.Privileges(r.Privileges, canCreate) : null)), QrsJson.Options);
    }

    static async Task<IResult> ListFull(
        Caller caller, QrsConnections qrs, HttpContext context, IOptions<QrsOptions> options, ILogger<QrsConnections> log,
        string? filter, string? orderby, string? privileges, CancellationToken ct)
    {
        var (rows, canCreate, error) = await QueryAsync(caller, qrs, filter, orderby, ct);
        if (error is not null)
        {
            return error;
        }
        var withPrivileges = WantsPrivileges(privileges);
        var views = rows!.Select(r => QrsView.Full(r, withPrivileges ? QrsView.Privileges(r.Privileges, canCreate) : null)).ToList();
        // Export with passwords: only when enabled, only to client-certificate callers, sealed to the key they sent.
        string? exportKey = context.Request.Headers[QrsPasswordEnvelope.Header];
        if (string.IsNullOrEmpty(exportKey) || !options.Value.ExportPasswords || context.Features.Get<QrsCertificateSignIn>() is null)
        {
            return TypedResults.Json(views, QrsJson.Options);
        }
        using var key = QrsPasswordEnvelope.ReadPublicKey(exportKey);
        if (key is null)
        {
            return QrsConnections.BadRequest($"{QrsPasswordEnvelope.Header} must be a base64 SubjectPublicKeyInfo of an RSA key of at least 2048 bits.");
        }
        var passwords = await qrs.PasswordsAsync(rows!, ct);
        var nodes = views.Select(v =>
        {
            var node = JsonSerializer.SerializeToNode(v, QrsJson.Options)!.AsObject();
            if (passwords.TryGetValue(v.id, out var password))
            {
                node["passwordEncrypted"] = QrsPasswordEnvelope.Seal(key, password, v.id);
            }
            return node;
        }).ToList();
        log.LogInformation("QRS export sealed {Count} passwords for {Subject}", passwords.Count, caller.Subject);
        context.Response.Headers[QrsPasswordEnvelope.IncludedHeader] = "included";
        return TypedResults.Json(nodes, QrsJson.Options);
    }

    static async Task<IResult> Count(Caller caller, QrsConnections qrs, string? filter, CancellationToken ct)
    {
        var (rows, _, error) = await QueryAsync(caller, qrs, filter, null, ct);
        return error ?? TypedResults.Json(new QrsCount(rows!.Count), QrsJson.Options);
    }

    static async Task<IResult> Get(Guid id, Caller caller, QrsConnections qrs, string? privileges, CancellationToken ct)
    {
        var (row, canCreate) = await qrs.FindAsync(caller, id, ct);
        return row is null
            ? QrsConnections.NotFound(id)
            : TypedResults.Json(QrsView.Full(row, WantsPrivileges(privileges) ? QrsView.Privileges(row.Privileges, canCreate) : null), QrsJson.Options);
    }

    static async Task<IResult> Create(Caller caller, QrsConnections qrs, ConnectoryDb db, HttpRequest request, string? privileges, CancellationToken ct)
    {
        var (body, invalid) = await ReadAsync<QrsDataConnectionIn>(request, ct);
        if (body is null)
        {
            return invalid!;
        }
        if ((await qrs.EnsureSpaceAsync(caller, ct)).Error is { } denied)
        {
            return denied;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (id, error) = await qrs.CreateAsync(body, caller, ct);
        if (id is null)
        {
            return error!;
        }
        await transaction.CommitAsync(ct);
        return await CreatedAsync(caller, qrs, [id], privileges, single: true, ct);
    }

    /// <summary>All or nothing: the first item that fails rolls back the ones before it.</summary>
    static async Task<IResult> CreateMany(Caller caller, QrsConnections qrs, ConnectoryDb db, HttpRequest request, string? privileges, CancellationToken ct)
    {
        var (items, invalid) = await ReadAsync<List<QrsDataConnectionIn?>>(request, ct);
        if (items is null)
        {
            return invalid!;
        }
        if (items.Any(i => i is null))
        {
            return QrsConnections.BadRequest("Each item must be a DataConnection object.");
        }
        if (items.Count > DataConnections.ConnectionActions.MaxBulkItems)
        {
            return QrsConnections.BadRequest($"At most {DataConnections.ConnectionActions.MaxBulkItems} data connections per request, not {items.Count}.");
        }
        if ((await qrs.EnsureSpaceAsync(caller, ct)).Error is { } denied)
        {
            return denied;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var ids = new List<string>();
        foreach (var item in items)
        {
            db.ChangeTracker.Clear();
            var (id, error) = await qrs.CreateAsync(item!, caller, ct);
            if (id is null)
            {
                return error!;
            }
            ids.Add(id);
        }
        await transaction.CommitAsync(ct);
        return await CreatedAsync(caller, qrs, ids, privileges, single: false, ct);
    }

    static async Task<IResult> Put(Guid id, Caller caller, QrsConnections qrs, ConnectoryDb db, HttpRequest request, string? privileges, CancellationToken ct)
    {
        var (body, invalid) = await ReadAsync<QrsDataConnectionIn>(request, ct);
        if (body is null)
        {
            return invalid!;
        }
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (await qrs.ReplaceAsync(id, body, caller, ct) is { } failed)
            {
                return failed;
            }
            await transaction.CommitAsync(ct);
        }
        return await Get(id, caller, qrs, privileges, ct);
    }

    static async Task<IResult> Delete(Guid id, Caller caller, QrsConnections qrs, CancellationToken ct) =>
        await qrs.DeleteAsync(id, caller, ct) ?? TypedResults.NoContent();

    static async Task<IResult> CreatedAsync(Caller caller, QrsConnections qrs, List<string> ids, string? privileges, bool single, CancellationToken ct)
    {
        var (rows, canCreate) = await qrs.VisibleAsync(caller, null, ct, c => ids.Contains(c.Id));
        var byId = rows.ToDictionary(r => r.Connection.Id);
        var views = ids.Where(byId.ContainsKey)
            .Select(i => QrsView.Full(byId[i], WantsPrivileges(privileges) ? QrsView.Privileges(byId[i].Privileges, canCreate) : null))
            .ToList();
        return single
            ? TypedResults.Json(views.FirstOrDefault(), QrsJson.Options, statusCode: StatusCodes.Status201Created)
            : TypedResults.Json(views, QrsJson.Options, statusCode: StatusCodes.Status201Created);
    }

    static async Task<(List<QrsRow>? Rows, bool CanCreate, IResult? Error)> QueryAsync(Caller caller, QrsConnections qrs, string? filter, string? orderby, CancellationToken ct)
    {
        Func<QrsRow, bool>? predicate = null;
        System.Linq.Expressions.Expression<Func<DataConnections.DataConnection, bool>>? narrowing = null;
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (QrsFilter.SizeProblem(filter) is { } tooLarge)
            {
                return (null, false, QrsConnections.BadRequest(tooLarge));
            }
            var node = QrsFilter.Parse(filter);
            predicate = node is null ? null : QrsFilter.Compile(node, QrsView.FieldsFor(node));
            if (predicate is null)
            {
                return (null, false, QrsConnections.BadRequest(QrsFilter.ParseFailure));
            }
            narrowing = QrsQuery.Narrowing(node!);
        }
        IReadOnlyList<(QrsField<QrsRow>, bool)>? order = null;
        if (!string.IsNullOrWhiteSpace(orderby))
        {
            order = QrsFilter.ParseOrderBy(orderby, QrsView.Fields);
            if (order is null)
            {
                return (null, false, QrsConnections.BadRequest(QrsFilter.ParseFailure));
            }
        }
        // The database applies what it can of the filter (name, id, logOn); the rest runs over the rows it returns.
        var (rows, canCreate) = await qrs.VisibleAsync(caller, null, ct, narrowing);
        IEnumerable<QrsRow> result = predicate is null ? rows : rows.Where(predicate);
        result = QrsFilter.Order(result, order ?? [(QrsFilter.Find(QrsView.Fields, "name")!, false)]);
        return (result.ToList(), canCreate, null);
    }

    /// <summary><c>privileges</c> is a boolean that may come empty (<c>?privileges</c>), which means true.</summary>
    static bool WantsPrivileges(string? value) => value is not null && (value.Length == 0 || bool.TryParse(value, out var on) && on);

    static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, QrsJson.Options, ct);
            return body is null ? (null, QrsConnections.BadRequest("The request body is empty.")) : (body, null);
        }
        catch (JsonException e)
        {
            return (null, QrsConnections.BadRequest($"The request body is not valid JSON for this operation: {e.Message}"));
        }
    }
}
