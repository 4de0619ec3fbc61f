using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting.Telemetry;

/// <summary>
/// The console logger's own formatters (so every line reads as ASP.NET Core's console logger writes it) with a cheaper
/// way to the console. ASP.NET Core's logger hands each line to its writer thread under a lock and writes it with a
/// flush of its own, in 256-character pieces; at a few thousand requests a second, one access line each, the lock and
/// the writes took a fifth of the service's CPU. Here the calling thread formats its line and puts it on a lock-free
/// queue, and one writer thread writes every line waiting with one write to the console.
/// </summary>
[ProviderAlias("Console")] // so Logging:Console:LogLevel settings still apply
internal sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    readonly IOptionsMonitor<ConsoleLoggerOptions> options;
    readonly Dictionary<string, ConsoleFormatter> formatters;
    readonly ConsoleLineWriter writer = new(Console.OpenStandardOutput(), Console.OpenStandardError());
    IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
    {
        this.options = options;
        this.formatters = formatters.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    public ILogger CreateLogger(string categoryName) => new BatchedConsoleLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose() => writer.Dispose();

    ConsoleFormatter Formatter =>
        formatters.TryGetValue(options.CurrentValue.FormatterName ?? ConsoleFormatterNames.Simple, out var formatter) ? formatter
        : formatters[ConsoleFormatterNames.Simple];

    sealed class BatchedConsoleLogger(string category, BatchedConsoleLoggerProvider provider) : ILogger
    {
        [ThreadStatic]
        static StringWriter? line;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider.scopes.Push(state);

        // Levels are filtered by the logging configuration before a logger is asked.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            line ??= new StringWriter();
            // Empty even if a formatter threw halfway through the last line.
            line.GetStringBuilder().Clear();
            provider.Formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), provider.scopes, line);
            var text = line.GetStringBuilder();
            if (text.Length == 0)
            {
                return;
            }
            var written = text.ToString();
            text.Clear();
            if (text.Capacity > 4096)
            {
                text.Capacity = 4096;
            }
            provider.writer.Add(written, logLevel >= provider.options.CurrentValue.LogToStandardErrorThreshold);
        }
    }
}

/// <summary>
/// One thread that writes the lines of many threads to stdout (or stderr), every line waiting in one write; a line is
/// written within a few milliseconds. Callers never wait for the console unless 10,000 lines are already waiting, and
/// then they do (no line is dropped).
/// </summary>
internal sealed class ConsoleLineWriter : IDisposable
{
    const int MaxWaiting = 10_000;
    const int BatchBytes = 64 * 1024;
    static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(5);

    readonly ConcurrentQueue<(string Text, bool ToError)> lines = new();
    readonly SemaphoreSlim wake = new(0);
    readonly Thread thread;
    readonly Stream stdout;
    readonly Stream stderr;
    int waiting;
    int idle;
    volatile bool disposed;

    /// <summary>Writes to these streams (the console's, opened once: each open duplicates the descriptor).</summary>
    public ConsoleLineWriter(Stream stdout, Stream stderr)
    {
        this.stdout = stdout;
        this.stderr = stderr;
        thread = new Thread(WriteLines) { IsBackground = true, Name = "Console log writer" };
        thread.Start();
    }

    public void Add(string text, bool toError)
    {
        while (Volatile.Read(ref waiting) >= MaxWaiting && !disposed)
        {
            Thread.Sleep(1);
        }
        if (disposed)
        {
            // After shutdown began: write it here rather than lose it.
            Write(toError, Encoding.UTF8.GetBytes(text));
            return;
        }
        lines.Enqueue((text, toError));
        Interlocked.Increment(ref waiting);
        // Wake the writer only when it sleeps: one signal per sleep, not one per line.
        if (Volatile.Read(ref idle) == 1 && Interlocked.Exchange(ref idle, 0) == 1)
        {
            wake.Release();
        }
    }

    void WriteLines()
    {
        var output = new StringBuilder();
        var errors = new StringBuilder();
        while (true)
        {
            if (lines.IsEmpty)
            {
                if (disposed)
                {
                    return;
                }
                // Say "asleep" before looking once more, so a line added meanwhile either is seen here or wakes us.
                Interlocked.Exchange(ref idle, 1);
                if (lines.IsEmpty && !disposed)
                {
                    wake.Wait();
                }
                Interlocked.Exchange(ref idle, 0);
                // Let the lines of a busy moment gather, so they go out in one write rather than one each.
                if (!disposed)
                {
                    Thread.Sleep(Gather);
                }
            }
            while (lines.TryDequeue(out var next))
            {
                Interlocked.Decrement(ref waiting);
                var batch = next.ToError ? errors : output;
                batch.Append(next.Text);
                if (batch.Length >= BatchBytes)
                {
                    Flush(batch, next.ToError);
                }
            }
            Flush(output, toError: false);
            Flush(errors, toError: true);
        }
    }

    void Flush(StringBuilder batch, bool toError)
    {
        if (batch.Length == 0)
        {
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(batch.ToString());
        batch.Clear();
        if (batch.Capacity > 4 * BatchBytes)
        {
            batch.Capacity = BatchBytes;
        }
        Write(toError, bytes);
    }

    /// <summary>
    /// Straight to the process's stream, holding the console writer's lock (its methods lock the writer itself), so a
    /// line printed with <see cref="Console.WriteLine()"/> meanwhile never lands inside a batch.
    /// </summary>
    void Write(bool toError, byte[] bytes)
    {
        try
        {
            lock (toError ? Console.Error : Console.Out)
            {
                (toError ? stderr : stdout).Write(bytes);
            }
        }
        catch (IOException)
        {
            // The console went away (a closed pipe): the lines have nowhere to go.
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        wake.Release();
        // As the console logger does: give the writer a moment to write what waits, but never hang a shutdown on it.
        if (thread.Join(TimeSpan.FromMilliseconds(1500)))
        {
            // A line added while the writer was finishing.
            while (lines.TryDequeue(out var last))
            {
                Write(last.ToError, Encoding.UTF8.GetBytes(last.Text));
            }
        }
    }
}
