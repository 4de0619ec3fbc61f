using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectory.Backup;

/// <summary>
/// What a backup holds and needs, stored as <c>manifest.json</c> beside the database in the archive. Everything in
/// it but <see cref="CreatedAt"/> and <see cref="ConnectoryVersion"/> is read from the copied database itself, so it
/// describes those bytes, which <see cref="BackupDatabaseFile.Sha256"/> pins.
/// </summary>
internal sealed record BackupManifest
{
    public const string CurrentFormat = "connectory-backup/1";

    public required string Format { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string ConnectoryVersion { get; init; }
    public required string Provider { get; init; }

    /// <summary>The newest EF Core migration applied to the database.</summary>
    public required string? SchemaVersion { get; init; }

    /// <summary>The master keys the stored secrets are wrapped under, and those the database records as guarding secrets.</summary>
    public required IReadOnlyList<BackupMasterKey> MasterKeys { get; init; }

    /// <summary>Rows per table.</summary>
    public required IReadOnlyDictionary<string, long> Tables { get; init; }

    public required BackupDatabaseFile Database { get; init; }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The manifest, or null when the bytes are not one (not JSON, or a field missing).</summary>
    public static BackupManifest? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <param name="Id">The key id, as in the key file (<c>k1</c>).</param>
/// <param name="Check">The check value the database records for the key (never the key), when it records one.</param>
/// <param name="Secrets">Stored secrets wrapped under the key.</param>
internal sealed record BackupMasterKey(string Id, string? Check, long Secrets);

/// <param name="Entry">The database's name in the archive.</param>
/// <param name="Bytes">Its length.</param>
/// <param name="Sha256">SHA-256 of its bytes, lowercase hex.</param>
internal sealed record BackupDatabaseFile(string Entry, long Bytes, string Sha256);
