namespace Shoal.Hosting;

/// <summary>A refusal of the daemon or its tooling (already running, a plugin that cannot load, something left running) that the CLI reports as one line.</summary>
public sealed class StackException(string message) : Exception(message);
