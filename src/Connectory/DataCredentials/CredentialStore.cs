using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataCredentials;

/// <summary>Makes, finds and re-keys credentials; passwords pass through <see cref="SecretProtector"/> only.</summary>
internal sealed class CredentialStore(ConnectoryDb db, SecretProtector protector, TimeProvider time)
{
    public const string PasswordField = "password";

    /// <summary>A credential (not yet saved) for <paramref name="connection"/>: embedded, or the owner's separated one.</summary>
    public DataCredential New(DataConnection connection, string ownerId, string username, string? password, bool separated, string? name = null)
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
        db.DataCredentials.Add(credential);
        return credential;
    }

    public void SetPassword(DataCredential credential, string? password)
    {
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
