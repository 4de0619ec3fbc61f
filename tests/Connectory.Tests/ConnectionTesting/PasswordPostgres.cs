using Connectory.Tests.Support;

namespace Connectory.Tests.ConnectionTesting;

/// <summary>
/// A PostgreSQL cluster of the tests' own that checks passwords (scram-sha-256): the suite's shared cluster trusts
/// every sign-in, so a wrong password would pass there. Its superuser's password is a canary to look for.
/// </summary>
public sealed class PasswordPostgres : IDisposable
{
    public const string Password = "canary-pg-9c41e27a";

    readonly PrivatePostgres cluster = PrivatePostgres.Start(Password);

    public int Port => cluster.Port;

    public void Dispose() => cluster.Dispose();
}
