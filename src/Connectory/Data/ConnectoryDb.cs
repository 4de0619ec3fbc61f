using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.DataSources;
using Connectory.Platform.Audit;
using Connectory.Platform.ApiKeys;
using Connectory.Platform.Groups;
using Connectory.Platform.Spaces;
using Connectory.Platform.Tenants;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Connectory.Data;

/// <summary>
/// The one data model. Provider subclasses exist only to keep separate migration folders.
/// Every tenant-owned table carries a query filter on the caller's tenant, so a query that forgets
/// the tenant still cannot cross it; code that must (sign-in, admin commands) says IgnoreQueryFilters.
/// </summary>
internal abstract class ConnectoryDb(DbContextOptions options) : DbContext(options)
{
    /// <summary>The request's tenant, set whenever the (pooled) context is handed out.</summary>
    public TenantScope TenantScope { get; set; } = new();

    public string? CurrentTenantId => TenantScope.TenantId;

    /// <summary>On SQLite, saves queue here (see <see cref="SqliteWriteGate"/>); set whenever the context is handed out.</summary>
    public SqliteWriteGate? WriteGate { get; set; }

    /// <summary>Records audited changes with each save (see <see cref="ChangeAudit"/>); set whenever the context is handed out.</summary>
    public ChangeAudit? Audit { get; set; }

    /// <summary>How long migrating waits for the migration lock (see <see cref="MigrationLock"/>); set before migrating.</summary>
    public TimeSpan MigrationLockTimeout { get; set; } = DatabaseOptions.DefaultMigrationLockTimeout;

