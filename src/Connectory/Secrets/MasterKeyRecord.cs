using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Connectory.Secrets;

/// <summary>
/// A master key that has encrypted stored secrets: its id and a check value (never the key). The service refuses to
/// start when a key that still guards secrets is missing from the ring or differs from the one recorded here.
/// </summary>
internal sealed class MasterKeyRecord
{
    public required string Id { get; init; }
    public required string Check { get; set; }
    public DateTime CreatedAt { get; init; }
    /// <summary>Set by rotation once no stored secret uses the key any more: it may then leave the key file.</summary>
    public DateTime? RetiredAt { get; set; }
}

internal sealed class MasterKeyRecordConfiguration : IEntityTypeConfiguration<MasterKeyRecord>
{
    public void Configure(EntityTypeBuilder<MasterKeyRecord> e)
    {
        e.ToTable("master_keys");
        e.HasKey(k => k.Id);
        e.Property(k => k.Id).HasMaxLength(32);
        e.Property(k => k.Check).HasMaxLength(64);
    }
}
