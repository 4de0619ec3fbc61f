using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.Platform.Auth;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.DataSources;

/// <summary>
/// The <c>state</c> of an authorize URL: who asked, for which data source, until when; MAC'd with a key derived from
/// the master keys. A code is only exchanged when its state was issued here, to the same user, and has not expired.
/// </summary>
internal sealed class OAuthState(SecretProtector protector, TimeProvider time, IOptions<DataSourcesOptions> options)
{
    const string Purpose = "oauth-state";

    public string Issue(Caller caller, string dataSourceId)
    {
        var expires = time.GetUtcNow().Add(options.Value.OAuthStateLifetime).ToUnixTimeSeconds();
        var nonce = Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var payload = Encoding.UTF8.GetBytes(string.Join('|', caller.TenantId, caller.UserId, dataSourceId.ToLowerInvariant(), expires.ToString(CultureInfo.InvariantCulture), nonce));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(protector.Mac(Purpose, payload));
    }

    /// <summary>
    /// Why <paramref name="state"/> is not acceptable for this caller and data source, or null when it is (then
    /// <paramref name="expiresAt"/> says until when). Whether it was spent already is the ledger's to say.
    /// </summary>
    public string? Check(string state, Caller caller, string dataSourceId, out DateTimeOffset expiresAt)
    {
        expiresAt = default;
        byte[] payload, mac;
        try
        {
            var parts = state.Split('.');
            if (parts.Length != 2)
            {
                return "is not a state issued by this service";
            }
            payload = Base64Url.DecodeFromChars(parts[0]);
            mac = Base64Url.DecodeFromChars(parts[1]);
        }
        catch (FormatException)
        {
            return "is not a state issued by this service";
        }
        if (!protector.VerifyMac(Purpose, payload, mac))
        {
            return "is not a state issued by this service";
        }
        var fields = Encoding.UTF8.GetString(payload).Split('|');
        if (fields.Length != 5 || fields[0] != caller.TenantId || fields[1] != caller.UserId || !string.Equals(fields[2], dataSourceId, StringComparison.OrdinalIgnoreCase))
        {
            return "was issued for another user or data source";
        }
        var expires = long.Parse(fields[3], CultureInfo.InvariantCulture);
        expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        return expires < time.GetUtcNow().ToUnixTimeSeconds()
            ? "has expired; ask for a new authUrl"
            : null;
    }
}

/// <summary>
/// Spends OAuth states, each at most once across every instance over the database: a redeemed state's hash is
/// inserted under a unique key, so of two redemptions (concurrent, or on two instances) exactly one inserts it.
/// </summary>
internal sealed class OAuthStateLedger(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>Rows are kept this long past their state's expiry, so a purged state is one the clock already refuses.</summary>
    static readonly TimeSpan PurgeMargin = TimeSpan.FromMinutes(1);

    /// <summary>True when this call spent the state; false when it had been spent before.</summary>
    public async Task<bool> TryRedeemAsync(string tenantId, string state, DateTimeOffset expiresAt, CancellationToken ct)
    {
        // A context of its own: the caller's may hold changes that must be saved only once the exchange succeeds,
        // while the redemption must be committed before the code is sent anywhere.
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().TenantId = tenantId;
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var now = time.GetUtcNow().UtcDateTime;
        await PurgeExpiredAsync(db, now - PurgeMargin, ct);
        db.OAuthStateRedemptions.Add(new OAuthStateRedemption
        {
            StateHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(state))),
            TenantId = tenantId,
            ExpiresAt = expiresAt.UtcDateTime,
            RedeemedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return false;
        }
    }

    // Opportunistic: each redemption clears its tenant's rows whose states have expired.
    static Task<int> PurgeExpiredAsync(ConnectoryDb db, DateTime before, CancellationToken ct)
    {
        Task<int> Delete() => db.OAuthStateRedemptions.Where(r => r.ExpiresAt < before).ExecuteDeleteAsync(ct);
        return db.WriteGate is { } gate ? gate.RunAsync(Delete, ct) : Delete();
    }
}

/// <summary>An OAuth step that failed: 400 when the caller's code or state is at fault, 502 when the provider is.</summary>
internal sealed record OAuthFailure(int Status, string Property, string Detail);

