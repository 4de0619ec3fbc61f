namespace Connectory.Tests.Crash;

/// <summary>
/// Reads back, after a restart, every object the writers touched and holds it to what was acknowledged: the whole
/// acknowledged version (or the whole unanswered one), secrets included, read through the API that decrypts them.
/// </summary>
sealed class CrashCheck(CrashApi api, CrashTally tally)
{
    public async Task CheckAsync(IEnumerable<CrashWriter> writers)
    {
        foreach (var writer in writers)
        {
            foreach (var connection in writer.Connections)
            {
                await CheckConnectionAsync(connection);
            }
            foreach (var credential in writer.Credentials)
            {
                await CheckCredentialAsync(credential);
            }
            writer.Forget();
        }
    }

    async Task CheckConnectionAsync(TrackedConnection connection)
    {
        if (connection.Deleted && connection.Settled && connection.Id is not null && Random.Shared.Next(4) != 0)
        {
            // An acknowledged delete is checked at one check in four, at random, to keep checks short as deletes pile up.
            return;
        }
        // A create whose answer never came is found by its name; lists never carry the secret, so it is read by id.
        connection.Id ??= (await api.FindConnectionAsync(connection.Name(connection.Unanswered!.Value)))?.GetProperty("qID").GetString();
        var row = connection.Id is null ? null : await api.ReadAsync($"{CrashApi.Connections}/{connection.Id}");
        int? observed = null;
        if (row is { } found)
        {
            var (user, password) = await api.ResolveAsync(connection.Id!);
            var read = new ConnectionFields(
                found.GetProperty("qName").GetString()!,
                found.GetProperty("qConnectStatement").GetString()!,
                found.TryGetProperty("tags", out var tags) && tags.GetArrayLength() == 1 ? tags[0].GetString()! : "",
                user,
                password,
                CrashApi.Text(found, "qConnectionSecret"));
            observed = Enumerable.Range(1, connection.LastVersion).Cast<int?>().FirstOrDefault(v => connection.Expected(v!.Value) == read);
            if (observed is null)
            {
                tally.HalfAppliedWrite($"connection {connection.Id} reads {Describe(read)}; no version it was sent looks like that " +
                    $"(acknowledged v{connection.Acked?.ToString() ?? "-"}, unanswered v{connection.Unanswered?.ToString() ?? "-"})");
                connection.Settle(connection.Acked);
                return;
            }
        }
        Judge(connection, "connection", observed);
    }

    async Task CheckCredentialAsync(TrackedCredential credential)
    {
        if (credential.Deleted && credential.Settled && Random.Shared.Next(4) != 0)
        {
            return;
        }
        if (credential.ProbeUncertain)
        {
            var probe = credential.ProbeId is null
                ? await api.FindConnectionAsync(credential.ProbeName)
                : await api.ReadAsync($"{CrashApi.Connections}/{credential.ProbeId}");
            credential.ProbeId = probe?.GetProperty("qID").GetString();
            credential.ProbeUncertain = false;
        }
        var row = await api.ReadAsync($"{CrashApi.Credentials}/{credential.Id}");
        int? observed = null;
        if (row is { } found)
        {
            var name = found.GetProperty("qName").GetString()!;
            observed = Enumerable.Range(1, credential.LastVersion).Cast<int?>().FirstOrDefault(v => credential.Expected(v!.Value).Name == name);
            if (observed is not null && credential.ProbeId is not null)
            {
                // The probe hands out the credential's decrypted username and password: they must be the same version's.
                var (user, password) = await api.ResolveAsync(credential.ProbeId);
                var read = new CredentialFields(name, user ?? "", password ?? "");
                if (read != credential.Expected(observed.Value))
                {
                    tally.HalfAppliedWrite($"credential {credential.Id} reads {read with { Password = Mask(read.Password) ?? "" }} (expected v{observed})");
                    credential.Settle(credential.Acked);
                    return;
                }
            }
            if (observed is null)
            {
                tally.HalfAppliedWrite($"credential {credential.Id} is named {name}, which no version it was sent had");
                credential.Settle(credential.Acked);
                return;
            }
        }
        Judge(credential, "credential", observed);
    }

    /// <summary>Holds what was read to the versions the object may show, and takes it as known from now on.</summary>
    void Judge(Tracked tracked, string kind, int? observed)
    {
        var allowed = tracked.Allowed().ToList();
        if (!allowed.Contains(observed))
        {
            var what = observed is null ? "gone" : $"at v{observed}";
            var expected = tracked.Deleted ? "deleted" : $"v{tracked.Acked?.ToString() ?? "-"}";
            tally.LostWrite($"{kind} {tracked.Id ?? tracked.BaseName} is {what}; acknowledged: {expected}" +
                (tracked.Unanswered is { } u ? $", unanswered: v{u}" : "") + (tracked.UnansweredDelete ? ", unanswered delete" : ""));
        }
        else if (!tracked.Settled && observed != tracked.Acked)
        {
            tally.AppliedUnanswered();
        }
        tracked.Settle(observed);
    }

    static string Describe(ConnectionFields read) =>
        (read with { Password = Mask(read.Password), Secret = Mask(read.Secret), Statement = read.Statement.Length > 80 ? read.Statement[..80] : read.Statement }).ToString();

    /// <summary>Only the version part of a test secret, for a readable failure message.</summary>
    static string? Mask(string? secret) => secret is null ? null : secret.Split('-')[0] + "-…";
}
