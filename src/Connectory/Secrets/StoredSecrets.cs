using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Secrets;

/// <summary>One stored secret as rotation sees it: where it lives and its encrypted value.</summary>
internal sealed record SecretRow(string Id, string TenantId, string Value);

/// <summary>A column that holds encrypted secrets. Every such column is listed in <see cref="StoredSecrets.Columns"/>.</summary>
internal abstract class SecretColumn(string name, string field)
{
    public string Name { get; } = name;
    public string Field { get; } = field;

    /// <summary>
    /// Up to <paramref name="take"/> rows after <paramref name="after"/> (by tenant, then id: ids are per tenant) whose
    /// value does not start with <paramref name="skipPrefix"/>.
    /// </summary>
    public abstract Task<List<SecretRow>> BatchAsync(ConnectoryDb db, SecretRow? after, string skipPrefix, int take, CancellationToken ct);

    /// <summary>Every stored value of the column (a backup reads which master keys they are wrapped under).</summary>
    public abstract IQueryable<string> Values(ConnectoryDb db);

    /// <summary>Values starting with <paramref name="prefix"/> (all values when null).</summary>
    public abstract Task<int> CountAsync(ConnectoryDb db, string? prefix, CancellationToken ct);

    /// <summary>Replaces the value only if it is still <see cref="SecretRow.Value"/>, so a concurrent write is never lost.</summary>
    public abstract Task<int> ReplaceAsync(ConnectoryDb db, SecretRow row, string value, CancellationToken ct);

    public SecretContext Context(SecretRow row) => new(row.TenantId, row.Id, Field);

    /// <summary>
    /// Whether each row is replaced in a transaction of its own. data_connections' trigger bumps the tenant's
    /// connections version on every update: a batch in one transaction would hold the tenant's row while waiting for
    /// the next connection's, and a request changing that connection waits for the tenant's row: a deadlock on
    /// PostgreSQL. One row per transaction takes the two locks in the order requests do.
    /// </summary>
    public virtual bool OneRowPerTransaction => false;
}

internal static class StoredSecrets
{
    public static readonly IReadOnlyList<SecretColumn> Columns = [new CredentialPasswords(), new ConnectionSecrets()];

    static IQueryable<DataCredential> After(IQueryable<DataCredential> rows, SecretRow? after) => after is null ? rows
        : rows.Where(c => string.Compare(c.TenantId, after.TenantId) > 0 || (c.TenantId == after.TenantId && string.Compare(c.Id, after.Id) > 0));

    static IQueryable<DataConnection> After(IQueryable<DataConnection> rows, SecretRow? after) => after is null ? rows
        : rows.Where(c => string.Compare(c.TenantId, after.TenantId) > 0 || (c.TenantId == after.TenantId && string.Compare(c.Id, after.Id) > 0));

    sealed class CredentialPasswords() : SecretColumn("data_credentials.password", CredentialStore.PasswordField)
    {
        static IQueryable<DataCredential> All(ConnectoryDb db) => db.DataCredentials.IgnoreQueryFilters().Where(c => c.Password != null);

        public override Task<List<SecretRow>> BatchAsync(ConnectoryDb db, SecretRow? after, string skipPrefix, int take, CancellationToken ct) =>
            After(All(db), after).Where(c => !c.Password!.StartsWith(skipPrefix))
                .OrderBy(c => c.TenantId).ThenBy(c => c.Id).Take(take)
                .Select(c => new SecretRow(c.Id, c.TenantId, c.Password!)).ToListAsync(ct);

        public override IQueryable<string> Values(ConnectoryDb db) => All(db).Select(c => c.Password!);

        public override Task<int> CountAsync(ConnectoryDb db, string? prefix, CancellationToken ct) =>
            prefix is null ? All(db).CountAsync(ct) : All(db).CountAsync(c => c.Password!.StartsWith(prefix), ct);

        public override Task<int> ReplaceAsync(ConnectoryDb db, SecretRow row, string value, CancellationToken ct) =>
            All(db).Where(c => c.TenantId == row.TenantId && c.Id == row.Id && c.Password == row.Value).ExecuteUpdateAsync(s => s.SetProperty(c => c.Password, value), ct);
    }

    sealed class ConnectionSecrets() : SecretColumn("data_connections.qConnectionSecret", ConnectionWrites.SecretField)
    {
        static IQueryable<DataConnection> All(ConnectoryDb db) => db.DataConnections.IgnoreQueryFilters().Where(c => c.ConnectionSecret != null);

        public override bool OneRowPerTransaction => true;

        public override Task<List<SecretRow>> BatchAsync(ConnectoryDb db, SecretRow? after, string skipPrefix, int take, CancellationToken ct) =>
            After(All(db), after).Where(c => !c.ConnectionSecret!.StartsWith(skipPrefix))
                .OrderBy(c => c.TenantId).ThenBy(c => c.Id).Take(take)
                .Select(c => new SecretRow(c.Id, c.TenantId, c.ConnectionSecret!)).ToListAsync(ct);

        public override IQueryable<string> Values(ConnectoryDb db) => All(db).Select(c => c.ConnectionSecret!);

        public override Task<int> CountAsync(ConnectoryDb db, string? prefix, CancellationToken ct) =>
            prefix is null ? All(db).CountAsync(ct) : All(db).CountAsync(c => c.ConnectionSecret!.StartsWith(prefix), ct);

        public override Task<int> ReplaceAsync(ConnectoryDb db, SecretRow row, string value, CancellationToken ct) =>
            All(db).Where(c => c.TenantId == row.TenantId && c.Id == row.Id && c.ConnectionSecret == row.Value).ExecuteUpdateAsync(s => s.SetProperty(c => c.ConnectionSecret, value), ct);
    }
}
