using Connectory.Tests.Compatibility;
using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.Resolving;

/// <summary>@qlik/api's connectivity/data-sources module runs unchanged against the real server (tests/compat/connectivity-resolving.mjs).</summary>
public sealed class QlikApiResolvingTests(ConnectoryFactory factory, ITestOutputHelper output) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task GenerateQriEndpointsAndFilterWorkThroughQlikApi()
    {
        var tenant = await factory.NewTenantAsync();
        var adminKey = tenant.Admin.DefaultRequestHeaders.Authorization?.Parameter;
        Assert.False(string.IsNullOrEmpty(adminKey), "The tenant's admin client carries no API key.");

        var run = await NodeScenario.RunAsync("connectivity-resolving.mjs", factory.BaseAddress, adminKey);

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
    }
}
