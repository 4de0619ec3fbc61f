using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Connectory.Platform.Auth;

/// <summary>
/// Remembers validated sign-ins for Auth:SignInCacheSeconds. A change made through this instance (key revoked, user
/// disabled, deleted or given other roles) forgets that user's sign-ins at once; other instances catch up within the
/// cache lifetime.
/// </summary>
internal sealed class SignInCache(IMemoryCache cache, IOptions<AuthOptions> options)
{
    readonly ConcurrentDictionary<string, CancellationTokenSource> byUser = new(StringComparer.Ordinal);

    public SignIn? Find(string tokenHash) => cache.TryGetValue(Key(tokenHash), out SignIn? signIn) ? signIn : null;

    public void Remember(string tokenHash, SignIn signIn)
    {
        var seconds = options.Value.SignInCacheSeconds;
        if (signIn.Caller is not { } caller || seconds <= 0)
        {
            return;
        }
        var forget = byUser.GetOrAdd(caller.UserId, _ => new CancellationTokenSource());
        using var entry = cache.CreateEntry(Key(tokenHash));
        entry.Value = signIn;
        entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds);
        entry.AddExpirationToken(new CancellationChangeToken(forget.Token));
    }

    /// <summary>Forgets every remembered sign-in of the user, by any token.</summary>
    public void ForgetUser(string userId)
    {
        // Not disposed: a concurrent Remember may still read its token, which is then already cancelled.
        if (byUser.TryRemove(userId, out var forget))
        {
            forget.Cancel();
        }
    }

    static string Key(string tokenHash) => "signin:" + tokenHash;
}
