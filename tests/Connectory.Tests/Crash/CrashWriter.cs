namespace Connectory.Tests.Crash;

/// <summary>
/// One client writing its own connections and credentials, one request at a time, until a write goes unacknowledged
/// (the server or its database was killed). Writers run side by side, so the server sees concurrent writes, but no
/// two write the same object: what each object must hold is then known exactly.
/// </summary>
sealed class CrashWriter(int number, Random random)
{
    const string Type = "QvOdbcConnectorPackage.exe";
    readonly List<TrackedConnection> connections = [];
    readonly List<TrackedCredential> credentials = [];
    int made;

    public IReadOnlyList<TrackedConnection> Connections => connections;
    public IReadOnlyList<TrackedCredential> Credentials => credentials;

    public async Task RunAsync(CrashApi api)
    {
        while (await WriteOnceAsync(api))
        {
        }
    }

    /// <summary>After a check: creates that turned out not applied leave nothing to track.</summary>
    public void Forget()
    {
        connections.RemoveAll(c => c.Id is null && c.Acked is null);
        credentials.RemoveAll(c => c.Acked is null && !c.Deleted && c.ProbeId is null);
    }

    Task<bool> WriteOnceAsync(CrashApi api)
    {
        if (random.Next(3) < 2)
        {
            var live = connections.Where(c => c.Acked is not null).ToList();
            if (live.Count < 4 || random.Next(5) == 0)
            {
                return CreateConnectionAsync(api);
            }
            var target = live[random.Next(live.Count)];
            return random.Next(6) switch
            {
                0 => DeleteConnectionAsync(api, target),
                1 or 2 => PatchConnectionAsync(api, target),
                _ => PutConnectionAsync(api, target),
            };
        }
        var held = credentials.Where(c => c.Acked is not null).ToList();
        if (held.Count < 2 || random.Next(5) == 0)
        {
            return CreateCredentialAsync(api);
        }
        var credential = held[random.Next(held.Count)];
        return random.Next(6) switch
        {
            0 => DeleteCredentialAsync(api, credential),
            1 or 2 => PatchCredentialAsync(api, credential),
            _ => PutCredentialAsync(api, credential),
        };
    }

    string Salt() => Convert.ToHexString(BitConverter.GetBytes(random.NextInt64())) + "-é";

    async Task<bool> CreateConnectionAsync(CrashApi api)
    {
        var connection = new TrackedConnection($"w{number}-c{made++}", Salt());
        connections.Add(connection);
        var version = ++connection.LastVersion;
        var v = connection.Expected(version);
        var (outcome, body) = await api.WriteAsync(HttpMethod.Post, CrashApi.Connections, new
        {
            qName = v.Name,
            qType = Type,
            datasourceID = "postgres",
            qConnectStatement = v.Statement,
            tags = new[] { v.Tag },
            qUsername = v.User,
            qPassword = v.Password,
            qConnectionSecret = v.Secret,
        });
        if (outcome == WriteOutcome.Acknowledged)
        {
            connection.Id = body.GetProperty("qID").GetString();
            connection.Acked = version;
            return true;
        }
        connection.Unanswered = version;
        return false;
    }

    Task<bool> PatchConnectionAsync(CrashApi api, TrackedConnection connection)
    {
        var version = ++connection.LastVersion;
        var v = connection.Expected(version);
        object[] operations =
        [
            new { op = "replace", path = "/qName", value = v.Name },
            new { op = "replace", path = "/qConnectStatement", value = v.Statement },
            new { op = "replace", path = "/tags", value = new[] { v.Tag } },
            new { op = "replace", path = "/qUsername", value = v.User },
            new { op = "replace", path = "/qPassword", value = v.Password },
            new { op = "replace", path = "/qConnectionSecret", value = v.Secret },
        ];
        return SettleWriteAsync(connection, version, api.WriteAsync(HttpMethod.Patch, $"{CrashApi.Connections}/{connection.Id}", operations));
    }

