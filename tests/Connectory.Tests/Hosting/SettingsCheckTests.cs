using Connectory.Tests.Support;

namespace Connectory.Tests.Hosting;

/// <summary>Settings the binder would drop silently are named in a warning at start, by key path and never by value.</summary>
public sealed class SettingsCheckTests
{
    static List<string> SettingsWarnings(ConnectoryFactory factory) =>
        [.. factory.Logs.Where(l => l.StartsWith("Warning Connectory.Hosting.SettingsCheck:", StringComparison.Ordinal))];

    [Fact]
    public void SettingsInAFormThatIsIgnoredAreNamedOnceWithoutTheirValues()
    {
        using var factory = ConnectoryFactory.With(new()
        {
            // Ignored: a typo, one value for a list of sections, a list for one value, a key no option has, a
            // read-only member, a typo inside a dictionary entry.
            ["Qrs:TrustdProxies"] = "10.9.8.7",
            ["Auth:Jwt"] = "value-canary-1",
            ["DataSources:OAuthRedirectUri:0"] = "value-canary-2",
            ["Qrs:ProxySecret:Value"] = "value-canary-3",
            ["Database:IsPostgres"] = "true",
            ["DataSources:OAuth:rest:ClientSecrt"] = "value-canary-4",
            // Bound: a list given as one comma-separated value, and settings of the right shape.
            ["Qrs:TrustedProxies"] = "127.0.0.1, 10.0.0.6",
            ["ApiKeys:MaxKeysPerUser"] = "7",
            ["DataSources:OAuth:rest:ClientId"] = "client",
        });
        _ = factory.BaseAddress;

        var warnings = SettingsWarnings(factory);
        foreach (var path in new[] { "Qrs:TrustdProxies", "Auth:Jwt", "DataSources:OAuthRedirectUri", "Qrs:ProxySecret", "Database:IsPostgres", "DataSources:OAuth:rest:ClientSecrt" })
        {
            Assert.Single(warnings, w => w.Contains($"setting {path} is ignored", StringComparison.Ordinal));
        }
        Assert.Equal(6, warnings.Count);
        Assert.DoesNotContain(factory.Logs, l => l.Contains("value-canary", StringComparison.Ordinal) || l.Contains("10.9.8.7", StringComparison.Ordinal));
    }

    [Fact]
    public void SettingsOfTheRightShapeRaiseNoWarning()
    {
        using var factory = ConnectoryFactory.With(new()
        {
            ["Qrs:TrustedProxies:0"] = "127.0.0.1",
            ["Qrs:Space"] = "Repository",
            ["ApiKeys:DefaultExpiry"] = "10.00:00:00",
            ["Secrets:ReloadSeconds"] = "3",
        });
        _ = factory.BaseAddress;
        Assert.Empty(SettingsWarnings(factory));
    }
}
