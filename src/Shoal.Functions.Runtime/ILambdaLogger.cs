namespace Shoal.Functions.Runtime;

/// <summary>Writes a function's log lines to standard error, where the agent collects them.</summary>
public interface ILambdaLogger
{
    /// <summary>Writes <paramref name="message"/> as it is, without a prefix or a line break.</summary>
    /// <param name="message">The text to write.</param>
    void Log(string message);

    /// <summary>Writes one line: the time, the request id and <paramref name="message"/>, tab separated.</summary>
    /// <param name="message">The text of the line.</param>
    void LogLine(string message);
}
