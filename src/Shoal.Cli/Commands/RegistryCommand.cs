using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Shoal.Hosting;
using Shoal.Cli.Hosting;
using Shoal.Registry.Client;
using Shoal.Text;
using Spectre.Console;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal registry list | register | deregister | watch</c>: the registry API from the command line.</summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var command = new Command("registry", "List, register, deregister and watch service instances in a running stack's registry.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Register());
        command.Subcommands.Add(Deregister());
        command.Subcommands.Add(Watch());
        return command;
    }

    private static Option<string?> Admin() => new("--admin")
    {
        Description = "The admin API URL (default: the running stack's, from -f or ./shoal.yml).",
    };

    private static RegistryClient Connect(ParseResult result, Option<string?> admin, Option<string?> file)
    {
        if (result.GetValue(admin) is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new CliException($"--admin: '{url}' is not an http URL such as http://127.0.0.1:9901");
            }

            return RegistryClient.Create(uri);
        }

        var (state, client) = RunningStack.Connect(result.GetValue(file));
        client.Dispose();
        var directory = StackFiles.StateDirectory(result.GetValue(file));
        var http = AdminClient.CreateHttp(new Uri(state.Admin), AdminTokenFile.Reader(StackFiles.AdminToken(result.GetValue(file)), directory), AdminSocket.PathIn(directory), Timeout.InfiniteTimeSpan);
        return new RegistryClient(http);
    }

    private static async Task<int> CallAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (RegistryException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"the registry cannot be reached: {ex.Message}");
        }
    }

    private static Command List()
    {
        var file = CommonOptions.File();
        var admin = Admin();
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON." };
        var command = new Command("list", "List every service and instance.") { file, admin, json };
        command.SetAction((result, ct) => CommandRunner.RunAsync(() => CallAsync(async () =>
        {
            var listing = await Connect(result, admin, file).ListAsync(ct);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(listing, RegistryJson.Options));
                return 0;
            }

            var table = new Table().AddColumns("SERVICE", "INSTANCE", "ADDRESS", "VERSION", "WEIGHT", "HEALTH", "TTL");
            foreach (var service in listing.Services)
            {
                foreach (var i in service.Instances)
                {
                    table.AddRow(Markup.Escape(service.Name), Markup.Escape(i.Id), $"{Markup.Escape(i.Address)}:{i.Port}", Markup.Escape(i.Version),
                        i.Weight.ToString(CultureInfo.InvariantCulture), i.Draining ? "draining" : i.Health, i.Ttl ?? "-");
                }
            }

            AnsiConsole.Write(table);
            Console.WriteLine($"index {listing.Index}");
            return 0;
        })));
        return command;
    }

    private static Command Register()
    {
        var file = CommonOptions.File();
        var admin = Admin();
        var service = new Argument<string>("service") { Description = "The service name." };
        var id = new Argument<string>("id") { Description = "The instance id, unique within the service." };
        var port = new Option<int>("--port") { Description = "The port the instance listens on.", Required = true };
        var address = new Option<string>("--address") { Description = "The address it listens on.", DefaultValueFactory = _ => "127.0.0.1" };
        var version = new Option<string?>("--version") { Description = "The version it runs." };
        var weight = new Option<int?>("--weight") { Description = "Its relative weight." };
        var metadata = new Option<string[]>("--meta") { Description = "A label KEY=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
        var ttl = new Option<string?>("--ttl") { Description = "Critical without a heartbeat for this long, e.g. 10s." };
        var deregisterAfter = new Option<string?>("--deregister-after") { Description = "Removed this long after its TTL ran out, e.g. 1m." };
        var heartbeat = new Option<bool>("--heartbeat") { Description = "Stay in the foreground renewing the TTL; deregister on Ctrl-C or SIGTERM." };
        var command = new Command("register", "Register or update an instance.") { service, id, file, admin, port, address, version, weight, metadata, ttl, deregisterAfter, heartbeat };
        command.SetAction((result, ct) => CommandRunner.RunAsync(() => CallAsync(async () =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(metadata) ?? [])
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0)
                {
                    throw new CliException($"--meta: '{pair}' is not KEY=VALUE");
                }

                labels[parts[0]] = parts[1];
            }

            var registration = new InstanceRegistration
            {
                Address = result.GetValue(address)!,
                Port = result.GetValue(port),
                Version = result.GetValue(version),
                Weight = result.GetValue(weight),
                Metadata = labels.Count > 0 ? labels : null,
                Ttl = result.GetValue(ttl),
                DeregisterAfter = result.GetValue(deregisterAfter),
            };
            var client = Connect(result, admin, file);
            var name = result.GetValue(service)!;
            var instance = result.GetValue(id)!;
            if (!result.GetValue(heartbeat))
            {
                var registered = await client.RegisterAsync(name, instance, registration, ct);
                Console.WriteLine($"registered {registered.Service}/{registered.Id} at {registered.Address}:{registered.Port} ({registered.Health})");
                return 0;
            }

            if (registration.Ttl is null || !Durations.TryParse(registration.Ttl, out var every))
            {
                throw new CliException("--heartbeat needs --ttl, e.g. --ttl 10s");
            }

            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            await using (await client.RegisterWithHeartbeatsAsync(name, instance, registration, every, ct))
            {
                Console.WriteLine($"registered {name}/{instance}; renewing every {Durations.Format(every / 3)} until stopped");
                await stop.Task.WaitAsync(ct);
            }

            Console.WriteLine($"deregistered {name}/{instance}");
            return 0;
        })));
        return command;
    }

    private static Command Deregister()
    {
        var file = CommonOptions.File();
        var admin = Admin();
        var service = new Argument<string>("service") { Description = "The service name." };
        var id = new Argument<string>("id") { Description = "The instance id." };
        var command = new Command("deregister", "Remove an instance.") { service, id, file, admin };
        command.SetAction((result, ct) => CommandRunner.RunAsync(() => CallAsync(async () =>
        {
            if (!await Connect(result, admin, file).DeregisterAsync(result.GetValue(service)!, result.GetValue(id)!, ct))
            {
                throw new CliException($"{result.GetValue(service)}/{result.GetValue(id)} is not registered");
            }

            Console.WriteLine($"deregistered {result.GetValue(service)}/{result.GetValue(id)}");
            return 0;
        })));
        return command;
    }

    private static Command Watch()
    {
        var file = CommonOptions.File();
        var admin = Admin();
        var service = new Argument<string>("service") { Description = "The service to watch." };
        var index = new Option<long?>("--index") { Description = "Start after this registry index (default: the current one, so only new changes show)." };
        var json = new Option<bool>("--json") { Description = "Print each event as a JSON line." };
        var command = new Command("watch", "Print a service's changes as they happen; resumes after the last index on a dropped connection.") { service, file, admin, index, json };
        command.SetAction((result, ct) => CommandRunner.RunAsync(() => CallAsync(async () =>
        {
            var client = Connect(result, admin, file);
            var name = result.GetValue(service)!;
            var after = result.GetValue(index) ?? (await client.DiscoverAsync(name, cancellationToken: ct)).Index;
            Console.Error.WriteLine($"watching {name} after index {after}");
            try
            {
                await foreach (var e in client.WatchAsync(name, after, ct))
                {
                    Console.WriteLine(result.GetValue(json)
                        ? JsonSerializer.Serialize(e, RegistryJson.Options)
                        : $"{e.Index} {e.Type} {e.Service}/{e.Id} {e.Instance?.Address}:{e.Instance?.Port} {e.Instance?.Health}");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C.
            }

            return 0;
        })));
        return command;
    }
}
