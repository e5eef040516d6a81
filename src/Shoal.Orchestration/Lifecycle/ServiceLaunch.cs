using Shoal.Processes;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>What a service's replicas are started with: the runtime of its <c>runtime:</c> and the user of its <c>user:</c>, both resolved once, as the stack starts.</summary>
/// <param name="Runtime">The runtime.</param>
/// <param name="User">The user, or null for the daemon's.</param>
internal sealed record ServiceLaunch(IProcessRuntime Runtime, ProcessUser? User);
