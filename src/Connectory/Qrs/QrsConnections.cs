using System.Globalization;
using System.Text.Json;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Qrs;

/// <summary>
/// The QRS view of the registry: the connections of the QRS space, read and written through the same code the
/// Cloud API uses (<see cref="ConnectionWrites"/>, <see cref="ConnectionActions"/>, <see cref="ConnectionAccess"/>).
/// </summary>
internal sealed class QrsConnections(
    ConnectoryDb db, ConnectionWrites writes, ConnectionActions actions, QrsCustomProperties properties, SecretProtector protector, IOptions<QrsOptions> options, TimeProvider time)
{
    public Task<Space?> FindSpaceAsync(CancellationToken ct)
    {
        var name = options.Value.Space;
        var normalized = Space.Normalize(name);
        return db.Spaces.AsNoTracking().FirstOrDefaultAsync(s => s.Id == name || s.NormalizedName == normalized, ct);
    }

    /// <summary>
    /// The QRS space, made (managed, owned by the caller) on first use by a caller who may make managed spaces.
    /// Writers call it before opening their transaction, so a lost creation race never aborts that transaction.
    /// </summary>
    public async Task<(Space? Space, IResult? Error)> EnsureSpaceAsync(Caller caller, CancellationToken ct)
    {
        if (await FindSpaceAsync(ct) is { } found)
        {
            return (found, null);
        }
        if (!AccessRules.CanCreateSpace(caller, SpaceTypes.Managed))
        {
            return (null, QrsText.Result(StatusCodes.Status403Forbidden, "Access is denied: the QRS space does not exist yet and the caller may not create it."));
        }
        var now = time.UtcNow();
        var name = options.Value.Space.Trim();
        var space = new Space
        {
            Id = Ids.New(),
            TenantId = caller.TenantId,
            Name = name,
            NormalizedName = Space.Normalize(name),
            Type = SpaceTypes.Managed,
            Description = "Data connections managed through the QRS API",
            OwnerId = caller.UserId,
            CreatedBy = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Spaces.Add(space);
        try
        {
            await db.SaveChangesAsync(ct);
            return (space, null);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.Entry(space).State = EntityState.Detached;
            return (await FindSpaceAsync(ct), null);
        }
    }

    /// <summary>The caller-visible connections of the QRS space (one when <paramref name="id"/> is given) and whether the caller may create there.</summary>
    public async Task<(List<QrsRow> Rows, bool CanCreate)> VisibleAsync(
        Caller caller, string? id, CancellationToken ct, System.Linq.Expressions.Expression<Func<DataConnection, bool>>? narrowing = null)
    {
        if (await FindSpaceAsync(ct) is not { } space)
        {
            return ([], AccessRules.CanCreateSpace(caller, SpaceTypes.Managed));
        }
        var access = await ConnectionAccess.ForSpaceAsync(db, caller, space.Id, ct);
        var query = db.DataConnections.AsNoTracking().Where(c => c.SpaceId == space.Id);
        if (id is not null)
        {
            query = query.Where(c => c.Id == id);
        }
        if (narrowing is not null)
        {
            query = query.Where(narrowing);
        }
        var connections = await access.Visible(query).ToListAsync(ct);
        var userIds = connections.SelectMany(c => new[] { c.OwnerId, c.CreatedBy }).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        var credentialIds = connections.Where(c => c.CredentialId != null).Select(c => c.CredentialId!).Distinct().ToList();
        var usernames = await db.DataCredentials.AsNoTracking().Where(c => credentialIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Username, ct);
        var customProperties = await QrsCustomProperties.ForConnectionsAsync(db, [.. connections.Select(c => c.Id)], ct);
        var rows = connections
            .Select(c => new QrsRow(
                c, users.GetValueOrDefault(c.OwnerId), users.GetValueOrDefault(c.CreatedBy),
                c.CredentialId is null ? "" : usernames.GetValueOrDefault(c.CredentialId) ?? "",
                c.TagList(), access.Privileges(c), [.. customProperties[c.Id]]))
            .ToList();
        return (rows, access.RightsIn(space.Id, space.Type, "").Create);
    }

    /// <summary>The embedded-credential passwords of the rows the caller may update, by connection id (for export only).</summary>
    public async Task<Dictionary<string, string>> PasswordsAsync(IEnumerable<QrsRow> rows, CancellationToken ct)
    {
        var byCredential = rows.Where(r => r.Connection.CredentialId is not null && r.Privileges.HasFlag(ConnectionPrivileges.Update))
            .ToDictionary(r => r.Connection.CredentialId!, r => r.Connection.Id);
        var ids = byCredential.Keys.ToList();
        var stored = await db.DataCredentials.AsNoTracking().Where(c => ids.Contains(c.Id) && c.Password != null).ToListAsync(ct);
        var passwords = new Dictionary<string, string>();
        foreach (var credential in stored)
        {
            if (protector.TryUnprotect(credential.Password!, new SecretContext(credential.TenantId, credential.Id, DataCredentials.CredentialStore.PasswordField)) is { } password)
            {
                passwords[byCredential[credential.Id]] = password;
            }
        }
        return passwords;
    }

    public async Task<(QrsRow? Row, bool CanCreate)> FindAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var (rows, canCreate) = await VisibleAsync(caller, id.ToString(), ct);
        return (rows.FirstOrDefault(), canCreate);
    }

    public async Task<(string? Id, IResult? Error)> CreateAsync(QrsDataConnectionIn body, Caller caller, CancellationToken ct)
    {
        if (CheckCommon(body, creating: true) is { } invalid)
        {
            return (null, invalid);
        }
        string? id = null;
        if (!string.IsNullOrEmpty(body.id) || !string.IsNullOrEmpty(body.engineObjectId))
        {
            if (!TryGuid(body.id, out var given) || !TryGuid(body.engineObjectId, out var engine))
            {
                return (null, BadRequest("id and engineObjectId must be GUIDs."));
            }
            if (given is not null && engine is not null && given != engine)
            {
                return (null, BadRequest("engineObjectId must equal id: a connection's engine object id is its id here."));
            }
            id = given ?? engine;
        }
        var (space, spaceError) = await EnsureSpaceAsync(caller, ct);
        if (space is null)
        {
            return (null, spaceError);
        }
        var (ownerId, ownerError) = await OwnerAsync(body.owner, ct);
        if (ownerError is not null)
        {
            return (null, ownerError);
        }
        var hasCredentials = !string.IsNullOrEmpty(body.username) || !string.IsNullOrEmpty(body.password);
        var (created, error) = await writes.CreateAsync(new NewConnection
        {
            Id = id,
            Name = body.name,
            Type = body.type,
            // QSEoW has no data-source ids: the connector's type stands for one.
            DatasourceId = body.type!.Trim(),
            Statement = body.connectionstring,
            SpaceId = space.Id,
            LogOn = LogOn(body.logOn) ?? 0,
            Architecture = QrsView.ToCloudArchitecture(Architecture(body.architecture) ?? 0),
            Tags = TagNames(body.tags),
            OwnerId = ownerId,
            Username = hasCredentials ? body.username ?? "" : null,
            Password = hasCredentials && !string.IsNullOrEmpty(body.password) ? body.password : null,
        }, caller, ct);
        if (created is null)
        {
            // The core decides who may create in the space. QRS has one answer for a space the caller may not use,
            // seen or not: QSEoW's 403 (the space is the repository's, not one the caller named).
            return (null, error!.StatusCode switch
            {
                StatusCodes.Status403Forbidden => QrsText.Result(StatusCodes.Status403Forbidden, $"Access is denied: {char.ToLowerInvariant(error.Detail![0])}{error.Detail[1..]}"),
                StatusCodes.Status404NotFound => QrsText.Result(StatusCodes.Status403Forbidden, "Access is denied: the caller may not create data connections."),
                _ => Text(error),
            });
        }
        if (body.customProperties is { Count: > 0 } && await properties.ReplaceAsync(created.Connection.Id, caller, body.customProperties, ct) is { } propertyError)
        {
            return (null, BadRequest(propertyError));
        }
        return (created.Connection.Id, null);
    }

    /// <summary>PUT: the body's id must match, and its modifiedDate must be the stored one (else 409, nothing changes).</summary>
    public async Task<IResult?> ReplaceAsync(Guid id, QrsDataConnectionIn body, Caller caller, CancellationToken ct)
    {
        if (!TryGuid(body.id, out var bodyId) || bodyId != id.ToString())
        {
            return BadRequest("The id in the body must match the id in the URL.");
        }
        if (CheckCommon(body, creating: false) is { } invalid)
        {
            return invalid;
        }
        if (await FindAsync(caller, id, ct) is not { Row: { } row })
        {
            return NotFound(id);
        }
        var (resolved, lookupError) = await ConnectionLookup.ResolveAsync(db, caller, id.ToString(), null, null, tracked: true, ct);
        if (resolved?.Stored is not { } connection)
        {
            return lookupError is null ? NotFound(id) : Text(lookupError);
        }
        if (!resolved.May(ConnectionPrivileges.Update))
        {
            return QrsText.Result(StatusCodes.Status403Forbidden, "Access is denied: the caller may not update this data connection.");
        }
        // QSEoW's rule: a PUT conflicts only when the stored modifiedDate is more recent than the one sent (clients
        // that stamp "now" before a PUT are served). The conditional touch holds the row, unchanged since it was read,
        // until the caller's transaction ends, so of two PUTs carrying the same modifiedDate only the first applies.
        var modified = ParseDate(body.modifiedDate);
        var stored = connection.UpdatedAt;
        var stillCurrent = modified is { } sent && stored <= sent
            && await db.DataConnections.Where(c => c.Id == connection.Id && c.UpdatedAt == stored)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, stored), ct) == 1;
        if (!stillCurrent)
        {
            return QrsText.Result(StatusCodes.Status409Conflict, modified is null
                ? "modifiedDate is required: send the one read with the data connection."
                : $"The data connection was modified at {stored.ToRfc3339()}, after the modifiedDate sent ('{body.modifiedDate}'): read it again and retry.");
        }
        if (body.owner is not null)
        {
            var (ownerId, ownerError) = await OwnerAsync(body.owner, ct);
            if (ownerError is not null)
            {
                return ownerError;
            }
            if (ownerId is not null && ownerId != connection.OwnerId)
            {
                if (!resolved.May(ConnectionPrivileges.ChangeOwner))
                {
                    return QrsText.Result(StatusCodes.Status403Forbidden, "Access is denied: the caller may not change this data connection's owner.");
                }
                connection.HandTo(ownerId);
            }
        }
        var passwordGiven = !string.IsNullOrEmpty(body.password);
        var usernameChanged = body.username is not null && body.username != row.Username;
        var change = new ConnectionChange
        {
            Name = body.name,
            Statement = body.connectionstring,
            Type = body.type,
            LogOn = LogOn(body.logOn),
            Architecture = Architecture(body.architecture) is { } architecture ? QrsView.ToCloudArchitecture(architecture) : null,
            Tags = body.tags is null ? null : TagNames(body.tags),
            Username = usernameChanged || passwordGiven ? body.username ?? row.Username : null,
            Password = passwordGiven ? body.password : null,
            PasswordGiven = passwordGiven,
            OnTargetChange = TargetChangeRule.CredentialsKept,
        };
        if (await writes.ApplyAsync(connection, change, caller, ct) is { } failed)
        {
            return Text(failed);
        }
        // customProperties replaces the set when present; absent, the values stay.
        if (body.customProperties is not null && await properties.ReplaceAsync(connection.Id, caller, body.customProperties, ct) is { } propertyError)
        {
            return BadRequest(propertyError);
        }
        if (connection.UpdatedAt <= stored)
        {
            // Within the same millisecond (or after a clock step back) the clock would hand back a date no later than
            // the replaced one, which must now be stale.
            var later = stored.AddMilliseconds(1);
            await db.DataConnections.Where(c => c.Id == connection.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, later).SetProperty(c => c.Version, c => c.Version + 1), ct);
        }
        return null;
    }

    public async Task<IResult?> DeleteAsync(Guid id, Caller caller, CancellationToken ct)
    {
        if (await FindAsync(caller, id, ct) is not { Row: not null })
        {
            return NotFound(id);
        }
        var (resolved, _) = await ConnectionLookup.ResolveAsync(db, caller, id.ToString(), null, null, tracked: true, ct);
        if (resolved?.Stored is not { } connection)
        {
            return NotFound(id);
        }
        if (!resolved.May(ConnectionPrivileges.Delete))
        {
            return QrsText.Result(StatusCodes.Status403Forbidden, "Access is denied: the caller may not delete this data connection.");
        }
        await actions.DeleteAsync(connection, ct);
        return null;
    }

    /// <summary>Checks shared by POST and PUT; on PUT absent members keep their values.</summary>
    static IResult? CheckCommon(QrsDataConnectionIn body, bool creating)
    {
        if (creating || body.name is not null)
        {
            if (ConnectionFields.CheckName(body.name, "name") is { } nameError)
            {
                return Text(nameError);
            }
        }
        if ((creating || body.connectionstring is not null) && string.IsNullOrWhiteSpace(body.connectionstring))
        {
            return BadRequest("Field 'connectionstring' is missing in the request.");
        }
        if (body.connectionstring is { Length: > ConnectionFields.MaxStatementLength })
        {
            return BadRequest($"Field 'connectionstring' must be at most {ConnectionFields.MaxStatementLength} characters.");
        }
        if ((creating || body.type is not null) && string.IsNullOrWhiteSpace(body.type))
        {
            return BadRequest("Field 'type' is missing in the request.");
        }
        if (body.logOn is { ValueKind: not JsonValueKind.Null } && LogOn(body.logOn) is null)
        {
            return BadRequest("Field 'logOn' must be 0 (LOG_ON_SERVICE_USER) or 1 (LOG_ON_CURRENT_USER).");
        }
        if (body.architecture is { ValueKind: not JsonValueKind.Null } && Architecture(body.architecture) is null)
        {
            return BadRequest("Field 'architecture' must be 0 (Undefined), 1 (x86) or 2 (x64).");
        }
        if (body.tags is not null && body.tags.Any(t => string.IsNullOrWhiteSpace(t?.name)))
        {
            return BadRequest("Each tag must carry its name.");
        }
        if (body.tags is not null && ConnectionFields.CheckTags(TagNames(body.tags)) is { } tagError)
        {
            return Text(tagError);
        }
        return QrsCustomProperties.Check(body.customProperties) is { } propertyError ? BadRequest(propertyError) : null;
    }

    async Task<(string? UserId, IResult? Error)> OwnerAsync(QrsUserRef? owner, CancellationToken ct)
    {
        if (owner is null)
        {
            return (null, null);
        }
        if (!string.IsNullOrEmpty(owner.id) && owner.id != QrsView.EmptyGuid)
        {
            var userId = QrsView.UserIdFromGuid(owner.id);
            return userId is not null && await db.Users.AnyAsync(u => u.Id == userId, ct)
                ? (userId, null)
                : (null, BadRequest($"The owner '{owner.id}' is not a user of this service."));
        }
        if (!string.IsNullOrEmpty(owner.userId) && !string.IsNullOrEmpty(owner.userDirectory))
        {
            var subject = QrsView.SubjectOf(owner.userDirectory, owner.userId);
            var found = await db.Users.Where(u => u.Subject == subject).Select(u => u.Id).FirstOrDefaultAsync(ct);
            return found is not null ? (found, null) : (null, BadRequest($"The owner '{owner.userDirectory}\\{owner.userId}' is not a user of this service."));
        }
        return (null, null);
    }

    static List<string> TagNames(List<QrsTagRef?>? tags) =>
        tags is null ? [] : [.. tags.Select(t => t!.name!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)];

    static int? LogOn(JsonElement? value) => Enum(value, 1, "LOG_ON_SERVICE_USER", "LOG_ON_CURRENT_USER");

    static int? Architecture(JsonElement? value) => Enum(value, 2, "Undefined", "x86", "x64");

    /// <summary>A number 0..max, or (as some clients send) its enum name or the number as a string.</summary>
    static int? Enum(JsonElement? value, int max, params string[] names)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Number)
        {
            return v.TryGetInt32(out var n) && n >= 0 && n <= max ? n : null;
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var text = v.GetString()!;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed <= max ? parsed : null;
        }
        var index = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : null;
    }

    static bool TryGuid(string? value, out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }
        if (!Guid.TryParse(value, out var guid))
        {
            return false;
        }
        normalized = guid.ToString();
        return true;
    }

    /// <summary>Dates compare at the millisecond, the precision every answer carries.</summary>
    static DateTime? ParseDate(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? new DateTime(date.Ticks - date.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc)
            : null;

    public static IResult BadRequest(string message) => QrsText.Result(StatusCodes.Status400BadRequest, message);

    public static IResult NotFound(Guid id) => QrsText.Result(StatusCodes.Status404NotFound, $"The data connection {id} was not found.");

    static IResult Text(ApiError error) => QrsText.Result(error.StatusCode ?? StatusCodes.Status400BadRequest, error.Detail ?? error.Kind.Title);
}
