using Connectory.Tests.Compatibility;
using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.WebConsole;

/// <summary>
/// The web console in a real browser (tests/compat/console.mjs: playwright-core driving Debian's chromium, axe-core
/// on every page), against one real server. Runs once per test run, on the SQLite pass: the console only calls the
/// API, whose store-dependent behaviour the other tests cover on both databases.
/// </summary>
public sealed class ConsoleBrowserTests(ConnectoryFactory factory, ITestOutputHelper output) : IClassFixture<ConnectoryFactory>
{
    const string Chromium = "/usr/bin/chromium";

    [StoreIndependentFact]
    public async Task AnAdminAndAReaderWorkThroughTheConsoleByMouseAndKeyboardAtDesktopAndPhoneWidths()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/test.sh installs it (apt-get install chromium).");
        var tenant = await factory.NewTenantAsync();
        var adminKey = tenant.Admin.DefaultRequestHeaders.Authorization?.Parameter;
        Assert.False(string.IsNullOrEmpty(adminKey), "The tenant's admin client carries no API key.");
        var screenshots = Path.Combine(NodeScenario.RepoRoot, "tests", "Connectory.Tests", "TestResults", "console");

        var run = await NodeScenario.RunAsync("console.mjs", factory.BaseAddress, adminKey,
            new Dictionary<string, string> { ["CONNECTORY_CONSOLE_SHOTS"] = screenshots, ["CONNECTORY_CHROMIUM"] = Chromium });

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
    }
}
