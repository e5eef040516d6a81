using System.CommandLine;
using System.Runtime.InteropServices;
using Shoal.Hosting;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal agent</c>: runs a function agent alone, for gateways on this or other hosts to start instances on.</summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Where the agent's gRPC API listens (HTTP/2 without TLS).", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        var state = new Option<string>("--state-dir") { Description = "Where instance records and logs go.", DefaultValueFactory = _ => Path.Combine(".shoal", "agent") };
        var command = new Command("agent", "Run a function agent: starts, lists, pauses and destroys function instances over gRPC.") { listen, state };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            if (!Uri.TryCreate(result.GetValue(listen), UriKind.Absolute, out var address) || address.Scheme != "http")
            {
                Console.Error.WriteLine($"error: --listen '{result.GetValue(listen)}' is not an http://host:port address");
                return 2;
            }

            await using var agent = StandaloneAgent.Create(address, result.GetValue(state)!);
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            await agent.StartAsync(ct);
            Console.WriteLine($"agent listening on {agent.Address} (runtime {agent.Runtime})");
            await stop.Task.WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await agent.StopAsync(CancellationToken.None);
            return 0;
        }));
        return command;
    }
}
