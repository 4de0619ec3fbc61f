using Connectory.Tests.Support;

namespace Connectory.Tests.Cli;

/// <summary>The command line as an operator meets it: help, version, exit codes, and settings passed to configuration.</summary>
public sealed class CommandLineTests : IDisposable
{
    readonly CommandLineRunner connectory = new();

    public void Dispose() => connectory.Dispose();

    Task<CommandRun> RunAsync(params string[] args) => CommandLineRunner.RunAsync(args, connectory.WorkingDirectory);

    /// <summary>Nothing was written: no data directory (given or default ./data), no key, no database.</summary>
    void AssertNothingCreated()
    {
        Assert.False(Directory.Exists(connectory.DataDir), $"{connectory.DataDir} was created");
        Assert.Empty(Directory.EnumerateFileSystemEntries(connectory.WorkingDirectory));
    }

    [StoreIndependentTheory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--help --urls http://127.0.0.1:1")]
    [InlineData("serve --help")]
    [InlineData("migrate --help")]
    [InlineData("tenants --help")]
    [InlineData("tenants create --help")]
    [InlineData("apikeys create -h")]
    [InlineData("keys status --help")]
    [InlineData("keys rotate --help")]
    [InlineData("secrets seal --help")]
    [InlineData("qrs export --help")]
    [InlineData("import --help")]
    public async Task HelpPrintsUsageAndCreatesNothing(string line)
    {
        var run = (await RunAsync([.. line.Split(' '), "--data-dir", connectory.DataDir])).Exits(0);
        Assert.Contains("Usage:", run.Stdout);
        Assert.Contains("connectory", run.Stdout);
        AssertNothingCreated();
    }

    [StoreIndependentFact]
    public async Task HelpOfACommandNamesItsOptions()
    {
        var run = (await RunAsync("apikeys", "create", "--help")).Exits(0);
        foreach (var option in new[] { "--tenant", "--user", "--description", "--expiry", "--urls", "--data-dir" })
        {
            Assert.Contains(option, run.Stdout);
        }
        Assert.Contains("(REQUIRED)", run.Stdout);
    }

    [StoreIndependentFact]
    public async Task VersionPrintsTheVersionAndCreatesNothing()
    {
        var run = (await RunAsync("--version", "--data-dir", connectory.DataDir)).Exits(0);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout.Trim());
        AssertNothingCreated();
    }

    [StoreIndependentTheory]
    [InlineData("tenantz create --name x", "'tenantz'")]
    [InlineData("tenants", "Required command was not provided")]
    [InlineData("tenants create", "--name")]
    [InlineData("tenants create --nmae x", "'--nmae'")]
    [InlineData("apikeys create --tenant t", "--user")]
    [InlineData("apikeys create --tenant t --user u --expiry soon", "--expiry")]
    [InlineData("secrets seal", "--setting")]
    [InlineData("qrs export --from http://qrs.example:4242 --cert c.pfx", "https://")]
    [InlineData("import --tenant t --space-map *=x", "BUNDLE")]
    [InlineData("keys rotate --force", "'--force'")]
    [InlineData("migrate --Database:Provider", "'--Database:Provider'")]
    public async Task UsageErrorsExit2AndCreateNothing(string line, string named)
    {
        var run = (await RunAsync(["--data-dir", connectory.DataDir, .. line.Split(' ')])).Exits(2);
        Assert.Contains(named, run.Stderr);
        Assert.Contains("--help' for usage", run.Stderr);
        Assert.Empty(run.Stdout);
        AssertNothingCreated();
    }

    [Fact]
    public async Task ACommandThatFailsExits1()
    {
        (await connectory.RunOnStoreAsync("migrate")).Exits(0);
        var run = (await connectory.RunOnStoreAsync("apikeys", "create", "--tenant", "nowhere", "--user", "admin")).Exits(1);
        Assert.Contains("No tenant 'nowhere'.", run.Stderr);
        (await connectory.RunOnStoreAsync("tenants", "create", "--name", "acme")).Exits(0);
        run = (await connectory.RunOnStoreAsync("apikeys", "create", "--tenant", "acme", "--user", "nobody")).Exits(1);
        Assert.Contains("No user 'nobody' in tenant 'acme'.", run.Stderr);
    }

    [StoreIndependentFact]
    public async Task SettingsOnTheCommandLineReachConfiguration()
    {
        // An unknown provider in either form is refused by the app, so the setting got there.
        foreach (var form in new[] { new[] { "--Database:Provider=oracle" }, ["--Database:Provider", "oracle"] })
        {
            var run = (await CommandLineRunner.RunAsync(["migrate", "--data-dir", connectory.DataDir, .. form], connectory.WorkingDirectory)).Exits(1);
            Assert.Contains("Database:Provider must be 'sqlite' or 'postgres'.", run.Stderr);
        }
        // Settings may stand anywhere, before the command too: the admin's own key is already one too many here.
        (await connectory.RunOnStoreAsync("tenants", "create", "--name", "anywhere")).Exits(0);
        var limited = (await CommandLineRunner.RunAsync(
            ["--ApiKeys:MaxKeysPerUser", "1", "apikeys", "create", "--tenant", "anywhere", "--user", "admin", .. connectory.Store], connectory.WorkingDirectory)).Exits(1);
        Assert.Contains("(the limit is 1)", limited.Stderr);
    }

    [StoreIndependentFact]
    public async Task SealReadsTheValueFromStandardInput()
    {
        var run = (await CommandLineRunner.RunAsync(["secrets", "seal", "--setting", "DataSources:OAuth:gbq:ClientSecret", .. connectory.Store], connectory.WorkingDirectory, "s3cret\n")).Exits(0);
        Assert.StartsWith("sealed:v1:", run.Stdout);
        Assert.Single(run.Stdout.Trim().Split('\n'));
        Assert.DoesNotContain("s3cret", run.Stdout);
        run = (await CommandLineRunner.RunAsync(["secrets", "seal", "--setting", "A:B", .. connectory.Store], connectory.WorkingDirectory, "")).Exits(1);
        Assert.Contains("No value on standard input.", run.Stderr);
    }

    [Fact]
    public async Task KeysStatusAndRotateRunFromTheCommandLine()
    {
        (await connectory.RunOnStoreAsync("keys", "rotate")).Exits(0);
        var run = (await connectory.RunOnStoreAsync("keys", "status")).Exits(0);
        Assert.Contains("current", run.Stdout);
        (await connectory.RunOnStoreAsync("keys", "rotate", "--resume")).Exits(0);
    }

    [StoreIndependentFact]
    public async Task ARotationThatCannotRunExits1()
    {
        var fixedKey = "k9:" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var run = (await connectory.RunOnStoreAsync("keys", "rotate", $"--Secrets:MasterKey={fixedKey}")).Exits(1);
        Assert.Contains("cannot be rotated online", run.Stderr);
    }

    [Fact]
    public async Task WithoutACommandTheServerServes()
    {
        var bootstrapKey = "cnx_cli_" + Guid.NewGuid().ToString("N");
        var (server, address) = await connectory.StartServerAsync("--urls", "http://127.0.0.1:0", $"--Auth:BootstrapApiKey={bootstrapKey}");
        using (server)
        {
            try
            {
                Assert.NotNull(address);
                using var http = new HttpClient { BaseAddress = address };
                http.DefaultRequestHeaders.Authorization = new("Bearer", bootstrapKey);
                Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/api/v1/users/me")).StatusCode);
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
    }
}
