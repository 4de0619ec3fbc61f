using System.Net;
using System.Text.Json;

namespace Connectory.Tests.Support;

static class ApiAssert
{
    /// <summary>Asserts the status and that the body is the one error shape with that status; returns the error.</summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? "");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.Equal(1, errors.GetArrayLength());
        var error = errors[0];
        Assert.Equal((int)status, error.GetProperty("status").GetInt32());
        Assert.StartsWith("DCERROR-", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("title").GetString()));
        if (code is not null)
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
        }
        return error;
    }

    public static async Task<JsonElement> OkAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<JsonElement> JsonAsync(this Task<HttpResponseMessage> response, HttpStatusCode status = HttpStatusCode.OK) =>
        response.ContinueWith(r => OkAsync(r.Result, status)).Unwrap();
}
