using Connectory.Data;
using Connectory.DataCredentials;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataConnections;

/// <summary>Create, replace and patch: every check happens before the one SaveChanges, so a request applies whole or not at all.</summary>
internal sealed class ConnectionWrites(
    ConnectoryDb db, HotSql sql, CredentialStore credentials, SecretProtector protector, SecretReferences references, TenantKeys tenantKeys, TimeProvider time,
    ChangeAudit audit)
{
    public const string SecretField = "qConnectionSecret";

    /// <summary>
    /// Creates a connection: checks the command whole (fields, space, owner, credentials), then stores the connection and
    /// its credential in one transaction. A name or id taken meanwhile is a 409; nothing is stored on any failure.
    /// </summary>
    public async Task<(CreatedConnection? Created, ApiError? Error)> CreateAsync(NewConnection command, Caller caller, CancellationToken ct)
    {
        var error = ConnectionFields.CheckName(command.Name)
            ?? ConnectionFields.CheckStatement(command.Statement)
            ?? (string.IsNullOrWhiteSpace(command.Type) ? ApiError.MissingField("qType") : null)
            ?? (command.DatasourceId is null ? ApiError.MissingField("datasourceID") : null)
            ?? ConnectionFields.CheckTags(command.Tags)
            ?? ConnectionFields.CheckLimits(command.Type, command.DatasourceId, command.AppOwner, command.Username, command.Password, command.Secret, command.CredentialName ?? (command.CredentialRefByName ? command.CredentialRef : null));
        if (error is not null)
        {
            return (null, error);
        }
        if (command.HasInlineCredentials && command.CredentialRef is not null && !command.CredentialRefByName)
        {
            return (null, ApiError.BadRequest("Give either qUsername/qPassword or qCredentialsID, not both."));
        }
        if (command.SeparateCredentials && command.CredentialRef is not null)
        {
            return (null, ApiError.BadRequest("A connection with qSeparateCredentials takes each user's own credential (qUsername/qPassword or the data-credentials API), not a linked one."));
        }

        var (spaceId, spaceType, spaceError) = await TargetSpaceAsync(caller, command.SpaceId, ct);
        if (spaceError is not null)
        {
            return (null, spaceError);
        }
        var ownerId = command.OwnerId ?? caller.UserId;
        if (ownerId != caller.UserId)
        {
            // Making a connection for another user is handing it over: change_owner where it is made.
            if (!(spaceId is null ? caller.IsTenantAdmin : AccessRules.IsSpaceAdmin(caller, SpaceKinds.Of(spaceType))))
            {
                return (null, ApiError.Forbidden("The caller may not make connections owned by another user."));
            }
            if (!await db.Users.AnyAsync(u => u.Id == ownerId, ct))
            {
                return (null, ApiError.InvalidField("ownerId", $"names no user of this tenant ('{ownerId}')"));
            }
        }
        var id = command.Id ?? Guid.NewGuid().ToString();
        if (await sql.FirstOrDefaultAsync(ConnectionStore.Taken(caller.TenantId, id), _ => true, ct))
        {
            return (null, ApiError.Conflict($"A data connection with qID '{id}' already exists."));
        }

        var connection = DataConnection.New(
            id, caller.TenantId, ownerId, spaceId, spaceType, command.Name!, command.Type!, command.DatasourceId!, command.Statement!, caller.UserId, time.UtcNow());
        connection.LogOn = command.LogOn;
        connection.Architecture = command.Architecture;
        connection.SeparateCredentials = command.SeparateCredentials;
        connection.Tags = ConnectionViews.ToTags((command.Tags ?? []).OfType<string>());
        connection.AppOwner = string.IsNullOrEmpty(command.AppOwner) ? null : command.AppOwner;
        connection.Qri = command.Qri ?? await QriAsync(connection, ct);
        SetSecret(connection, command.Secret);

        DataCredential? credential = null;
        if (command.CredentialRef is { Length: > 0 } reference && !command.HasInlineCredentials)
        {
            credential = await credentials.FindOwnAsync(caller.UserId, reference, command.CredentialRefByName, ct);
            if (credential is null)
            {
                return (null, ApiError.NotFound($"Credential '{reference}'"));
            }
            connection.CredentialId = credential.Id;
        }
        else if (command.HasInlineCredentials)
        {
            // A separated connection's credential is the caller's own; an embedded one belongs to the connection's owner.
            credential = credentials.Build(connection, connection.SeparateCredentials ? caller.UserId : ownerId, command.Username ?? "", command.Password, connection.SeparateCredentials, command.CredentialName);
            connection.CredentialId = connection.SeparateCredentials ? null : credential.Id;
        }
        // Written by hand, not tracked: creating is the hottest write, and one prepared transaction is what it needs.
        // The connection refers to its credential, so the credential goes first.
        List<SqlText> inserts = command.HasInlineCredentials ? [db.InsertOf(credential!), db.InsertOf(connection)] : [db.InsertOf(connection)];
        // The audit trail's records go in the same unit: the connection and its records commit together.
        inserts.Add(db.InsertOf(audit.Written(db, connection)));
        if (command.HasInlineCredentials)
        {
            inserts.Add(db.InsertOf(audit.Written(db, credential!)));
        }
        try
        {
            await sql.ExecuteAsync(inserts, ct);
        }
        catch (Exception e) when (e.IsUniqueViolation())
        {
            return (null, ApiError.Conflict($"A data connection named '{connection.Name}' already exists in this space."));
        }
        var access = await ConnectionAccess.ForSpaceAsync(db, caller, spaceId, ct);
        return (new CreatedConnection(connection, credential, access.Privileges(connection)), null);
    }

    /// <summary>PUT: the body replaces the connection's fields; qConnectionSecret present replaces, "" clears, absent keeps.</summary>
    public async Task<ApiError?> ReplaceAsync(ResolvedConnection resolved, ConnectionUpdate body, Caller caller, CancellationToken ct)
    {
        var connection = resolved.Stored!;
        var logOnError = ConnectionFields.ParseLogOn(body.qLogOn, out var logOn);
        var architectureError = ConnectionFields.ParseArchitecture(body.qArchitecture, out var architecture);
        var error = ConnectionFields.CheckName(body.qName)
            ?? ConnectionFields.CheckStatement(body.qConnectStatement)
            ?? (string.IsNullOrWhiteSpace(body.qType) ? ApiError.MissingField("qType") : null)
            ?? (string.IsNullOrEmpty(body.qID) ? ApiError.MissingField("qID") : null)
            ?? (string.IsNullOrEmpty(body.qEngineObjectID) ? ApiError.MissingField("qEngineObjectID") : null)
            ?? logOnError ?? architectureError
            ?? ConnectionFields.CheckTags(body.tags)
            ?? ConnectionFields.CheckLimits(body.qType, body.datasourceID, null, body.qUsername, body.qPassword, body.qConnectionSecret, body.qCredentialsName);
        if (error is not null)
        {
            return error;
        }
        if (!string.Equals(body.qID, connection.Id, StringComparison.OrdinalIgnoreCase) || !string.Equals(body.qEngineObjectID, connection.Id, StringComparison.OrdinalIgnoreCase))
        {
            return ApiError.InvalidField("qID", "and qEngineObjectID must equal the connection's id in the path");
        }
        if (!string.IsNullOrEmpty(body.space) && body.space != connection.SpaceId)
        {
            // Moving takes the stored credential and secret along, out of the space whose members set them: that is
            // change_space, not update (a producer may update their own connection but not carry it elsewhere).
            if (!resolved.May(ConnectionPrivileges.ChangeSpace))
            {
                return ApiError.Forbidden($"The caller may not {ConnectionPrivileges.ChangeSpace.Verb()} this connection.");
            }
            var (spaceId, spaceType, spaceError) = await TargetSpaceAsync(caller, body.space, ct);
            if (spaceError is not null)
            {
                return spaceError;
            }
            connection.PlaceIn(spaceId, spaceType);
        }
        var change = new ConnectionChange
        {
            Name = body.qName,
            Statement = body.qConnectStatement,
            Type = body.qType,
            DatasourceId = body.datasourceID,
            LogOn = logOn,
            Architecture = architecture,
            Tags = body.tags,
            SeparateCredentials = body.qSeparateCredentials,
            Username = body.qUsername,
            Password = body.qPassword,
            PasswordGiven = body.qPassword is not null,
            Secret = body.qConnectionSecret,
            SecretGiven = body.qConnectionSecret is not null,
            CredentialRef = body.qCredentialsID ?? body.qCredentialsName,
            CredentialRefByName = string.IsNullOrEmpty(body.qCredentialsID),
        };
        return await ApplyAsync(connection, change, caller, ct);
    }

    /// <summary>Applies a validated change to a tracked connection and saves it, or returns why not (nothing saved).</summary>
    public async Task<ApiError?> ApplyAsync(DataConnection connection, ConnectionChange change, Caller caller, CancellationToken ct)
    {
        var oldTarget = ConnectStatement.Parse(connection.ConnectStatement).Target;
        if (change.Name is not null)
        {
            connection.Rename(change.Name);
        }
        connection.ConnectStatement = change.Statement ?? connection.ConnectStatement;
        connection.Type = change.Type?.Trim() ?? connection.Type;
        connection.DatasourceId = change.DatasourceId?.Trim() ?? connection.DatasourceId;
        connection.LogOn = change.LogOn ?? connection.LogOn;
        connection.Architecture = change.Architecture ?? connection.Architecture;
        connection.Tags = change.Tags is null ? connection.Tags : ConnectionViews.ToTags(change.Tags);
        connection.SeparateCredentials = change.SeparateCredentials ?? connection.SeparateCredentials;

        var targetChanged = ConnectStatement.Parse(connection.ConnectStatement).Target != oldTarget;
        if (targetChanged)
        {
            if (change.OnTargetChange == TargetChangeRule.CredentialsGivenAnew)
            {
                if ((connection.CredentialId is not null || connection.ConnectionSecret is not null) && !change.GivesCredentials)
                {
                    return ApiError.BadRequest("Changing the connection's target (its host, server, URL or path) requires credentials in the same request (qUsername/qPassword or qConnectionSecret): the stored ones do not follow it to a new target.");
                }
                await ClearStoredCredentialsNotGivenAsync(connection, change, ct);
            }
            // Each user's own credential was given for the old target: its owner gives it again for the new one (the
            // caller's, given in this very request, is the one that stays).
            var givesOwn = change.PasswordGiven || change.Username is not null;
            var separated = await db.DataCredentials.Where(c => c.ConnectionId == connection.Id && c.Separated).ToListAsync(ct);
            separated.Where(c => !(givesOwn && c.OwnerId == caller.UserId)).ToList().ForEach(c => c.ConnectionId = null);
        }
        if (change.SecretGiven)
        {
            SetSecret(connection, change.Secret);
        }
        if (change.LinksCredential && change.CredentialRef is { } reference)
        {
            var linked = await credentials.FindOwnAsync(caller.UserId, reference, change.CredentialRefByName, ct);
            if (linked is null)
            {
                return ApiError.NotFound($"Credential '{reference}'");
            }
            connection.CredentialId = connection.SeparateCredentials ? null : linked.Id;
        }
        if (change.PasswordGiven || change.Username is not null)
        {
            await SetCredentialsAsync(connection, caller, change.Username, change.Password, change.PasswordGiven, ct);
        }
        connection.Qri = await QriAsync(connection, ct);
        connection.UpdatedAt = time.UtcNow();
        return await SaveAsync(connection.Name, ct);
    }

    /// <summary>
    /// On a change of target, each stored kind of secret the request does not give anew is cleared rather than carried
    /// to the new target: the connection secret, and the password (an embedded credential keeps its username; a linked
    /// one stays its owner's and is unlinked).
    /// </summary>
    async Task ClearStoredCredentialsNotGivenAsync(DataConnection connection, ConnectionChange change, CancellationToken ct)
    {
        if (!change.SecretGiven)
        {
            connection.ConnectionSecret = null;
        }
        if (change.PasswordGiven || change.LinksCredential || connection.CredentialId is null)
        {
            return;
        }
        var stored = await db.DataCredentials.FirstOrDefaultAsync(c => c.Id == connection.CredentialId, ct);
        if (stored is not null && stored.ConnectionId == connection.Id && !stored.Separated)
        {
            credentials.SetPassword(stored, null);
        }
        else
        {
            connection.CredentialId = null;
        }
    }

    async Task SetCredentialsAsync(DataConnection connection, Caller caller, string? username, string? password, bool passwordGiven, CancellationToken ct)
    {
        DataCredential? credential;
        if (connection.SeparateCredentials)
        {
            credential = await credentials.SeparatedForAsync(connection.Id, caller.UserId, ct, tracked: true);
        }
        else
        {
            credential = connection.CredentialId is null ? null : await db.DataCredentials.FirstOrDefaultAsync(c => c.Id == connection.CredentialId, ct);
            // A linked credential belongs to its owner's other uses too: new values make a new embedded one.
            if (credential is not null && (credential.ConnectionId != connection.Id || credential.Separated))
            {
                credential = null;
            }
        }
        if (credential is null)
        {
            credential = credentials.New(connection, connection.SeparateCredentials ? caller.UserId : connection.OwnerId, username ?? "", password, connection.SeparateCredentials);
        }
        else
        {
            credential.Username = username ?? credential.Username;
            if (passwordGiven)
            {
                credentials.SetPassword(credential, password);
            }
            credential.UpdatedAt = time.UtcNow();
        }
        if (!connection.SeparateCredentials)
        {
            connection.CredentialId = credential.Id;
        }
    }

    void SetSecret(DataConnection connection, string? secret)
    {
        if (references.Refusal(secret, connection.TenantId) is { } refused)
        {
            throw new SecretReferenceException(secret!, refused);
        }
        connection.ConnectionSecret = string.IsNullOrEmpty(secret) ? null : protector.Protect(secret, new SecretContext(connection.TenantId, connection.Id, SecretField));
    }

    public string? SecretOf(DataConnection connection) =>
        connection.ConnectionSecret is null
            ? null
            : protector.TryUnprotect(connection.ConnectionSecret, new SecretContext(connection.TenantId, connection.Id, SecretField))
              ?? throw new SecretDecryptionException(connection.Id);

    public async Task<string> QriAsync(DataConnection connection, CancellationToken ct) =>
        Qri.For(await tenantKeys.QriKeyAsync(connection.TenantId, ct), connection.DatasourceId, connection.Type, ConnectStatement.Parse(connection.ConnectStatement));

    /// <summary>The space a new or moved connection goes to: 404 when the caller cannot see it, 403 when they may not create there.</summary>
    public async Task<(string? SpaceId, string SpaceType, ApiError? Error)> TargetSpaceAsync(Caller caller, string? spaceId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(spaceId))
        {
            return (null, DataConnection.PersonalSpaceType, null);
        }
        var access = await ConnectionAccess.ForSpaceAsync(db, caller, spaceId, ct);
        if (access.Space(spaceId) is not { } space || !AccessRules.CanSeeSpace(caller, access.StandingIn(spaceId, space.Type, "")))
        {
            return (null, "", ApiError.NotFound($"Space '{spaceId}'"));
        }
        return access.RightsIn(spaceId, space.Type, "").Create
            ? (space.Id, space.Type, null)
            : (null, "", ApiError.Forbidden($"The caller may not create data connections in space '{spaceId}'."));
    }

    /// <summary>
    /// Saves; a lost race on a unique index (name in scope, or id) is a 409, and a conditional write (If-Match) that
    /// finds the version changed since it was read is a 412.
    /// </summary>
    public async Task<ApiError?> SaveAsync(string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException e) when (e.Entries.Any(x => x.Entity is DataConnection { RequiredVersion: not null }))
        {
            return Platform.Preconditions.Preconditions.LostRace("data connection");
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiError.Conflict($"A data connection named '{name}' already exists in this space.");
        }
    }
}

