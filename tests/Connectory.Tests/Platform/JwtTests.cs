using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connectory.Platform.Tenants;
using Connectory.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connectory.Tests.Platform;

/// <summary>Trusted issuers with real RSA and EC P-256 keys, and a server configured to trust them.</summary>
public sealed class JwtFixture : IDisposable
{
    public const string RsaIssuer = "https://idp-rsa.example.test";
    public const string EcIssuer = "https://idp-ec.example.test";
    public const string AutoIssuer = "https://idp-auto.example.test";
    public const string OrphanIssuer = "https://idp-orphan.example.test";
    public const string Audience = "connectory-tests";
    public const string AutoTenant = "jwt-auto-create";

    readonly string dir;

    public RSA Rsa { get; } = RSA.Create(2048);
    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public RSA AutoRsa { get; } = RSA.Create(2048);
    public ConnectoryFactory Factory { get; }

    public JwtFixture()
    {
        dir = Path.Combine(Path.GetTempPath(), "connectory-tests", "jwt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string Write(string name, string pem)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, pem);
            return path;
        }
        var rsaFile = Write("rsa.pem", Rsa.ExportSubjectPublicKeyInfoPem());
        var ecFile = Write("ec.pem", Ec.ExportSubjectPublicKeyInfoPem());
        var autoFile = Write("auto.pem", AutoRsa.ExportRSAPublicKeyPem());
        Factory = ConnectoryFactory.With(new()
        {
            ["Auth:Jwt:0:Issuer"] = RsaIssuer,
            ["Auth:Jwt:0:Audience"] = Audience,
            ["Auth:Jwt:0:PublicKeyFile"] = rsaFile,
            ["Auth:Jwt:0:Tenant"] = "default",
            ["Auth:Jwt:1:Issuer"] = EcIssuer,
            ["Auth:Jwt:1:Audience"] = Audience,
            ["Auth:Jwt:1:PublicKeyFile"] = ecFile,
            ["Auth:Jwt:1:Tenant"] = "default",
            ["Auth:Jwt:2:Issuer"] = AutoIssuer,
            ["Auth:Jwt:2:Audience"] = Audience,
            ["Auth:Jwt:2:PublicKeyFile"] = autoFile,
            ["Auth:Jwt:2:Tenant"] = AutoTenant,
            ["Auth:Jwt:3:Issuer"] = OrphanIssuer,
            ["Auth:Jwt:3:Audience"] = Audience,
            ["Auth:Jwt:3:PublicKeyFile"] = rsaFile,
            ["Auth:Jwt:3:Tenant"] = "no-such-tenant",
        });
    }

    public void Dispose()
    {
        Factory.Dispose();
        Directory.Delete(dir, recursive: true);
        Rsa.Dispose();
        Ec.Dispose();
        AutoRsa.Dispose();
    }
}

public sealed class JwtTests(JwtFixture jwt) : IClassFixture<JwtFixture>
{
    static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    ConnectoryFactory Factory => jwt.Factory;

    SigningCredentials RsaKey => new(new RsaSecurityKey(jwt.Rsa), SecurityAlgorithms.RsaSha256);
    SigningCredentials EcKey => new(new ECDsaSecurityKey(jwt.Ec), SecurityAlgorithms.EcdsaSha256);