/// <summary>The authorization-code flow: the authorize URL, then the code exchanged at the definition's token URL.</summary>
internal sealed class OAuthFlow(
    IHttpClientFactory clients, OAuthState states, OAuthStateLedger ledger, IOptions<DataSourcesOptions> options, TimeProvider time,
    Secrets.SecretProtector protector, ILogger<OAuthFlow> logger)
{
    public const string HttpClientName = "DataSources.OAuth";
    public const string AuthCodeProperty = "authCode";
    public const string StateProperty = "state";
    public const string AuthCodeHeader = "qlik-auth-code";
    public const string AuthStateHeader = "qlik-auth-state";
    public const int MaxTokenResponseBytes = 64 * 1024;

    (OAuthClientOptions? Client, string? RedirectUri, OAuthFailure? Failure) ClientFor(DataSourceDefinition definition)
    {
        var client = options.Value.OAuth.GetValueOrDefault(definition.DataSourceId);
        var prefix = $"{DataSourcesOptions.Section}:OAuth:{definition.DataSourceId}";
        if (string.IsNullOrEmpty(client?.ClientId) || string.IsNullOrEmpty(client.ClientSecret))
        {
            return (null, null, new OAuthFailure(400, "datasourceID", $"OAuth for data source '{definition.DataSourceId}' is not configured on this service ({prefix}:ClientId and {prefix}:ClientSecret)."));
        }
        var redirect = client.RedirectUri ?? options.Value.OAuthRedirectUri;
        return string.IsNullOrEmpty(redirect)
            ? (null, null, new OAuthFailure(400, "datasourceID", $"OAuth for data source '{definition.DataSourceId}' has no redirect URI configured ({prefix}:RedirectUri or {DataSourcesOptions.Section}:OAuthRedirectUri)."))
            : (client, redirect, null);
    }

    public (string? AuthUrl, OAuthFailure? Failure) AuthUrl(DataSourceDefinition definition, Caller caller)
    {
        var oauth = definition.OAuth!;
        var (client, redirect, failure) = ClientFor(definition);
        if (failure is not null)
        {
            return (null, failure);
        }
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = client!.ClientId,
            ["redirect_uri"] = redirect,
            ["scope"] = string.Join(oauth.ScopeSeparator, oauth.Scopes),
            ["state"] = states.Issue(caller, definition.DataSourceId),
        };
        foreach (var (key, value) in oauth.AuthorizeParameters ?? new Dictionary<string, string>())
        {
            query[key] = value;
        }
        return (Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(oauth.AuthorizeUrl, query), null);
    }

    /// <summary>Checks the state, then trades the code for tokens. The tokens are returned, never logged.</summary>
    public async Task<(JsonObject? Tokens, OAuthFailure? Failure)> ExchangeAsync(
        DataSourceDefinition definition, string code, string? state, Caller caller, CancellationToken ct, string outcome = "nothing was created")
    {
        if (string.IsNullOrEmpty(state))
        {
            return (null, new OAuthFailure(400, StateProperty, "is required with the code: send the state that came with the authUrl"));
        }
        if (states.Check(state, caller, definition.DataSourceId, out var expiresAt) is { } badState)
        {
            return (null, new OAuthFailure(400, StateProperty, badState));
        }
        var (client, redirect, failure) = ClientFor(definition);
        if (failure is not null)
        {
            return (null, failure);
        }
        // Spent before the code leaves: a state (and the code that came with it) is good for one exchange only.
        if (!await ledger.TryRedeemAsync(caller.TenantId, state, expiresAt, ct))
        {
            return (null, new OAuthFailure(400, StateProperty, "has been used already; ask for a new authUrl"));
        }
        return await RequestTokensAsync(definition, client!, new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirect!,
        }, outcome, ct);
    }

    /// <summary>
    /// RFC 6749 §6: a new access token for a stored refresh token. A provider that answers without a new refresh token
    /// keeps the old one valid, so the old one is carried over.
    /// </summary>
    public async Task<(JsonObject? Tokens, OAuthFailure? Failure)> RefreshAsync(DataSourceDefinition definition, string refreshToken, CancellationToken ct)
    {
        var (client, _, failure) = ClientFor(definition);
        if (failure is not null)
        {
            return (null, failure);
        }
        var (tokens, refused) = await RequestTokensAsync(definition, client!, new()
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, "the stored tokens were kept", ct);
        if (tokens is not null && !tokens.ContainsKey("refresh_token"))
        {
            tokens["refresh_token"] = refreshToken;
        }
        return (tokens, refused);
    }

    /// <summary>When the stored tokens' access token has expired (or is about to), or false when they carry no expiry.</summary>
    public bool IsExpired(JsonObject tokens) =>
        tokens["expires_at"] is { } at && at.GetValueKind() == JsonValueKind.Number
        && at.GetValue<long>() <= time.GetUtcNow().Add(ExpiryMargin).ToUnixTimeSeconds();

    /// <summary>An access token this close to its expiry counts as expired, so it is not handed out to fail moments later.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(60);

    async Task<(JsonObject? Tokens, OAuthFailure? Failure)> RequestTokensAsync(
        DataSourceDefinition definition, OAuthClientOptions client, Dictionary<string, string> grant, string outcome, CancellationToken ct)
    {
        // The client secret may be sealed in configuration (encrypted at rest under the master keys).
        var setting = $"{DataSourcesOptions.Section}:OAuth:{definition.DataSourceId}:ClientSecret";
        if (Secrets.SealedSetting.Open(protector, setting, client.ClientSecret!) is not { } clientSecret)
        {
            logger.LogError("The sealed {Setting} does not open with this service's master keys", setting);
            return (null, new OAuthFailure(400, "datasourceID", $"{setting} is sealed under a master key this service does not have, or for another setting; seal it again with 'connectory secrets seal --setting {setting}'."));
        }
        grant["client_id"] = client.ClientId!;
        grant["client_secret"] = clientSecret;
        using var form = new FormUrlEncodedContent(grant);
        var http = clients.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(definition.OAuth!.TokenUrl, form, ct);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("OAuth token endpoint of data source {DataSourceId} did not answer within {Timeout}", definition.DataSourceId, http.Timeout);
            return (null, new OAuthFailure(502, AuthCodeProperty, $"The data source's token endpoint did not answer within {http.Timeout.TotalSeconds:0.#} s; {outcome}."));
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("OAuth token endpoint of data source {DataSourceId} failed: {Reason}", definition.DataSourceId, e.HttpRequestError);
            var what = e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                ? "could not be reached"
                : $"gave an unreadable answer (over {MaxTokenResponseBytes / 1024} KiB, or broken)";
            return (null, new OAuthFailure(502, AuthCodeProperty, $"The data source's token endpoint {what}; {outcome}."));
        }
        using (response)
        {
            var body = await ReadJsonAsync(response, ct);
            if (response.IsSuccessStatusCode)
            {
                if (body?["access_token"]?.GetValueKind() != JsonValueKind.String)
                {
                    return (null, new OAuthFailure(502, AuthCodeProperty, $"The data source's token endpoint answered without an access_token; {outcome}."));
                }
                var tokens = new JsonObject
                {
                    ["access_token"] = body["access_token"]!.GetValue<string>(),
                    ["token_type"] = body["token_type"]?.ToString() ?? "Bearer",
                };
                if (body["refresh_token"]?.GetValueKind() == JsonValueKind.String)
                {
                    tokens["refresh_token"] = body["refresh_token"]!.GetValue<string>();
                }
                if (body["expires_in"] is { } expires && expires.GetValueKind() == JsonValueKind.Number && expires.GetValue<double>() is var seconds and >= 0 and < int.MaxValue)
                {
                    tokens["expires_in"] = (long)seconds;
                    // Kept so a later reader knows when to refresh, without the time of the exchange.
                    tokens["expires_at"] = time.GetUtcNow().ToUnixTimeSeconds() + (long)seconds;
                }
                if (body["scope"]?.GetValueKind() == JsonValueKind.String)
                {
                    tokens["scope"] = body["scope"]!.GetValue<string>();
                }
                return (tokens, null);
            }
            // RFC 6749 §5.2: the provider names the fault; a bad or used grant is the caller's, anything else is ours.
            var error = body?["error"]?.GetValueKind() == JsonValueKind.String ? body["error"]!.GetValue<string>() : null;
            logger.LogWarning("OAuth token endpoint of data source {DataSourceId} refused the {Grant} grant: {Status} {Error}", definition.DataSourceId, grant["grant_type"], (int)response.StatusCode, error);
            return response.StatusCode == HttpStatusCode.BadRequest && error is "invalid_grant" or "invalid_request"
                ? (null, new OAuthFailure(400, AuthCodeProperty, $"was refused by the data source ({error}): it may be wrong, used or expired; ask for a new authUrl"))
                : (null, new OAuthFailure(502, AuthCodeProperty, $"The data source's token endpoint refused the exchange ({(int)response.StatusCode}{(error is null ? "" : " " + error)}); {outcome}."));
        }
    }

    static async Task<JsonObject?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[MaxTokenResponseBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), ct)) > 0)
            {
                length += read;
            }
            return JsonNode.Parse(buffer.AsSpan(0, length)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
