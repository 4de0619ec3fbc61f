using Connectory.Data;
using Connectory.Hosting;
using Connectory.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Connectory.Tests.Secrets;

public sealed class MasterKeyRingTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "connectory-tests", Guid.NewGuid().ToString("N"));

    public MasterKeyRingTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    static string Key() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    MasterKeyRing Ring(SecretsOptions options) => new(
        Options.Create(options),
        new DataDirectory(new ConfigurationBuilder().AddInMemoryCollection([new("data-dir", directory)]).Build()),
        new SecretFile(LocalFileSystem.Instance),
        NullLogger<MasterKeyRing>.Instance);

    [Fact]
    public void AKeyIdItDoesNotKnowMakesItReReadTheFile()
    {
        var file = Path.Combine(directory, "keys");
        File.WriteAllText(file, $"# comment\nk1 {Key()}\n");
        var ring = Ring(new SecretsOptions { MasterKeyFile = file, ReloadSeconds = 3600 });
        Assert.Equal("k1", ring.CurrentKeyId);

        File.AppendAllText(file, $"k2 {Key()}\n");
        Assert.NotNull(ring.Find("k2"));
        Assert.Equal("k2", ring.CurrentKeyId);
        Assert.NotNull(ring.Find("k1"));
        Assert.Null(ring.Find("k3"));
    }

    [Fact]
    public async Task AddingAKeyMakesItCurrentAndKeepsTheOthers()
    {
        var ring = Ring(new SecretsOptions { ReloadSeconds = 0 });
        Assert.Equal("k1", ring.CurrentKeyId);
        var added = await ring.AddKeyAsync(CancellationToken.None);
        Assert.Equal(added, ring.CurrentKeyId);
        Assert.Equal(new[] { "k1", added }.Order(), ring.KeyIds.Order());
        var file = Path.Combine(directory, MasterKeyRing.GeneratedFile);
        Assert.Equal(2, File.ReadAllLines(file).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void ABrokenFileAtRunTimeKeepsTheKeysInUse()
    {
        var file = Path.Combine(directory, "keys");
        File.WriteAllText(file, $"k1 {Key()}\n");
        var ring = Ring(new SecretsOptions { MasterKeyFile = file, ReloadSeconds = 0 });
        File.WriteAllText(file, "k2 not-base64-at-all\n");
        Assert.Equal("k1", ring.CurrentKeyId);
        Assert.NotNull(ring.Find("k1"));
    }

    [Fact]
    public async Task AKeyFromTheEnvironmentIsUsedAsIsAndCannotBeRotatedOnline()
    {
        var ring = Ring(new SecretsOptions { MasterKey = $"env-1:{Key()}" });
        Assert.Equal("env-1", ring.CurrentKeyId);
        Assert.Null(ring.FilePath);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ring.AddKeyAsync(CancellationToken.None));
        Assert.Contains("Secrets:MasterKey", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k1", "expected '<keyId> <base64 key>'")]
    [InlineData("k1 !!!", "is not base64")]
    [InlineData("k1 AAAA", "must be 32 bytes")]
    [InlineData("bad/id AAAA", "must be 1-32 letters")]
    [InlineData("# nothing but a comment", "holds no key")]
    public void AMalformedKeyFileStopsTheStartSayingWhy(string content, string reason)
    {
        var file = Path.Combine(directory, "keys");
        File.WriteAllText(file, content + "\n");
        var failure = Assert.Throws<InvalidOperationException>(() => Ring(new SecretsOptions { MasterKeyFile = file }));
        Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyIdTwiceStopsTheStart()
    {
        var file = Path.Combine(directory, "keys");
        File.WriteAllText(file, $"k1 {Key()}\nk1 {Key()}\n");
        Assert.Contains("appears twice", Assert.Throws<InvalidOperationException>(() => Ring(new SecretsOptions { MasterKeyFile = file })).Message, StringComparison.Ordinal);
    }
}
