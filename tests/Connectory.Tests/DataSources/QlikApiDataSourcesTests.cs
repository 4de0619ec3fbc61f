using Connectory.Tests.Compatibility;
using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.DataSources;

/// <summary>@qlik/api's data-sources and dcaas modules run unchanged against the real server (tests/compat/data-sources.mjs).</summary>
public sealed class QlikApiDataSourcesTests(ITestOutputHelper output) : IDisposable
{
    readonly ConnectoryFactory factory = new();

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task DataSourcesAndDcaasWorkThroughQlikApiAndMatchTheSpecSchemas()
    {
        var tenant = await factory.NewTenantAsync();
        var adminKey = tenant.Admin.DefaultRequestHeaders.Authorization?.Parameter;
        Assert.False(string.IsNullOrEmpty(adminKey), "The tenant's admin client carries no API key.");

        var run = await NodeScenario.RunAsync("data-sources.mjs", factory.BaseAddress, adminKey);

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
    }
}
