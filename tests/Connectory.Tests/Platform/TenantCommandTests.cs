using Connectory.Tests.Cli;

namespace Connectory.Tests.Platform;

/// <summary>`connectory tenants create`, run as the binary over its own store.</summary>
public sealed class TenantCommandTests : IDisposable
{
    readonly CommandLineRunner connectory = new();

    public void Dispose() => connectory.Dispose();

    [Fact]
    public async Task TenantsDoNotCreateUsersOnSignInUnlessAsked()
    {
        var run = (await connectory.RunOnStoreAsync("tenants", "create", "--name", "plain")).Exits(0);
        Assert.Contains("users created on first JWT sign-in: no", run.Stdout);
        Assert.Matches("admin API key \\(shown once\\): cnx_", run.Stdout);
    }

    [Fact]
    public async Task AutoCreateUsersIsSetByTheCommand()
    {
        (await connectory.RunOnStoreAsync("tenants", "create", "--name", "open", "--auto-create-users")).Exits(0);
        var run = (await connectory.RunOnStoreAsync("tenants", "create", "--name=also-open", "--auto-create-users=true")).Exits(0);
        Assert.Contains("users created on first JWT sign-in: yes", run.Stdout);
    }

    [Fact]
    public async Task AutoCreateUsersTakesOnlyTrueOrFalse()
    {
        var run = (await connectory.RunOnStoreAsync("tenants", "create", "--name=odd", "--auto-create-users=sometimes")).Exits(2);
        Assert.Contains("sometimes", run.Stderr);
        // Nothing was created: the name is still free.
        (await connectory.RunOnStoreAsync("tenants", "create", "--name=odd")).Exits(0);
    }

    [Fact]
    public async Task ATakenNameFails()
    {
        (await connectory.RunOnStoreAsync("tenants", "create", "--name", "twice")).Exits(0);
        var run = (await connectory.RunOnStoreAsync("tenants", "create", "--name", "twice")).Exits(1);
        Assert.Contains("A tenant named 'twice' already exists.", run.Stderr);
    }
}
