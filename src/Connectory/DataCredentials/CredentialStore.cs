using Connectory.Platform.Namespaces;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataCredentials;

/// <summary>Makes, finds and re-keys credentials; passwords pass through <see cref="SecretProtector"/> only.</summary>
internal sealed class CredentialStore(ConnectoryDb db, SecretProtector protector, SecretReferences references, TimeProvider time)
{
    public const string PasswordField = "password";

    /// <summary>A credential (not yet saved) for <paramref name="connection"/>: embedded, or the owner's separated one; added to the context.</summary>
    public DataCredential New(DataConnection connection, string ownerId, string username, string? password, bool separated, string? name = null)
    {
        var credential = Build(connection, ownerId, username, password, separated, name);
        db.DataCredentials.Add(credential);
        return credential;
    }

    /// <summary>As <see cref="New"/>, for a caller that writes the row itself.</summary>
    public DataCredential Build(DataConnection connection, string ownerId, string username, string? password, bool separated, string? name = null)
    {
        var now = time.UtcNow();
        var id = Guid.NewGuid().ToString();
        var credentialName = string.IsNullOrWhiteSpace(name) ? $"{connection.Name}_{id[..8]}" : name.Trim();
        var credential = new DataCredential
        {
            Id = id,
            TenantId = connection.TenantId,
            OwnerId = ownerId,
            Name = credentialName,
            NameFold = ConnectionFields.Fold(credentialName),
            Type = connection.Type,
            DatasourceId = connection.DatasourceId,
            Username = username,
            Separated = separated,
            ConnectionId = connection.Id,
            CreatedAt = now,
            UpdatedAt = now,
        };
        SetPassword(credential, password);
        return credential;
    }

    /// <exception cref="SecretReferenceException">The password is a reference the settings do not allow.</exception>
    public void SetPassword(DataCredential credential, string? password)
    {
        if (references.Refusal(password, credential.TenantId) is { } refused)
        {
            throw new SecretReferenceException(password!, refused);
        }
        credential.Password = password is null ? null : protector.Protect(password, new SecretContext(credential.TenantId, credential.Id, PasswordField));
        credential.UpdatedAt = time.UtcNow();
    }

    /// <summary>The caller's own credential by id or (case-insensitive) name.</summary>
    public Task<DataCredential?> FindOwnAsync(string ownerId, string idOrName, bool byName, CancellationToken ct, bool tracked = false)
    {
        var query = tracked ? db.DataCredentials : db.DataCredentials.AsNoTracking();
        if (byName)
        {
            var fold = ConnectionFields.Fold(idOrName);
            return query.FirstOrDefaultAsync(c => c.OwnerId == ownerId && c.NameFold == fold, ct);
        }
        return query.FirstOrDefaultAsync(c => c.OwnerId == ownerId && c.Id == idOrName, ct);
    }

    /// <summary>The user's own separated credential for a connection.</summary>
    public Task<DataCredential?> SeparatedForAsync(string connectionId, string userId, CancellationToken ct, bool tracked = false) =>
        (tracked ? db.DataCredentials : db.DataCredentials.AsNoTracking())
            .FirstOrDefaultAsync(c => c.ConnectionId == connectionId && c.OwnerId == userId && c.Separated, ct);

    /// <summary>
    /// The credential a {qID} (or, with byCredentialName, a name) names in the caller's tenant: 400 for a malformed id or
    /// an empty name, 404 when there is none. Names resolve among the caller's own credentials only; ids tenant-wide,
    /// so callers check <see cref="DataCredential.OwnerId"/> themselves.
    /// </summary>
    public async Task<(DataCredential? Found, ApiError? Error)> ResolveAsync(Caller caller, string qID, bool byName, bool tracked, CancellationToken ct)
    {
        if (byName)
        {
            if (string.IsNullOrWhiteSpace(qID))
            {
                return (null, ApiError.InvalidParameter("qID", "an empty credential name is not permitted"));
            }
            var own = await FindOwnAsync(caller.UserId, qID, byName: true, ct, tracked);
            return own is null ? (null, ApiError.NotFound($"Credential '{qID}'")) : (own, null);
        }
        if (ConnectionFields.CheckUuid(qID, "qID", out var id) is not null)
        {
            return (null, ApiError.InvalidParameter("qID", "is not a valid UUID (use byCredentialName=true to name a credential)"));
        }
        var query = tracked ? db.DataCredentials : db.DataCredentials.AsNoTracking();
        var found = await query.FirstOrDefaultAsync(c => c.Id == id, ct);
        return found is null ? (null, ApiError.NotFound($"Credential '{qID}'")) : (found, null);
    }

    /// <summary>Connections that use the credential: those linking it, and for a separated one the connection it was made for.</summary>
    public IQueryable<DataConnection> ConnectionsUsing(DataCredential credential)
    {
        var id = credential.Id;
        var separatedFor = credential.Separated ? credential.ConnectionId : null;
        return db.DataConnections.AsNoTracking().Where(x => x.CredentialId == id || (x.Id == separatedFor && x.SeparateCredentials));
    }

    /// <summary>Credentials no connection uses: none links them, and a separated one's connection is gone (or no longer separated).</summary>
    public IQueryable<DataCredential> Orphans() =>
        db.DataCredentials.AsNoTracking().Where(c =>
            !db.DataConnections.Any(x => x.CredentialId == c.Id)
            && !(c.Separated && db.DataConnections.Any(x => x.Id == c.ConnectionId && x.SeparateCredentials)));

    public async Task<Credential> ViewAsync(DataCredential credential, HttpRequest request, CancellationToken ct)
    {
        var linked = ConnectionsUsing(credential);
        var count = await linked.CountAsync(ct);
        var own = credential.ConnectionId;
        var connectionId = count == 0 ? null
            : own is not null && await linked.AnyAsync(x => x.Id == own, ct) ? own
            : await linked.OrderBy(x => x.Id).Select(x => x.Id).FirstAsync(ct);
        return new Credential(
            credential.Id, credential.Name, credential.Type, credential.DatasourceId, count, ReferenceKey(credential.Id),
            credential.Separated ? 1 : 0, credential.CreatedAt.ToRfc3339(), credential.UpdatedAt.ToRfc3339(),
            new CredentialLinks(ApiNamespace.Of(request).Url(request, $"/data-credentials/{credential.Id}")), connectionId);
    }

    /// <summary>An opaque handle for the credential (the same the data-connections API reports); never derived from the secret.</summary>
    public static string ReferenceKey(string credentialId) => "cred:" + credentialId;

    /// <summary>Fails with <see cref="SecretDecryptionException"/> (500 DCERROR-0501) when the stored password does not decrypt.</summary>
    public void VerifyPassword(DataCredential credential) => _ = PasswordOf(credential);

    /// <summary>A copy of <paramref name="source"/>'s password for another credential (decrypt, re-encrypt under the new binding).</summary>
    public string? PasswordOf(DataCredential source) =>
        source.Password is null
            ? null
            : protector.TryUnprotect(source.Password, new SecretContext(source.TenantId, source.Id, PasswordField))
              ?? throw new SecretDecryptionException(source.Id);
}

/// <summary>A stored secret that does not decrypt (tampered, or under a key the ring lacks). Answered as 500 "credential decryption failed".</summary>
internal sealed class SecretDecryptionException(string recordId) : Exception($"The secret of record {recordId} did not decrypt.")
{
    public string RecordId { get; } = recordId;
}