    // A save inside an explicit transaction already holds the database's write lock: it must not wait for the gate,
    // or it could wait on a save that waits on its lock.
    // Versioned rows are written against their version (see Versioned); audited changes are recorded in the same save.
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Audit?.Collect(this);
        Task<int> Save() => Versioned.SaveAsync(ChangeTracker, () => base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken), cancellationToken);
        return WriteGate is null || Database.CurrentTransaction is not null ? Save() : WriteGate.RunAsync(Save, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        Audit?.Collect(this);
        int Save() => Versioned.Save(ChangeTracker, () => base.SaveChanges(acceptAllChangesOnSuccess));
        return WriteGate is null || Database.CurrentTransaction is not null ? Save() : WriteGate.Run(Save);
    }

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Space> Spaces => Set<Space>();
    public DbSet<SpaceAssignment> SpaceAssignments => Set<SpaceAssignment>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<DataConnection> DataConnections => Set<DataConnection>();
    public DbSet<DataCredential> DataCredentials => Set<DataCredential>();
    public DbSet<DataSourceSetting> DataSourceSettings => Set<DataSourceSetting>();
    public DbSet<Qrs.QrsCustomPropertyDefinition> QrsCustomPropertyDefinitions => Set<Qrs.QrsCustomPropertyDefinition>();
    public DbSet<Qrs.QrsCustomPropertyValue> QrsCustomPropertyValues => Set<Qrs.QrsCustomPropertyValue>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<OAuthStateRedemption> OAuthStateRedemptions => Set<OAuthStateRedemption>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(1024);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Tenant>(e =>
        {
            e.ToTable("tenants");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).HasMaxLength(32);
            e.Property(t => t.Name).HasMaxLength(256);
            e.Property(t => t.QriKey).HasMaxLength(64);
            e.HasIndex(t => t.Name).IsUnique();
        });

        model.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasKey(u => u.Id);
            e.Property(u => u.Id).HasMaxLength(32);
            e.Property(u => u.TenantId).HasMaxLength(32);
            e.Property(u => u.Status).HasMaxLength(16);
            e.Ignore(u => u.RoleSet);
            e.HasIndex(u => new { u.TenantId, u.Subject }).IsUnique();
            e.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(u => u.TenantId == CurrentTenantId);
        });

        model.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(k => k.Id);
            e.Property(k => k.Id).HasMaxLength(32);
            e.Property(k => k.TenantId).HasMaxLength(32);
            e.Property(k => k.UserId).HasMaxLength(32);
            e.Property(k => k.CreatedByUserId).HasMaxLength(32);
            e.Property(k => k.TokenHash).HasMaxLength(64);
            e.HasIndex(k => k.TokenHash).IsUnique();
            e.HasIndex(k => new { k.TenantId, k.UserId });
            e.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(k => k.TenantId == CurrentTenantId);
        });

        model.Entity<Space>(e =>
        {
            e.ToTable("spaces");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasMaxLength(32);
            e.Property(s => s.TenantId).HasMaxLength(32);
            e.Property(s => s.Name).HasMaxLength(256);
            e.Property(s => s.NormalizedName).HasMaxLength(256);
            e.Property(s => s.Type).HasMaxLength(16);
            e.Property(s => s.OwnerId).HasMaxLength(32);
            e.Property(s => s.CreatedBy).HasMaxLength(32);
            e.HasIndex(s => new { s.TenantId, s.NormalizedName }).IsUnique();
            e.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(s => s.TenantId == CurrentTenantId);
        });

        model.Entity<SpaceAssignment>(e =>
        {
            e.ToTable("space_assignments");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).HasMaxLength(32);
            e.Property(a => a.TenantId).HasMaxLength(32);
            e.Property(a => a.SpaceId).HasMaxLength(32);
            e.Property(a => a.AssigneeId).HasMaxLength(32);
            e.Property(a => a.Type).HasMaxLength(16);
            e.Property(a => a.CreatedBy).HasMaxLength(32);
            e.Property(a => a.UpdatedBy).HasMaxLength(32);
            e.Ignore(a => a.RoleList);
            e.HasIndex(a => new { a.SpaceId, a.Type, a.AssigneeId }).IsUnique();
            e.HasIndex(a => new { a.TenantId, a.AssigneeId });
            e.HasOne<Space>().WithMany().HasForeignKey(a => a.SpaceId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(a => a.TenantId == CurrentTenantId);
        });

        model.Entity<Group>(e =>
        {
            e.ToTable("groups");
            e.HasKey(g => g.Id);
            e.Property(g => g.Id).HasMaxLength(32);
            e.Property(g => g.TenantId).HasMaxLength(32);
            e.Property(g => g.Name).HasMaxLength(256);
            e.Property(g => g.ProviderType).HasMaxLength(16);
            e.Property(g => g.Status).HasMaxLength(16);
            e.Property(g => g.CreatedBy).HasMaxLength(32);
            e.Property(g => g.UpdatedBy).HasMaxLength(32);
            e.Ignore(g => g.RoleSet);
            e.HasIndex(g => new { g.TenantId, g.Name }).IsUnique();
            e.HasOne<Tenant>().WithMany().HasForeignKey(g => g.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(g => g.TenantId == CurrentTenantId);
        });

        model.Entity<GroupMember>(e =>
        {
            e.ToTable("group_members");
            e.HasKey(m => new { m.GroupId, m.UserId, m.Source });
            e.Property(m => m.TenantId).HasMaxLength(32);
            e.Property(m => m.GroupId).HasMaxLength(32);
            e.Property(m => m.UserId).HasMaxLength(32);
            e.Property(m => m.Source).HasMaxLength(16);
            e.HasIndex(m => new { m.TenantId, m.UserId });
            e.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(m => m.TenantId == CurrentTenantId);
        });

        model.Entity<DataConnection>(e =>
        {
            e.ToTable("data_connections");
            // Ids are the tenant's own: a qID another tenant uses is free here, so no answer depends on other tenants.
            e.HasKey(c => new { c.TenantId, c.Id });
            e.Property(c => c.Id).HasMaxLength(36);
            e.Property(c => c.TenantId).HasMaxLength(32);
            e.Property(c => c.SpaceId).HasMaxLength(32);
            e.Property(c => c.SpaceType).HasMaxLength(16);
            e.Property(c => c.OwnerId).HasMaxLength(32);
            e.Property(c => c.Scope).HasMaxLength(40);
            e.Property(c => c.Name).HasMaxLength(512);
            e.Property(c => c.NameFold).HasMaxLength(512);
            e.Property(c => c.NameSortKey).HasMaxLength(4096);
            e.Property(c => c.Type).HasMaxLength(256);
            e.Property(c => c.DatasourceId).HasMaxLength(256);
            e.Property(c => c.ConnectStatement).HasMaxLength(65536);
            e.Property(c => c.CredentialId).HasMaxLength(36);
            e.Property(c => c.ConnectionSecret).HasMaxLength(65536);
            e.Property(c => c.Tags).HasMaxLength(16384);
            e.Property(c => c.AppOwner).HasMaxLength(256);
            e.Property(c => c.Qri).HasMaxLength(512);
            e.Property(c => c.CreatedBy).HasMaxLength(32);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.Ignore(c => c.RequiredVersion);
            e.HasIndex(c => new { c.TenantId, c.Scope, c.NameFold }).IsUnique();
            e.HasIndex(c => new { c.TenantId, c.NameFold, c.Id });
            // The default sort (+qName, case-sensitive) reads pages straight from this index.
            e.HasIndex(c => new { c.TenantId, c.Name, c.Id });
            e.HasIndex(c => new { c.TenantId, c.NameSortKey, c.Id });
            e.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
            e.HasIndex(c => new { c.TenantId, c.UpdatedAt, c.Id });
            e.HasIndex(c => new { c.TenantId, c.SpaceId });
            e.HasIndex(c => new { c.TenantId, c.OwnerId });
            e.HasIndex(c => new { c.TenantId, c.CredentialId });
            e.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
            // Deleting a credential clears the references first (CredentialWrites.DeleteAsync): SET NULL would clear the
            // tenant column too.
            e.HasOne<DataCredential>().WithMany().HasForeignKey(c => new { c.TenantId, c.CredentialId }).HasPrincipalKey(c => new { c.TenantId, c.Id })
                .OnDelete(DeleteBehavior.NoAction);
            e.HasQueryFilter(c => c.TenantId == CurrentTenantId);
        });

        model.Entity<DataCredential>(e =>
        {
            e.ToTable("data_credentials");
            e.HasKey(c => new { c.TenantId, c.Id });
            e.Property(c => c.Id).HasMaxLength(36);
            e.Property(c => c.TenantId).HasMaxLength(32);
            e.Property(c => c.OwnerId).HasMaxLength(32);
            e.Property(c => c.Name).HasMaxLength(512);
            e.Property(c => c.NameFold).HasMaxLength(512);
            e.Property(c => c.Type).HasMaxLength(256);
            e.Property(c => c.DatasourceId).HasMaxLength(256);
            e.Property(c => c.Username).HasMaxLength(1024);
            e.Property(c => c.Password).HasMaxLength(8192);
            e.Property(c => c.ConnectionId).HasMaxLength(36);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.Ignore(c => c.RequiredVersion);
            e.HasIndex(c => new { c.TenantId, c.OwnerId, c.NameFold }).IsUnique();
            e.HasIndex(c => new { c.TenantId, c.ConnectionId, c.OwnerId });
            // Every list page reads the caller's separated credentials; an owner may have many embedded ones.
            e.HasIndex(c => new { c.TenantId, c.OwnerId, c.Separated });
            e.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(c => c.TenantId == CurrentTenantId);
        });

        model.ApplyConfiguration(new Secrets.MasterKeyRecordConfiguration());
        model.Entity<DataSourceSetting>(e =>
        {
            e.ToTable("data_source_settings");
            e.HasKey(s => new { s.TenantId, s.DataSourceId });
            e.Property(s => s.TenantId).HasMaxLength(32);
            e.Property(s => s.DataSourceId).HasMaxLength(256);
            e.Property(s => s.UpdatedBy).HasMaxLength(32);
            e.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(s => s.TenantId == CurrentTenantId);
        });

        model.Entity<Qrs.QrsCustomPropertyDefinition>(e =>
        {
            e.ToTable("qrs_custom_property_definitions");
            e.HasKey(d => d.Id);
            e.Property(d => d.Id).HasMaxLength(36);
            e.Property(d => d.TenantId).HasMaxLength(32);
            e.Property(d => d.Name).HasMaxLength(Qrs.QrsCustomPropertyDefinition.MaxNameLength);
            e.Property(d => d.NameFold).HasMaxLength(Qrs.QrsCustomPropertyDefinition.MaxNameLength);
            e.Property(d => d.ValueType).HasMaxLength(32);
            e.Property(d => d.ChoiceValues).HasMaxLength(65536);
            e.Property(d => d.ObjectTypes).HasMaxLength(1024);
            e.HasIndex(d => new { d.TenantId, d.NameFold }).IsUnique();
            e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(d => d.TenantId == CurrentTenantId);
        });

        model.Entity<Qrs.QrsCustomPropertyValue>(e =>
        {
            e.ToTable("qrs_custom_property_values");
            e.HasKey(v => v.Id);
            e.Property(v => v.Id).HasMaxLength(36);
            e.Property(v => v.TenantId).HasMaxLength(32);
            e.Property(v => v.ConnectionId).HasMaxLength(36);
            e.Property(v => v.DefinitionId).HasMaxLength(36);
            e.Property(v => v.Value).HasMaxLength(Qrs.QrsCustomPropertyValue.MaxValueLength);
            e.HasIndex(v => new { v.TenantId, v.ConnectionId });
            e.HasIndex(v => new { v.TenantId, v.DefinitionId, v.Value });
            e.HasOne<DataConnection>().WithMany().HasForeignKey(v => new { v.TenantId, v.ConnectionId }).HasPrincipalKey(c => new { c.TenantId, c.Id })
                .OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Qrs.QrsCustomPropertyDefinition>().WithMany().HasForeignKey(v => v.DefinitionId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(v => v.TenantId == CurrentTenantId);
        });

        // Append-only: the migrations add triggers that refuse UPDATE and DELETE, and a tenant with events is not
        // deleted by a cascade that would take its trail with it.
        model.Entity<AuditEvent>(e =>
        {
            e.ToTable("audit_events");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).HasMaxLength(36);
            e.Property(a => a.TenantId).HasMaxLength(32);
            e.Property(a => a.ActorUserId).HasMaxLength(32);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.TargetKind).HasMaxLength(64);
            e.Property(a => a.TargetId).HasMaxLength(256);
            e.Property(a => a.Outcome).HasMaxLength(16);
            e.Property(a => a.SourceAddress).HasMaxLength(64);
            e.Property(a => a.UserAgent).HasMaxLength(512);
            e.Property(a => a.Detail).HasMaxLength(4096);
            e.HasIndex(a => new { a.TenantId, a.OccurredAt, a.Id });
            e.HasIndex(a => new { a.TenantId, a.TargetKind, a.TargetId });
            e.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(a => a.TenantId == CurrentTenantId);
        });

        model.Entity<OAuthStateRedemption>(e =>
        {
            e.ToTable("oauth_state_redemptions");
            e.HasKey(r => r.StateHash);
            e.Property(r => r.StateHash).HasMaxLength(64);
            e.Property(r => r.TenantId).HasMaxLength(32);
            e.HasIndex(r => r.ExpiresAt);
            e.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(r => r.TenantId == CurrentTenantId);
        });
    }

    sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

/// <summary>The tenant of the current request, set once by authentication.</summary>
internal sealed class TenantScope
{
    public string? TenantId { get; set; }
}

internal sealed class SqliteConnectoryDb(DbContextOptions<SqliteConnectoryDb> options) : ConnectoryDb(options);

internal sealed class PostgresConnectoryDb(DbContextOptions<PostgresConnectoryDb> options) : ConnectoryDb(options);
