using System.Security.Cryptography;

namespace Connectory.Data;

internal static class Ids
{
    /// <summary>A 24-hex-character id, the form Qlik uses for users, spaces, tenants and keys.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}

internal static class Clock
{
    /// <summary>Now, truncated to milliseconds: the precision every API answers in and every store keeps.</summary>
    public static DateTime UtcNow(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    public static string ToRfc3339(this DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
