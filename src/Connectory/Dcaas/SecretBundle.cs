using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.DataSources;

namespace Connectory.Dcaas;

/// <summary>
/// The secret properties as the credential's password: a lone string secret as itself (what a driver's password
/// field expects), several secrets, files or OAuth tokens as one JSON object. Encryption is the credential store's.
/// </summary>
internal static class SecretBundle
{
    static bool IsLone(DataSourceDefinition definition) =>
        definition.OAuth is null && definition.Schema.Secrets.ToList() is [{ Type: PropertyType.String }];

    public static string? Write(DataSourceDefinition definition, IReadOnlyDictionary<string, JsonNode> values, JsonObject? tokens)
    {
        var given = definition.Schema.Secrets.Where(s => values.ContainsKey(s.Name)).ToList();
        if (IsLone(definition))
        {
            return given.Count == 1 ? values[given[0].Name].GetValue<string>() : null;
        }
        if (given.Count == 0 && tokens is null)
        {
            return null;
        }
        var bundle = new JsonObject(given.Select(s => KeyValuePair.Create(s.Name, (JsonNode?)values[s.Name].DeepClone())));
        if (tokens is not null)
        {
            bundle["oauth"] = tokens.DeepClone();
        }
        return bundle.ToJsonString();
    }

    /// <summary>The previous bundle (other secrets kept) with its OAuth tokens replaced by <paramref name="tokens"/>.</summary>
    public static string WithTokens(string? previous, JsonObject tokens)
    {
        var bundle = Parse(previous);
        bundle["oauth"] = tokens.DeepClone();
        return bundle.ToJsonString();
    }

    /// <summary>A stored bundle as an object; a secret that is not one (a plain password) starts an empty bundle.</summary>
    public static JsonObject Parse(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return new JsonObject();
        }
        try
        {
            return JsonNode.Parse(secret) as JsonObject ?? new JsonObject();
        }
        catch (JsonException)
        {
            return new JsonObject();
        }
    }

    /// <summary>The previous bundle with <paramref name="changes"/> applied (a null value removes that secret).</summary>
    public static string? Merge(DataSourceDefinition definition, string? previous, JsonObject changes)
    {
        if (IsLone(definition))
        {
            return changes.Single().Value?.GetValue<string>();
        }
        var bundle = previous is null ? new JsonObject() : JsonNode.Parse(previous) as JsonObject ?? new JsonObject();
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                bundle.Remove(name);
            }
            else
            {
                bundle[name] = value.DeepClone();
            }
        }
        return bundle.Count == 0 ? null : bundle.ToJsonString();
    }
}

/// <summary>What <see cref="DcaasConnections.FreshTokensAsync"/> found, as reported in the Connectory-OAuth-Token header.</summary>
internal static class TokenStatus
{
    /// <summary>The access token has not expired, or the provider gave it no expiry.</summary>
    public const string Valid = "valid";
    /// <summary>It had expired and was refreshed just now; the new tokens are stored.</summary>
    public const string Refreshed = "refreshed";
    /// <summary>It has expired and cannot be refreshed (no refresh token, or the provider refused it): authorize again.</summary>
    public const string Expired = "expired";
    /// <summary>It has expired and the token endpoint failed; the stored tokens were kept, a later read tries again.</summary>
    public const string RefreshFailed = "refresh-failed";
    /// <summary>The connection holds no tokens.</summary>
    public const string Missing = "missing";
    /// <summary>The stored secret does not decrypt (tampered, or under a key the ring lacks).</summary>
    public const string Unreadable = "unreadable";
}
