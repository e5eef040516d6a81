namespace Shoal.Hosting.Events;

/// <summary>What the admin listener streams besides the features' own endpoints: the events and the instances' logs.</summary>
/// <param name="Events">The platform's event stream.</param>
/// <param name="StateDirectory">The stack's state directory, under which the log files are.</param>
/// <param name="StackName">The stack's name, which function instances' log files start with.</param>
internal sealed record PlatformStreams(PlatformEventBus Events, string StateDirectory, string StackName);
