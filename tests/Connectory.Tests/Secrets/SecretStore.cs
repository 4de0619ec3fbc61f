using Connectory.Secrets;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Secrets;

/// <summary>Reads and changes stored (encrypted) values directly, as someone with the database file would.</summary>
static class SecretStore
{
    public static Task<string?> PasswordAsync(this ConnectoryFactory factory, string credentialId) =>
        factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().Where(c => c.Id == credentialId).Select(c => c.Password).SingleAsync());

    public static Task SetPasswordAsync(this ConnectoryFactory factory, string credentialId, string? value) =>
        factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().Where(c => c.Id == credentialId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Password, value)));

    public static Task<string?> ConnectionSecretAsync(this ConnectoryFactory factory, string connectionId) =>
        factory.WithDbAsync(db => db.DataConnections.IgnoreQueryFilters().Where(c => c.Id == connectionId).Select(c => c.ConnectionSecret).SingleAsync());

    public static Task SetConnectionSecretAsync(this ConnectoryFactory factory, string connectionId, string? value) =>
        factory.WithDbAsync(db => db.DataConnections.IgnoreQueryFilters().Where(c => c.Id == connectionId).ExecuteUpdateAsync(s => s.SetProperty(c => c.ConnectionSecret, value)));

    public static Task<List<string>> AllStoredSecretsAsync(this ConnectoryFactory factory) => factory.WithDbAsync(async db =>
        (await db.DataCredentials.IgnoreQueryFilters().Where(c => c.Password != null).Select(c => c.Password!).ToListAsync())
        .Concat(await db.DataConnections.IgnoreQueryFilters().Where(c => c.ConnectionSecret != null).Select(c => c.ConnectionSecret!).ToListAsync())
        .ToList());

    /// <summary>The same value with one bit of its ciphertext flipped.</summary>
    public static string Tamper(string stored)
    {
        var parts = stored.Split(':');
        var blob = Convert.FromBase64String(parts[2]);
        blob[^20] ^= 0x01;
        return $"{parts[0]}:{parts[1]}:{Convert.ToBase64String(blob)}";
    }

    public static string? KeyIdOf(string stored) => SecretProtector.KeyIdOf(stored);
}