    Task<bool> PutConnectionAsync(CrashApi api, TrackedConnection connection)
    {
        var version = ++connection.LastVersion;
        var v = connection.Expected(version);
        return SettleWriteAsync(connection, version, api.WriteAsync(HttpMethod.Put, $"{CrashApi.Connections}/{connection.Id}", new
        {
            qID = connection.Id,
            qEngineObjectID = connection.Id,
            qName = v.Name,
            qType = Type,
            datasourceID = "postgres",
            qConnectStatement = v.Statement,
            tags = new[] { v.Tag },
            qUsername = v.User,
            qPassword = v.Password,
            qConnectionSecret = v.Secret,
        }));
    }

    static async Task<bool> DeleteConnectionAsync(CrashApi api, TrackedConnection connection)
    {
        var (outcome, _) = await api.WriteAsync(HttpMethod.Delete, $"{CrashApi.Connections}/{connection.Id}");
        return Deleted(connection, outcome);
    }

    async Task<bool> CreateCredentialAsync(CrashApi api)
    {
        var credential = new TrackedCredential($"w{number}-k{made++}", Salt()) { Id = Guid.NewGuid().ToString() };
        credentials.Add(credential);
        var version = ++credential.LastVersion;
        if (!await PutCredentialVersionAsync(api, credential, version))
        {
            return false;
        }
        // The probe: a connection that uses the credential, so that resolving it decrypts the credential's password.
        var (outcome, body) = await api.WriteAsync(HttpMethod.Post, CrashApi.Connections, new
        {
            qName = credential.ProbeName,
            qType = Type,
            datasourceID = "postgres",
            qConnectStatement = $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;host={credential.BaseName}.example.test;\"",
            qCredentialsID = credential.Id,
        });
        if (outcome == WriteOutcome.Acknowledged)
        {
            credential.ProbeId = body.GetProperty("qID").GetString();
            return true;
        }
        credential.ProbeUncertain = true;
        return false;
    }

    Task<bool> PutCredentialAsync(CrashApi api, TrackedCredential credential) =>
        PutCredentialVersionAsync(api, credential, ++credential.LastVersion);

    static Task<bool> PutCredentialVersionAsync(CrashApi api, TrackedCredential credential, int version)
    {
        var v = credential.Expected(version);
        return SettleWriteAsync(credential, version, api.WriteAsync(HttpMethod.Put, $"{CrashApi.Credentials}/{credential.Id}", new
        {
            qName = v.Name,
            qType = Type,
            qUsername = v.User,
            qPassword = v.Password,
        }));
    }

    static Task<bool> PatchCredentialAsync(CrashApi api, TrackedCredential credential)
    {
        var version = ++credential.LastVersion;
        var v = credential.Expected(version);
        object[] operations =
        [
            new { op = "replace", path = "/qName", value = v.Name },
            new { op = "replace", path = "/qUsername", value = v.User },
            new { op = "replace", path = "/qPassword", value = v.Password },
        ];
        return SettleWriteAsync(credential, version, api.WriteAsync(HttpMethod.Patch, $"{CrashApi.Credentials}/{credential.Id}", operations));
    }

    /// <summary>The probe goes first, so a credential in use is never deleted under it.</summary>
    static async Task<bool> DeleteCredentialAsync(CrashApi api, TrackedCredential credential)
    {
        if (credential.ProbeId is not null)
        {
            var (probe, _) = await api.WriteAsync(HttpMethod.Delete, $"{CrashApi.Connections}/{credential.ProbeId}");
            if (probe != WriteOutcome.Acknowledged)
            {
                credential.ProbeUncertain = true;
                return false;
            }
            credential.ProbeId = null;
        }
        var (outcome, _) = await api.WriteAsync(HttpMethod.Delete, $"{CrashApi.Credentials}/{credential.Id}");
        return Deleted(credential, outcome);
    }

    static async Task<bool> SettleWriteAsync(Tracked tracked, int version, Task<(WriteOutcome Outcome, System.Text.Json.JsonElement Body)> write)
    {
        var (outcome, _) = await write;
        if (outcome == WriteOutcome.Acknowledged)
        {
            tracked.Acked = version;
            return true;
        }
        tracked.Unanswered = version;
        return false;
    }

    static bool Deleted(Tracked tracked, WriteOutcome outcome)
    {
        if (outcome == WriteOutcome.Acknowledged)
        {
            tracked.Acked = null;
            tracked.Deleted = true;
            return true;
        }
        tracked.UnansweredDelete = true;
        return false;
    }
}
