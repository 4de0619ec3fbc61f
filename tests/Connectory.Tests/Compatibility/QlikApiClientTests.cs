using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.Compatibility;

/// <summary>
/// Qlik's own JavaScript client, @qlik/api, runs unchanged against the real server (tests/compat/*.mjs), and the
/// bodies it receives validate against the published API documents and the client's types.
/// </summary>
public sealed class QlikApiClientTests(ConnectoryFactory factory, ITestOutputHelper output) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public Task UsersApiKeysAndSpacesWorkThroughQlikApi() => RunAsync("platform.mjs");

    [Fact]
    public Task DataConnectionsWorkThroughQlikApiAndMatchTheSpecSchemas() => RunAsync("data-connections.mjs");

    [Fact]
    public Task DataCredentialsWorkThroughQlikApiAndMatchTheSpecSchemas() => RunAsync("data-credentials.mjs");

    [Fact]
    public Task TheConnectivityModuleWorksThroughQlikApiAndMatchesItsDeclaredTypes() => RunAsync("connectivity.mjs");

    async Task RunAsync(string script)
    {
        var tenant = await factory.NewTenantAsync();
        var adminKey = tenant.Admin.DefaultRequestHeaders.Authorization?.Parameter;
        Assert.False(string.IsNullOrEmpty(adminKey), "The tenant's admin client carries no API key.");

        var run = await NodeScenario.RunAsync(script, factory.BaseAddress, adminKey);

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
    }
}
