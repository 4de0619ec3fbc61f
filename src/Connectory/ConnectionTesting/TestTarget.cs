using System.Globalization;
using Connectory.DataConnections;
using Connectory.Errors;

namespace Connectory.ConnectionTesting;

internal enum TargetKind { Postgres, Sqlite, Folder, Http, Tcp }

/// <summary>
/// What a test of a connection reaches for, read from its data source and connect statement: a PostgreSQL server, an
/// SQLite file, a folder, an HTTP(S) endpoint, or, for every other source, a host and port (with a TLS handshake where
/// the source speaks TLS from the first byte).
/// </summary>
internal sealed record TestTarget(TargetKind Kind)
{
    /// <summary>Sources whose servers speak TLS from the first byte (HTTPS APIs); others negotiate it inside their own protocol.</summary>
    static readonly HashSet<string> TlsSources = new(StringComparer.OrdinalIgnoreCase) { "snowflake", "databricks", "gbq", "athena" };

    /// <summary>Default ports of the sources whose statements may leave the port out.</summary>
    static readonly Dictionary<string, int> DefaultPorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["postgres"] = 5432,
        ["postgresql"] = 5432,
        ["sqlserver"] = 1433,
        ["mysql"] = 3306,
        ["oracle"] = 1521,
        ["snowflake"] = 443,
        ["databricks"] = 443,
    };

    /// <summary>Data-source ids this service tests besides those in its catalog.</summary>
    public static readonly IReadOnlySet<string> KnownSources = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "postgresql", "sqlite", "http", "https" };

    public string Host { get; init; } = "";
    public int Port { get; init; }
    public string? Database { get; init; }
    public string? SslMode { get; init; }
    public string Path { get; init; } = "";
    public Uri? Url { get; init; }
    public bool Tls { get; init; }
    public bool SkipCertificateCheck { get; init; }
    public bool BasicAuth { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public string KindName => Kind.ToString().ToLowerInvariant();

    /// <summary>Where the test goes, without credentials or query: host and port, a URL's origin and path, or a file path.</summary>
    public string Describe() => Kind switch
    {
        TargetKind.Sqlite or TargetKind.Folder => Path,
        TargetKind.Http => $"{Url!.Scheme}://{Url.Authority}{Url.AbsolutePath}",
        TargetKind.Postgres when Database is not null => $"{HostPort}/{Database}",
        _ => HostPort,
    };

    /// <summary>Where the test went, as the audit trail keeps it: a URL only to its origin, since a path may carry a token.</summary>
    public string AuditTarget() => Kind == TargetKind.Http ? $"{Url!.Scheme}://{Url.Authority}" : Describe();

    string HostPort => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static (TestTarget? Target, ApiError? Error) From(string? dataSourceId, string statementText)
    {
        var statement = ConnectStatement.Parse(statementText);
        var source = (dataSourceId ?? "").Trim();
        var driver = statement.Get("driver") ?? "";
        var provider = statement.Provider;
        if (provider.Equals(DataFiles.Type, StringComparison.OrdinalIgnoreCase))
        {
            return Bad($"'{DataFiles.Name}' connections hold the space's files inside the service; there is nothing outside it to test.");
        }
        bool Is(params string[] names) => names.Any(n => source.Equals(n, StringComparison.OrdinalIgnoreCase) || driver.Equals(n, StringComparison.OrdinalIgnoreCase));
        if (Is("postgres", "postgresql") || provider.Contains("postgres", StringComparison.OrdinalIgnoreCase))
        {
            return Network(TargetKind.Postgres, statement, "postgres", tls: false);
        }
        if (Is("sqlite") || provider.Contains("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return FilePath(TargetKind.Sqlite, statement.Get("database") ?? statement.Get("data source") ?? statement.Get("datasource")
                ?? statement.Get("path") ?? statement.Get("db") ?? statement.Location);
        }
        if (Is("rest", "http", "https") || provider.Contains("rest", StringComparison.OrdinalIgnoreCase) || statement.Kind == ConnectKind.Url)
        {
            return Http(statement);
        }
        if (Is("folder") || (source.Length == 0 && statement.Kind == ConnectKind.Folder))
        {
            return FilePath(TargetKind.Folder, statement.Location ?? statement.Get("path"));
        }
        var name = driver.Length > 0 ? driver : source;
        return Network(TargetKind.Tcp, statement, name, TlsSources.Contains(name));
    }

    static (TestTarget?, ApiError?) Bad(string detail) => (null, ApiError.InvalidField("qConnectStatement", detail));

    static (TestTarget?, ApiError?) Network(TargetKind kind, ConnectStatement statement, string source, bool tls)
    {
        var given = statement.Get("host") ?? statement.Get("server") ?? statement.Get("hostname") ?? statement.Get("endpoint");
        if (string.IsNullOrWhiteSpace(given))
        {
            return Bad("names no host (host=, server=) to test");
        }
        var (host, embeddedPort) = SplitHost(given.Trim());
        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            return Bad("names a host that is not a host name or address");
        }
        int port;
        if (statement.Get("port") is { Length: > 0 } text)
        {
            if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return Bad("names a port that is not a number from 1 to 65535");
            }
        }
        else if (embeddedPort is { } p)
        {
            port = p;
        }
        else if (!DefaultPorts.TryGetValue(source, out port))
        {
            return Bad("names no port (port=) to test, and its data source has no usual one");
        }
        return (new TestTarget(kind)
        {
            Host = host,
            Port = port,
            Database = kind == TargetKind.Postgres ? statement.Get("db") ?? statement.Get("database") ?? statement.Get("dbname") : null,
            SslMode = statement.Get("sslmode"),
            Tls = tls || (kind == TargetKind.Tcp && port == 443),
        }, null);
    }

    /// <summary>A host as statements write it: a name, an address, [IPv6], and possibly tcp:, a URL, :port or ,port (SQL Server).</summary>
    static (string Host, int? Port) SplitHost(string given)
    {
        if (given.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(given, UriKind.Absolute, out var uri))
        {
            return (uri.IdnHost.Trim('[', ']'), uri.IsDefaultPort ? null : uri.Port);
        }
        var text = given.StartsWith("tcp:", StringComparison.OrdinalIgnoreCase) ? given[4..] : given;
        int? Port(string digits) => int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535 ? p : null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? ("", null) : (text[1..close], text.Length > close + 2 && text[close + 1] is ':' or ',' ? Port(text[(close + 2)..]) : null);
        }
        var comma = text.LastIndexOf(',');
        if (comma > 0)
        {
            return (text[..comma], Port(text[(comma + 1)..]));
        }
        // One colon is host:port; several are an IPv6 address.
        return text.Count(c => c == ':') == 1 ? (text[..text.IndexOf(':', StringComparison.Ordinal)], Port(text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..])) : (text, null);
    }

    static (TestTarget?, ApiError?) FilePath(TargetKind kind, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return Bad("names no path to test");
        }
        var trimmed = path.Trim();
        if (!System.IO.Path.IsPathFullyQualified(trimmed) || trimmed.Any(char.IsControl))
        {
            return Bad("names a path that is not absolute on this machine; a test looks at the service's own file system");
        }
        return (new TestTarget(kind) { Path = System.IO.Path.GetFullPath(trimmed) }, null);
    }

    static (TestTarget?, ApiError?) Http(ConnectStatement statement)
    {
        var text = statement.Kind == ConnectKind.Url ? statement.Location : statement.Get("url");
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url))
        {
            return Bad("names no absolute URL (url=) to test");
        }
        if (url.Scheme is not ("http" or "https"))
        {
            return Bad($"names a {url.Scheme} URL; only http and https endpoints are tested");
        }
        var query = ConnectStatement.DecodeList(statement.Get("queryParameters") ?? "");
        if (query.Count > 0)
        {
            var extra = string.Join('&', query.Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value)));
            url = new UriBuilder(url) { Query = url.Query.Length > 1 ? url.Query[1..] + "&" + extra : extra }.Uri;
        }
        return (new TestTarget(TargetKind.Http)
        {
            Url = url,
            Host = url.IdnHost.Trim('[', ']'),
            Port = url.Port,
            Tls = url.Scheme == "https",
            SkipCertificateCheck = string.Equals(statement.Get("skipServerCertificateValidation"), "true", StringComparison.OrdinalIgnoreCase),
            BasicAuth = string.Equals(statement.Get("authSchema"), "basic", StringComparison.OrdinalIgnoreCase),
            Headers = ConnectStatement.DecodeList(statement.Get("queryHeaders") ?? ""),
        }, null);
    }
}
