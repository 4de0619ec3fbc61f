using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.Compatibility;

/// <summary>
/// Qlik's JavaScript Platform SDK, @qlik/sdk, runs unchanged against the real server (tests/compat/sdk.mjs): its lists
/// follow next links with the query appended again, and its generic REST call drives the data-connections API.
/// </summary>
public sealed class QlikSdkClientTests(ConnectoryFactory factory, ITestOutputHelper output) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task UsersSpacesApiKeysAndDataConnectionsWorkThroughQlikSdk()
    {
        var tenant = await factory.NewTenantAsync();
        var adminKey = tenant.Admin.DefaultRequestHeaders.Authorization?.Parameter;
        Assert.False(string.IsNullOrEmpty(adminKey), "The tenant's admin client carries no API key.");

        var run = await NodeScenario.RunAsync("sdk.mjs", factory.BaseAddress, adminKey);

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
    }
}
