using System.Text;
using System.Text.RegularExpressions;
using Connectory.Hosting.Telemetry;
using Connectory.Tests.Support;

namespace Connectory.Tests.Telemetry;

/// <summary>
/// The console log's writer thread: every line of many threads is written once and whole, in each thread's order, to
/// the stream its level asks for; callers wait (and lose nothing) when the console stops taking lines.
/// </summary>
public sealed partial class ConsoleLineWriterTests
{
    [StoreIndependentFact]
    public void LinesOfManyThreadsAreWrittenOnceWholeAndInOrder()
    {
        var output = new RecordingStream();
        var errors = new RecordingStream();
        const int threads = 8, lines = 5_000;
        using (var writer = new ConsoleLineWriter(output, errors))
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                for (var i = 0; i < lines; i++)
                {
                    writer.Add($"t{t} n{i} {new string('x', i % 300)}\n", toError: t == 0);
                }
            });
        }

        var written = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((threads - 1) * lines, written.Length);
        var next = new int[threads];
        foreach (var line in written)
        {
            var match = Line().Match(line);
            Assert.True(match.Success, $"a torn line: {line}");
            var (t, n) = (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
            Assert.NotEqual(0, t);
            Assert.Equal(next[t]++, n);
            Assert.Equal(n % 300, match.Groups[3].Length);
        }
        Assert.Equal(lines, errors.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // Batched: far fewer writes than lines.
        Assert.True(output.Writes < written.Length / 10, $"{output.Writes} writes for {written.Length} lines");
    }

    [StoreIndependentFact]
    public void CallersWaitWhileTheConsoleIsStuckAndNoLineIsLost()
    {
        var output = new RecordingStream { Stuck = true };
        // More than the 10,000 that may wait plus the one batch (64 KiB) the writer thread holds while the write is stuck.
        const int lines = 40_000;
        using (var writer = new ConsoleLineWriter(output, new RecordingStream()))
        {
            var adding = Task.Run(() =>
            {
                for (var i = 0; i < lines; i++)
                {
                    writer.Add($"n{i}\n", toError: false);
                }
            });
            Assert.False(adding.Wait(TimeSpan.FromSeconds(2)), "the caller did not wait for a stuck console");
            output.Stuck = false;
            Assert.True(adding.Wait(TimeSpan.FromSeconds(30)), "the caller still waits after the console took lines again");
        }
        var written = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, lines).Select(i => $"n{i}"), written);
    }

    [GeneratedRegex(@"^t(\d+) n(\d+) (x*)$")]
    private static partial Regex Line();

    sealed class RecordingStream : Stream
    {
        readonly MemoryStream bytes = new();
        public volatile bool Stuck;
        public int Writes { get; private set; }
        public string Text { get { lock (bytes) { return Encoding.UTF8.GetString(bytes.ToArray()); } } }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            SpinWait.SpinUntil(() => !Stuck);
            lock (bytes)
            {
                Writes++;
                bytes.Write(buffer);
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
