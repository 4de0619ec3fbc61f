namespace Connectory.Tests.Crash;

/// <summary>
/// What the server acknowledged for one object, and the one write to it whose answer never came. Each write sets every
/// field of the object to one version's values, so a read must match one whole version: the acknowledged one, or the
/// unanswered one. Anything else is a lost write (an older version, or gone) or a half-applied one (fields of two
/// versions, a connection without its inline credential).
/// </summary>
abstract class Tracked(string baseName, string salt)
{
    public string BaseName { get; } = baseName;
    protected string Salt { get; } = salt;

    /// <summary>The id, once known (a create whose answer never came is found by its name).</summary>
    public string? Id { get; set; }

    /// <summary>The acknowledged version; null while none was acknowledged or after an acknowledged delete.</summary>
    public int? Acked { get; set; }

    /// <summary>The version of a create, patch or put whose answer never came (or was a 503).</summary>
    public int? Unanswered { get; set; }

    /// <summary>A delete whose answer never came.</summary>
    public bool UnansweredDelete { get; set; }

    /// <summary>An acknowledged delete: the object must stay gone.</summary>
    public bool Deleted { get; set; }

    public int LastVersion { get; set; }

    public bool Settled => Unanswered is null && !UnansweredDelete;

    public string Name(int version) => $"{BaseName}-v{version}";

    /// <summary>Versions a read may show; null stands for "absent".</summary>
    public IEnumerable<int?> Allowed()
    {
        if (Acked is { } acked)
        {
            yield return acked;
        }
        else
        {
            yield return null;
        }
        if (Unanswered is { } unanswered)
        {
            yield return unanswered;
        }
        if (UnansweredDelete)
        {
            yield return null;
        }
    }

    /// <summary>After a check: what was read is now what is known.</summary>
    public void Settle(int? observed)
    {
        Unanswered = null;
        if (UnansweredDelete && observed is null)
        {
            Deleted = true;
        }
        UnansweredDelete = false;
        Acked = observed;
    }
}

/// <summary>A data connection with an inline credential (qUsername/qPassword) and a qConnectionSecret.</summary>
sealed class TrackedConnection(string baseName, string salt) : Tracked(baseName, salt)
{
    public ConnectionFields Expected(int version) => new(
        Name(version),
        $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;host=h{version}.{BaseName}.example.test;\"",
        $"t{version}",
        $"u{version}",
        $"p{version}-{Salt}",
        $"s{version}-{Salt}-{new string('x', version % 7 * 100)}");
}

public sealed record ConnectionFields(string Name, string Statement, string Tag, string? User, string? Password, string? Secret);

/// <summary>
/// A data credential of /api/v1/data-credentials, with a probe: a connection linked to it (qCredentialsID), through
/// which resolving hands out the credential's decrypted username and password.
/// </summary>
sealed class TrackedCredential(string baseName, string salt) : Tracked(baseName, salt)
{
    public CredentialFields Expected(int version) => new(Name(version), $"cu{version}", $"cp{version}-{Salt}");

    /// <summary>The probe connection's name; its id once known.</summary>
    public string ProbeName => $"{BaseName}-probe";

    public string? ProbeId { get; set; }

    /// <summary>The probe's create or delete was sent and not acknowledged: it may or may not exist.</summary>
    public bool ProbeUncertain { get; set; }
}

public sealed record CredentialFields(string Name, string User, string Password);
