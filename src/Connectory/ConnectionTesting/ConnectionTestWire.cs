namespace Connectory.ConnectionTesting;

/// <summary>
/// The answer to a completed test, whether the target answered or not: <c>ok</c> when every step passed, each step
/// as it went (the first failed one is the last), and the whole test's time.
/// </summary>
/// <param name="kind">What was tested: <c>postgres</c>, <c>sqlite</c>, <c>folder</c>, <c>http</c> or <c>tcp</c>.</param>
/// <param name="target">Where, without credentials: <c>host:port</c>, a URL's scheme, host and port, or a path.</param>
internal sealed record ConnectionTestResult(bool ok, string kind, string target, IReadOnlyList<ConnectionTestStep> steps, long latencyMs);

/// <param name="step">
/// <c>resolve</c> (name resolution), <c>policy</c> (may the test go there), <c>connect</c>, <c>tls</c>,
/// <c>authenticate</c>, <c>database</c>, <c>http</c>, <c>path</c>, <c>read</c>, <c>file</c> or <c>open</c>.
/// </param>
/// <param name="message">What happened, never holding a secret the test was given.</param>
internal sealed record ConnectionTestStep(string step, bool ok, long latencyMs, string message);
