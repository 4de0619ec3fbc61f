namespace Connectory.Platform.Audit;

/// <summary>
/// One recorded event: who did what to which object, from where, and how it ended. Rows are only ever inserted; the
/// database refuses updates and deletes. <see cref="Detail"/> is a small JSON object and never holds a secret.
/// </summary>
internal sealed class AuditEvent
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public DateTime OccurredAt { get; init; }
    public string? ActorUserId { get; init; }
    public string? ActorSubject { get; init; }
    /// <summary>What was done, as <c>object.verb</c>: <c>connection.resolve</c>.</summary>
    public required string Action { get; init; }
    /// <summary>The kind of object acted on (<c>data-connection</c>), when one was found.</summary>
    public string? TargetKind { get; init; }
    public string? TargetId { get; init; }
    /// <summary><c>granted</c> or <c>refused</c>.</summary>
    public required string Outcome { get; init; }
    /// <summary>The HTTP status the caller was answered with.</summary>
    public int Status { get; init; }
    public string? SourceAddress { get; init; }
    public string? UserAgent { get; init; }
    public string Detail { get; init; } = "{}";
}
