using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// One stack for <see cref="IsolationNetworkTests"/>: a .NET service in a sandbox and a busybox httpd in runc, each with
/// <c>network: isolated</c>; a sandboxed service that tries the admin port on loopback; and an isolated bash function.
/// </summary>
public sealed class IsolationNetworkStack : IAsyncLifetime
{
    private readonly string _code = IsolationCode.Bash("""
        function handler () {
          local port
          port=$(cat "$LAMBDA_TASK_ROOT/admin-port")
          if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "loopback=reached"; else echo "loopback=refused"; fi
          echo "runtime_api=${AWS_LAMBDA_RUNTIME_API%%/*}"
        }
        """);

    private readonly string _www = Directory.CreateTempSubdirectory("shoal-www-").FullName;

    public TestStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_www, "www", "oci"));
        await File.WriteAllTextAsync(Path.Combine(_www, "www", "oci", "index.html"), "from runc");

        // runc's image: a root file system of busybox alone (the working directory is bound in at its own path).
        foreach (var directory in new[] { "bin", "proc", "dev", "sys", "tmp", "etc" })
        {
            Directory.CreateDirectory(Path.Combine(_www, "rootfs", directory));
        }

        File.Copy("/bin/busybox", Path.Combine(_www, "rootfs", "bin", "busybox"));
        var stack = TestStack.Create($$"""
            name: netiso
            gateway:
              listen: %gateway%
              admin: %admin%
            functions:
              janitor_interval: 200ms
            services:
              web:
                runtime: sandbox
                network: isolated
                command: [dotnet, "%sample%", --urls, "http://${SHOAL_ADDRESS}:${PORT}"]
                working_dir: "{{Path.GetDirectoryName(RepoPaths.SampleApp)}}"
                port: auto
                health: { http: /api/health, interval: 500ms }
                routes: ["/api/**"]
              box:
                runtime: oci
                image: "{{Path.Combine(_www, "rootfs")}}"
                network: isolated
                command: [/bin/busybox, httpd, -f, -p, "${SHOAL_ADDRESS}:${PORT}", -h, www]
                working_dir: "{{_www}}"
                port: auto
                health: { tcp: true, interval: 500ms }
                routes: ["/oci/**"]
              probe:
                runtime: sandbox
                network: isolated
                command: [sh, -c, "if /bin/busybox nc -w 2 127.0.0.1 %adminport% </dev/null; then echo loopback-reached; else echo loopback-refused; fi; exec sleep 600"]
            """);
        Stack = stack;
        var admin = stack.AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(stack.FilePath, (await File.ReadAllTextAsync(stack.FilePath)).Replace("%adminport%", admin, StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(_code, "admin-port"), admin);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "functions.yml"), "functions:\n" + FunctionStacks.Bash("fn", _code, "runtime: sandbox\nnetwork: isolated"));
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "routing.yml"), "routes:\n  - { path: /fn, function: fn }\n");
        await UpAsync(stack, new Dictionary<string, string>());
    }

    /// <summary>Runs <c>./shoal up -d</c> with <paramref name="environment"/>; fails with shoal's output and log if the stack does not come up.</summary>
    internal static async Task UpAsync(TestStack stack, IDictionary<string, string> environment)
    {
        var up = await stack.ShoalAsync(environment, "up", "-d");
        if (up.ExitCode != 0)
        {
            var log = Path.Combine(stack.Directory, ".shoal", "shoal.log");
            throw new InvalidOperationException($"shoal up -d failed: {up}\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
        }
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        Directory.Delete(_www, recursive: true);
        Directory.Delete(_code, recursive: true);
    }
}
