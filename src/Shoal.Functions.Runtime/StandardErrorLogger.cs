using System.Globalization;

namespace Shoal.Functions.Runtime;

/// <summary>Writes log lines, tagged with the invocation's request id, to standard error (or a writer tests give).</summary>
internal sealed class StandardErrorLogger(TextWriter writer, TimeProvider timeProvider, string requestId) : ILambdaLogger
{
    public void Log(string message) => writer.Write(message);

    public void LogLine(string message) =>
        writer.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{timeProvider.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ}\t{requestId}\t{message}"));
}