/// <summary>What a PUT or PATCH changes; null members stay as they are.</summary>
internal sealed class ConnectionChange
{
    public string? Name { get; set; }
    public string? Statement { get; set; }
    public string? Type { get; set; }
    public string? DatasourceId { get; set; }
    public int? LogOn { get; set; }
    public int? Architecture { get; set; }
    public IReadOnlyList<string>? Tags { get; set; }
    public bool? SeparateCredentials { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool PasswordGiven { get; set; }
    public string? Secret { get; set; }
    public bool SecretGiven { get; set; }
    public string? CredentialRef { get; set; }
    public bool CredentialRefByName { get; set; }
    public TargetChangeRule OnTargetChange { get; set; } = TargetChangeRule.CredentialsGivenAnew;

    /// <summary>The change links a stored credential (by id or name) rather than giving a username or password.</summary>
    public bool LinksCredential => CredentialRef is { Length: > 0 } && !PasswordGiven && Username is null;

    /// <summary>The request gives credentials of some kind: a username or password, a connection secret, or a credential to link.</summary>
    public bool GivesCredentials => PasswordGiven || Username is not null || SecretGiven || LinksCredential;
}

/// <summary>What changing a connection's target (<see cref="ConnectStatement.Target"/>) asks of its stored credentials.</summary>
internal enum TargetChangeRule
{
    /// <summary>
    /// Qlik Cloud: refused (400) when the connection holds credentials and the request gives none; otherwise each
    /// stored kind the request does not give anew is cleared, so no stored secret reaches a target it was not given for.
    /// </summary>
    CredentialsGivenAnew,

    /// <summary>QSEoW: the stored username, password and secret stay, as QRS keeps them when a PUT changes connectionstring.</summary>
    CredentialsKept,
}
