using Connectory.Tests.Support;

namespace Connectory.Tests.Cli;

/// <summary>`connectory apikeys create` holds to the same ApiKeys limits as the API.</summary>
public sealed class ApiKeysCommandTests : IDisposable
{
    readonly CommandLineRunner connectory = new();

    public void Dispose() => connectory.Dispose();

    [Fact]
    public async Task TheCommandHoldsToMaxKeysPerUser()
    {
        (await connectory.RunOnStoreAsync("tenants", "create", "--name", "acme")).Exits(0);
        // The admin holds the tenant's own key; with a limit of 2 one more fits, and then none.
        var run = (await connectory.RunOnStoreAsync("apikeys", "create", "--tenant", "acme", "--user", "admin", "--ApiKeys:MaxKeysPerUser=2")).Exits(0);
        Assert.StartsWith("cnx_", run.Stdout.Trim());
        run = (await connectory.RunOnStoreAsync("apikeys", "create", "--tenant", "acme", "--user", "admin", "--ApiKeys:MaxKeysPerUser=2")).Exits(1);
        Assert.Contains("already holds 2 active API keys (the limit is 2)", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [StoreIndependentTheory]
    [InlineData("P10D")]
    [InlineData("10.00:00:00")]
    [InlineData("PT240H")]
    public async Task ExpiryUpToMaxExpiryIsTaken(string expiry) =>
        await CreateWithExpiryAsync(expiry, exit: 0);

    [StoreIndependentTheory]
    [InlineData("P11D")]
    [InlineData("10.00:00:01")]
    [InlineData("PT0S")]
    public async Task ExpiryOverMaxExpiryFails(string expiry)
    {
        var run = await CreateWithExpiryAsync(expiry, exit: 1);
        Assert.Contains("--expiry must be positive and at most P10D", run.Stderr);
    }

    [StoreIndependentFact]
    public async Task ADefaultExpiryOverMaxExpiryIsRefusedAtStart()
    {
        (await connectory.RunOnStoreAsync("tenants", "create", "--name", "acme")).Exits(0);
        var run = (await connectory.RunOnStoreAsync("apikeys", "create", "--tenant", "acme", "--user", "admin", "--ApiKeys:MaxExpiry=10.00:00:00", "--ApiKeys:DefaultExpiry=20.00:00:00")).Exits(1);
        Assert.Contains("ApiKeys:DefaultExpiry must be positive and at most ApiKeys:MaxExpiry", run.Stderr);
    }

    async Task<CommandRun> CreateWithExpiryAsync(string expiry, int exit)
    {
        (await connectory.RunOnStoreAsync("tenants", "create", "--name", "acme")).Exits(0);
        return (await connectory.RunOnStoreAsync("apikeys", "create", "--tenant", "acme", "--user", "admin", "--expiry", expiry, "--ApiKeys:MaxExpiry=10.00:00:00", "--ApiKeys:DefaultExpiry=1.00:00:00")).Exits(exit);
    }
}
