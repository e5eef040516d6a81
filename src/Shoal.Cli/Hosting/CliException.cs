namespace Shoal.Cli.Hosting;

/// <summary>A failure the CLI reports as one line, without a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
