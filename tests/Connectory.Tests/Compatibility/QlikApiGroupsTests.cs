using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.Compatibility;

/// <summary>@qlik/api's <c>groups</c> module and group space assignments run unchanged against the real server (tests/compat/groups.mjs).</summary>
public sealed class QlikApiGroupsTests(ConnectoryFactory factory, ITestOutputHelper output) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task GroupsAndGroupAssignmentsWorkThroughQlikApi()
    {
        var tenant = await factory.NewTenantAsync();
        var adminKey = tenant.Admin.DefaultRequestHeaders.Authorization?.Parameter;
        Assert.False(string.IsNullOrEmpty(adminKey), "The tenant's admin client carries no API key.");

        var run = await NodeScenario.RunAsync("groups.mjs", factory.BaseAddress, adminKey);

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
    }
}
