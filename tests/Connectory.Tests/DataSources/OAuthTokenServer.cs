using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connectory.Tests.DataSources;

/// <summary>
/// A small OAuth token endpoint on 127.0.0.1 (its own Kestrel): records each form it receives and answers what the
/// test sets in <see cref="Answer"/>; <see cref="Hang"/> holds the request until the caller gives up. For a browser,
/// an authorize endpoint that consents at once (back to its redirect_uri with <see cref="AuthorizationCode"/>), and
/// <see cref="CallbackUrl"/>, a redirect URI that passes the browser on to <see cref="ForwardCallbackTo"/>: the app's
/// own return page, whose port is known only once the app runs.
/// </summary>
sealed class OAuthTokenServer : IAsyncDisposable
{
    readonly WebApplication app;

    OAuthTokenServer(WebApplication app, Uri tokenUrl)
    {
        this.app = app;
        TokenUrl = tokenUrl;
    }

    public Uri TokenUrl { get; }
    public Uri AuthorizeUrl => new(TokenUrl, "/oauth2/authorize");
    public Uri CallbackUrl => new(TokenUrl, "/callback");
    public const string AuthorizationCode = "browser-code-1";
    public Uri? ForwardCallbackTo { get; set; }
    public ConcurrentQueue<Dictionary<string, string>> Requests { get; } = new();
    public (int Status, string Body) Answer { get; set; } = DefaultAnswer;
    public bool Hang { get; set; }

    static readonly (int Status, string Body) DefaultAnswer = (200, """{"access_token":"at-1","refresh_token":"rt-1","expires_in":3600,"token_type":"bearer"}""");

    /// <summary>Back to a server that has received nothing and answers with the default tokens.</summary>
    public void Reset()
    {
        Requests.Clear();
        Answer = DefaultAnswer;
        Hang = false;
    }

    public static async Task<OAuthTokenServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        OAuthTokenServer? server = null;
        app.MapPost("/oauth2/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            server!.Requests.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            if (server.Hang)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            context.Response.StatusCode = server.Answer.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(server.Answer.Body, context.RequestAborted);
        });
        app.MapGet("/oauth2/authorize", (string redirect_uri, string state) =>
            Results.Redirect($"{redirect_uri}?code={AuthorizationCode}&state={Uri.EscapeDataString(state)}"));
        app.MapGet("/callback", (HttpContext context) => server!.ForwardCallbackTo is { } target
            ? Results.Redirect(target + context.Request.QueryString.Value)
            : Results.NotFound());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new OAuthTokenServer(app, new Uri(new Uri(address), "/oauth2/token"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await app.DisposeAsync();
    }
}

/// <summary>
/// The app with the shipped dropbox definition pointed at a token server of its own on loopback, shared by a test
/// class: each test makes its own tenant and calls <see cref="Reset"/> first.
/// </summary>
public sealed class OAuthApp : IAsyncLifetime
{
    public const string RedirectUri = "https://connectory.example.test/oauth/callback";

    internal OAuthTokenServer Server { get; private set; } = null!;
    public ConnectoryFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await OAuthTokenServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("connectory-oauth").FullName;
        var dropbox = JsonNode.Parse(File.ReadAllText(DefinitionOverrideTests.ShippedFile("dropbox.json")))!.AsObject();
        dropbox["oauth"]!["tokenUrl"] = Server.TokenUrl.ToString();
        File.WriteAllText(Path.Combine(folder, "dropbox.json"), dropbox.ToJsonString());
        Factory = ConnectoryFactory.With(new()
        {
            ["DataSources:DefinitionsPath"] = folder,
            ["DataSources:OAuth:dropbox:ClientId"] = "client-1",
            ["DataSources:OAuth:dropbox:ClientSecret"] = "client-secret-1",
            ["DataSources:OAuthRedirectUri"] = RedirectUri,
            ["DataSources:TokenTimeout"] = "00:00:02",
        });
    }

    public async Task DisposeAsync()
    {
        Factory.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>Between tests: the token server has received nothing and answers as new; the clock reads the real time.</summary>
    public void Reset()
    {
        Server.Reset();
        Factory.Clock.Offset = TimeSpan.Zero;
    }
}
