using System.Diagnostics;
using System.Net;
using Npgsql;

namespace Connectory.ConnectionTesting;

/// <summary>
/// A PostgreSQL source: the network steps, then a real sign-in through Npgsql to the address the policy checked
/// (<c>authenticate</c>) and a query in the database (<c>database</c>). The server checks the password before the
/// database, so a wrong password fails <c>authenticate</c> and a missing database or a refused CONNECT fails <c>database</c>.
/// </summary>
internal static class PostgresProbe
{
    public static async Task RunAsync(TestSteps steps, OutboundPolicy policy, TestTarget target, string? username, string? password)
    {
        IPAddress address;
        using (var socket = await NetworkSteps.ConnectAsync(steps, policy, target.Host, target.Port))
        {
            if (socket is null)
            {
                return;
            }
            address = ((IPEndPoint)socket.RemoteEndPoint!).Address;
        }
        if (string.IsNullOrEmpty(username))
        {
            steps.Fail("authenticate", 0, "no username: give qUsername, or a credential, to sign in with");
            return;
        }
        var seconds = Math.Max(1, (int)Math.Ceiling(steps.Remaining.TotalSeconds));
        var builder = new NpgsqlConnectionStringBuilder
        {
            // The address checked, not the name: the name cannot resolve elsewhere between the check and the sign-in.
            Host = address.ToString(),
            Port = target.Port,
            Database = target.Database ?? username,
            Username = username,
            Password = password ?? "",
            // No pool: a pool would be keyed by, and keep, the password of every test.
            Pooling = false,
            Timeout = seconds,
            CommandTimeout = seconds,
            ApplicationName = "connectory connection test",
            SslMode = ParseSslMode(target.SslMode),
            IncludeErrorDetail = false,
        };
        var watch = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(steps.Token).WaitAsync(steps.Token);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.InsufficientPrivilege)
        {
            steps.Pass("authenticate", watch.ElapsedMilliseconds, $"signed in as {username}");
            steps.Fail("database", 0, e.SqlState == PostgresErrorCodes.InvalidCatalogName
                ? $"database \"{builder.Database}\" does not exist ({e.SqlState})"
                : $"{username} may not connect to database \"{builder.Database}\" ({e.SqlState}: {e.MessageText})");
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var step = e is NpgsqlException { InnerException: System.Security.Authentication.AuthenticationException } ? "tls" : "authenticate";
            steps.Fail(step, watch.ElapsedMilliseconds, steps.Token.IsCancellationRequested || e is TimeoutException || e.InnerException is TimeoutException
                ? $"timed out after {watch.ElapsedMilliseconds} ms (ConnectionTests:Timeout)"
                : Explain(e));
            return;
        }
        steps.Pass("authenticate", watch.ElapsedMilliseconds, $"signed in as {username}");
        await steps.RunAsync("database", async ct =>
        {
            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            var name = await command.ExecuteScalarAsync(ct);
            return (true, $"database \"{name}\" answers a query");
        }, Explain);
    }

    static string Explain(Exception e) => e switch
    {
        PostgresException p when p.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification
            => $"the server refused the username or password ({p.SqlState}: {p.MessageText})",
        PostgresException p => $"{p.SqlState}: {p.MessageText}",
        NpgsqlException n => n.InnerException is { } inner ? $"{n.Message} ({inner.Message})" : n.Message,
        _ => e.GetType().Name,
    };

    static SslMode ParseSslMode(string? text) =>
        Enum.TryParse<SslMode>((text ?? "").Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode) ? mode : SslMode.Prefer;
}
