using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Shoal.Samples.Shared;

/// <summary>How every sample web app starts.</summary>
public static class SampleHost
{
    /// <summary>
    /// A slim builder with one-line console logs from warnings up, listening on <c>PORT</c> when started by hand (the
    /// stack passes <c>--urls</c>).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var port = Environment.GetEnvironmentVariable("PORT");
        if (port is not null && !args.Any(a => a.StartsWith("--urls", StringComparison.Ordinal)))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }

        return builder;
    }
}
