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

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, written digit by digit: every listed connection has two, and the general
    /// formatter cost a list page more than reading its rows' dates.
    /// </summary>
    public static string ToRfc3339(this DateTime value) => string.Create(24, value, static (span, v) =>
    {
        static void Digits(Span<char> to, int number, int count)
        {
            for (var i = count - 1; i >= 0; i--)
            {
                to[i] = (char)('0' + number % 10);
                number /= 10;
            }
        }
        Digits(span, v.Year, 4);
        span[4] = '-';
        Digits(span[5..], v.Month, 2);
        span[7] = '-';
        Digits(span[8..], v.Day, 2);
        span[10] = 'T';
        Digits(span[11..], v.Hour, 2);
        span[13] = ':';
        Digits(span[14..], v.Minute, 2);
        span[16] = ':';
        Digits(span[17..], v.Second, 2);
        span[19] = '.';
        Digits(span[20..], v.Millisecond, 3);
        span[23] = 'Z';
    });
}