    static string Token(SigningCredentials? key, string issuer = JwtFixture.RsaIssuer, string audience = JwtFixture.Audience,
        string? subject = "admin", TimeSpan? expiresIn = null, IDictionary<string, object>? extra = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>(extra ?? new Dictionary<string, object>());
        if (subject is not null)
        {
            claims["sub"] = subject;
        }
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(10) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(10) : now - TimeSpan.FromSeconds(5),
            Expires = expires,
            SigningCredentials = key,
        });
    }

    static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    static string Payload(string subject, string issuer = JwtFixture.RsaIssuer)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return JsonSerializer.Serialize(new { iss = issuer, aud = JwtFixture.Audience, sub = subject, iat = now, nbf = now - 5, exp = now + 600 });
    }

    async Task<JsonElement> MeAsync(string token) => await Factory.Client(token).GetAsync("/api/v1/users/me").JsonAsync();

    async Task<string> UnauthorizedAsync(string token)
    {
        var error = await ApiAssert.ErrorAsync(await Factory.Client(token).GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized, "DCERROR-0020");
        var detail = error.GetProperty("detail").GetString()!;
        Assert.DoesNotContain(token, detail, StringComparison.Ordinal);
        return detail;
    }

    [Fact]
    public async Task Rs256TokenSignsInItsSubject()
    {
        var me = await MeAsync(Token(RsaKey));
        Assert.Equal("admin", me.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Es256TokenSignsInItsSubject()
    {
        var tenant = await Factory.DefaultTenantAsync();
        var user = await tenant.NewUserAsync();
        var me = await MeAsync(Token(EcKey, JwtFixture.EcIssuer, subject: user.Subject));
        Assert.Equal(user.Id, me.GetProperty("id").GetString());
        Assert.Equal(tenant.Id, me.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task JwtUserActsWithTheirTenantRoles()
    {
        var tenant = await Factory.DefaultTenantAsync();
        var plain = await tenant.NewUserAsync();
        var client = Factory.Client(Token(RsaKey, subject: plain.Subject));
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync("/api/v1/spaces", new { name = "m-" + Guid.NewGuid().ToString("N"), type = "managed" }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await client.PostAsJsonAsync("/api/v1/spaces", new { name = "s-" + Guid.NewGuid().ToString("N"), type = "shared" }).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ExpiredTokenIs401()
    {
        var detail = await UnauthorizedAsync(Token(RsaKey, expiresIn: TimeSpan.FromMinutes(-5)));
        Assert.Contains("expired", detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TokenExpiresWhenTheServerClockPassesItsExpiry()
    {
        var token = Token(RsaKey, expiresIn: TimeSpan.FromMinutes(5));
        await MeAsync(token);
        Factory.Clock.Offset = TimeSpan.FromMinutes(10);
        try
        {
            await UnauthorizedAsync(token);
        }
        finally
        {
            Factory.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task TokenWithoutExpiryIs401()
    {
        var header = B64("""{"alg":"RS256","typ":"JWT"}""");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = B64(JsonSerializer.Serialize(new { iss = JwtFixture.RsaIssuer, aud = JwtFixture.Audience, sub = "admin", iat = now }));
        var signature = jwt.Rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        await UnauthorizedAsync(header + "." + payload + "." + Base64UrlEncoder.Encode(signature));
    }

    string HandSigned(string headerJson, string payloadJson)
    {
        var header = B64(headerJson);
        var payload = B64(payloadJson);
        var signature = jwt.Rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + Base64UrlEncoder.Encode(signature);
    }

    [Theory]
    [InlineData("""["exp"]""")]
    [InlineData("""["https://example.test/unknown-extension"]""")]
    [InlineData("[]")]
    public async Task ACriticalHeaderExtensionIsRefused(string crit)
    {
        // RFC 7515 4.1.11: a recipient that does not understand a listed extension must reject the token; none is understood here.
        var detail = await UnauthorizedAsync(HandSigned($$"""{"alg":"RS256","typ":"JWT","crit":{{crit}}}""", Payload("admin")));
        Assert.Contains("crit", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    [InlineData("iat")]
    public async Task ATimeClaimThatIsNotANumberIsRefused(string claim)
    {
        var payload = JsonSerializer.Deserialize<Dictionary<string, object>>(Payload("admin"))!;
        payload[claim] = payload[claim].ToString()!;
        var detail = await UnauthorizedAsync(HandSigned("""{"alg":"RS256","typ":"JWT"}""", JsonSerializer.Serialize(payload)));
        Assert.Contains(claim, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandSignedTokenIsAccepted()
    {
        // The same construction as the negative cases below, valid: proves those fail for the reason they test.
        var header = B64("""{"alg":"RS256","typ":"JWT"}""");
        var payload = B64(Payload("admin"));
        var signature = jwt.Rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        await MeAsync(header + "." + payload + "." + Base64UrlEncoder.Encode(signature));
    }

    [Fact]
    public async Task NotYetValidTokenIs401()
    {
        var now = DateTime.UtcNow;
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtFixture.RsaIssuer,
            Audience = JwtFixture.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "admin" },
            NotBefore = now.AddMinutes(10),
            Expires = now.AddMinutes(20),
            SigningCredentials = RsaKey,
        });
        await UnauthorizedAsync(token);
    }

    [Fact]
    public async Task WrongIssuerIs401()
    {
        var detail = await UnauthorizedAsync(Token(RsaKey, issuer: "https://evil.example.test"));
        Assert.Contains("issuer", detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WrongAudienceIs401()
    {
        var detail = await UnauthorizedAsync(Token(RsaKey, audience: "someone-else"));
        Assert.Contains("audience", detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AlgNoneIs401()
    {
        var unsigned = B64("""{"alg":"none","typ":"JWT"}""") + "." + B64(Payload("admin")) + ".";
        await UnauthorizedAsync(unsigned);
    }

    [Fact]
    public async Task SignatureByAnotherKeyIs401()
    {
        using var other = RSA.Create(2048);
        await UnauthorizedAsync(Token(new SigningCredentials(new RsaSecurityKey(other), SecurityAlgorithms.RsaSha256)));
        using var otherEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await UnauthorizedAsync(Token(new SigningCredentials(new ECDsaSecurityKey(otherEc), SecurityAlgorithms.EcdsaSha256), JwtFixture.EcIssuer));
    }

    [Fact]
    public async Task TamperedPayloadIs401()
    {
        var token = Token(RsaKey, subject: "someone");
        var parts = token.Split('.');
        var forged = parts[0] + "." + B64(Payload("admin")) + "." + parts[2];
        await UnauthorizedAsync(forged);
    }

    [Fact]
    public async Task HmacSignedWithThePublicKeyIs401()
    {
        // The classic algorithm confusion: HS256 keyed with the issuer's public key bytes.
        var publicKey = Encoding.ASCII.GetBytes(jwt.Rsa.ExportSubjectPublicKeyInfoPem());
        var header = B64("""{"alg":"HS256","typ":"JWT"}""");
        var payload = B64(Payload("admin"));
        var signature = HMACSHA256.HashData(publicKey, Encoding.ASCII.GetBytes(header + "." + payload));
        await UnauthorizedAsync(header + "." + payload + "." + Base64UrlEncoder.Encode(signature));
    }

    [Fact]
    public async Task KeyEmbeddedInTheTokenHeaderIsIgnored()
    {
        // A token that carries its own verification key (jwk header) must still be checked against the configured one.
        using var attacker = RSA.Create(2048);
        var parameters = attacker.ExportParameters(false);
        var jwk = new { kty = "RSA", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) };
        var header = B64(JsonSerializer.Serialize(new { alg = "RS256", typ = "JWT", jwk }));
        var payload = B64(Payload("admin"));
        var signature = attacker.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        await UnauthorizedAsync(header + "." + payload + "." + Base64UrlEncoder.Encode(signature));
    }

    [Fact]
    public async Task EcTokenPresentedAsTheRsaIssuerIs401() =>
        await UnauthorizedAsync(Token(EcKey, JwtFixture.RsaIssuer));

    [Fact]
    public async Task MissingSubIs401()
    {
        var detail = await UnauthorizedAsync(Token(RsaKey, subject: null));
        Assert.Contains("sub", detail, StringComparison.Ordinal);
        await UnauthorizedAsync(Token(RsaKey, subject: ""));
    }

    [Fact]
    public async Task NonStringSubIs401() =>
        await UnauthorizedAsync(Token(RsaKey, subject: null, extra: new Dictionary<string, object> { ["sub"] = 42 }));

    [Fact]
    public async Task IssuerBoundToAMissingTenantIs401() =>
        await UnauthorizedAsync(Token(RsaKey, JwtFixture.OrphanIssuer));

    [Fact]
    public async Task UnknownSubjectIs401WhenTheTenantDoesNotCreateUsers()
    {
        var subject = "stranger-" + Guid.NewGuid().ToString("N");
        var detail = await UnauthorizedAsync(Token(RsaKey, subject: subject));
        Assert.Contains("not a user", detail, StringComparison.Ordinal);
        await UnauthorizedAsync(Token(RsaKey, subject: subject));
        var admin = Factory.Client(Factory.BootstrapKey);
        var users = await admin.AllPagesAsync("/api/v1/users?limit=100");
        var subjects = new List<string>();
        foreach (var id in users)
        {
            subjects.Add((await admin.GetAsync($"/api/v1/users/{id}").JsonAsync()).GetProperty("subject").GetString()!);
        }
        Assert.DoesNotContain(subject, subjects);
    }

    [Fact]
    public async Task UnknownSubjectIsCreatedOnFirstSignInWhenTheTenantAllowsIt()
    {
        var tenantId = await AutoTenantAsync();
        var key = new SigningCredentials(new RsaSecurityKey(jwt.AutoRsa), SecurityAlgorithms.RsaSha256);
        var subject = "newcomer-" + Guid.NewGuid().ToString("N");
        var token = Token(key, JwtFixture.AutoIssuer, subject: subject,
            extra: new Dictionary<string, object> { ["name"] = "New Comer", ["email"] = "new@example.test" });

        var first = await MeAsync(token);
        Assert.Equal(subject, first.GetProperty("subject").GetString());
        Assert.Equal("New Comer", first.GetProperty("name").GetString());
        Assert.Equal("new@example.test", first.GetProperty("email").GetString());
        Assert.Equal(tenantId, first.GetProperty("tenantId").GetString());
        Assert.Equal(0, first.GetProperty("assignedRoles").GetArrayLength());

        var again = await MeAsync(Token(key, JwtFixture.AutoIssuer, subject: subject));
        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());

        // Created with no roles: a plain user, not an admin.
        await ApiAssert.ErrorAsync(await Factory.Client(token).PostAsJsonAsync("/api/v1/users", new { subject = "x-" + subject }), HttpStatusCode.Forbidden, "DCERROR-0030");
    }

    [Fact]
    public async Task AutoCreatedUsersLandOnlyInTheIssuersTenant()
    {
        await AutoTenantAsync();
        var key = new SigningCredentials(new RsaSecurityKey(jwt.AutoRsa), SecurityAlgorithms.RsaSha256);
        var subject = "newcomer-" + Guid.NewGuid().ToString("N");
        await MeAsync(Token(key, JwtFixture.AutoIssuer, subject: subject));
        // The default tenant's issuer still refuses that subject: it is not a user there.
        await UnauthorizedAsync(Token(RsaKey, subject: subject));
    }

    [Fact]
    public async Task DisabledJwtUserIs401()
    {
        var tenant = await Factory.DefaultTenantAsync();
        var user = await tenant.NewUserAsync();
        var token = Token(RsaKey, subject: user.Subject);
        await MeAsync(token);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchJsonAsync($"/api/v1/users/{user.Id}",
            new[] { new { op = "replace", path = "/status", value = "disabled" } })).StatusCode);
        await UnauthorizedAsync(token);
    }

    [Fact]
    public async Task AudienceListContainingOursIsAccepted()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = B64("""{"alg":"RS256","typ":"JWT"}""");
        var payload = B64(JsonSerializer.Serialize(new { iss = JwtFixture.RsaIssuer, aud = new[] { "other", JwtFixture.Audience }, sub = "admin", iat = now, exp = now + 300 }));
        var signature = jwt.Rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        await MeAsync(header + "." + payload + "." + Base64UrlEncoder.Encode(signature));
    }

    [Theory]
    [InlineData(JwtFixture.RsaIssuer + "/")]
    [InlineData("HTTPS://IDP-RSA.EXAMPLE.TEST")]
    [InlineData(" " + JwtFixture.RsaIssuer)]
    public async Task IssuerMustMatchExactly(string issuer) =>
        await UnauthorizedAsync(Token(RsaKey, issuer));

    [Fact]
    public async Task ConcurrentFirstSignInsCreateOneUser()
    {
        await AutoTenantAsync();
        var key = new SigningCredentials(new RsaSecurityKey(jwt.AutoRsa), SecurityAlgorithms.RsaSha256);
        var subject = "racer-" + Guid.NewGuid().ToString("N");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Factory.Client(Token(key, JwtFixture.AutoIssuer, subject: subject)).GetAsync("/api/v1/users/me")));
        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            ids.Add((await ApiAssert.OkAsync(response)).GetProperty("id").GetString()!);
        }
        Assert.Single(ids);
    }

    [Fact]
    public async Task OverlongClaimsNeverBreakFirstSignIn()
    {
        await AutoTenantAsync();
        var key = new SigningCredentials(new RsaSecurityKey(jwt.AutoRsa), SecurityAlgorithms.RsaSha256);
        var detail = await UnauthorizedAsync(Token(key, JwtFixture.AutoIssuer, subject: "long-" + new string('s', 2000)));
        Assert.Contains("sub", detail, StringComparison.Ordinal);

        var subject = "plain-" + Guid.NewGuid().ToString("N");
        var me = await MeAsync(Token(key, JwtFixture.AutoIssuer, subject: subject,
            extra: new Dictionary<string, object> { ["name"] = new string('n', 5000), ["email"] = new string('e', 5000) }));
        Assert.Equal(subject, me.GetProperty("subject").GetString());
        Assert.True(me.GetProperty("name").GetString()!.Length <= 256);
        Assert.False(me.TryGetProperty("email", out var email) && email.GetString()!.Length > 256);
    }

    [Fact]
    public async Task TokensNeverReachTheLogs()
    {
        var tokens = new[]
        {
            Token(RsaKey),
            Token(EcKey, JwtFixture.EcIssuer),
            Token(RsaKey, expiresIn: TimeSpan.FromMinutes(-5)),
            Token(RsaKey, audience: "someone-else"),
            Token(RsaKey, issuer: "https://evil.example.test"),
            Token(RsaKey, subject: "stranger-" + Guid.NewGuid().ToString("N")),
        };
        foreach (var token in tokens)
        {
            await Factory.Client(token).GetAsync("/api/v1/users/me");
        }
        var lines = Factory.Logs.ToArray();
        foreach (var signature in tokens.Select(t => t.Split('.')[2]))
        {
            Assert.DoesNotContain(lines, l => l.Contains(signature, StringComparison.Ordinal));
        }
    }

    static readonly SemaphoreSlim AutoTenantLock = new(1, 1);

    /// <summary>The tenant the auto-create issuer is bound to, made once with the setting on.</summary>
    async Task<string> AutoTenantAsync()
    {
        await AutoTenantLock.WaitAsync();
        try
        {
            _ = Factory.BaseAddress;
            await using var scope = Factory.Services.CreateAsyncScope();
            var provisioning = scope.ServiceProvider.GetRequiredService<TenantProvisioning>();
            var existing = await provisioning.FindAsync(JwtFixture.AutoTenant, CancellationToken.None);
            return existing?.Id ?? (await provisioning.CreateAsync(JwtFixture.AutoTenant, null, CancellationToken.None, autoCreateUsers: true)).Tenant.Id;
        }
        finally
        {
            AutoTenantLock.Release();
        }
    }
}
