using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Json;

namespace Shoal.Http;

/// <summary>
/// The admin API's problems in the one Shoal shape: <c>type</c> from <see cref="ProblemTypes"/>, <c>title</c>,
/// <c>status</c>, <c>detail</c>, as the gateway writes them; no trace id (the gateway has none to give either).
/// </summary>
public static class ShoalProblemDetails
{
    /// <summary>Registers problem details with the Shoal shape, for <c>Results.Problem</c> and the status-code pages alike.</summary>
    public static IServiceCollection AddShoalProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => Apply(c.ProblemDetails));

    /// <summary>Normalises <paramref name="problem"/> to the Shoal shape.</summary>
    public static void Apply(Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        problem.Type = ProblemTypes.For(status);
        problem.Extensions.Remove("traceId");

        // The last resort for what no endpoint caught: a generic 500, never the exception's text or trace (the daemon
        // usually runs as root; a trace tells an attacker its paths and versions).
        if (status >= 500)
        {
            problem.Detail = null;
            problem.Extensions.Remove("exception");
            problem.Extensions.Remove("errors");
        }
    }
}
