using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Http;
using Shoal.Text;

namespace Shoal.Delivery;

/// <summary>The deployment API: <c>GET|POST /v1/services/{name}/deployments</c> and <c>POST …/deployments/{operation}</c>.</summary>
public static class DeploymentEndpoints
{
    /// <summary>The JSON conventions of the API: Shoal's (snake_case names and enum values, unknown fields rejected).</summary>
    public static JsonSerializerOptions Json => Shoal.Json.ShoalJson.Options;

    /// <summary>Maps the endpoints over <paramref name="controller"/>.</summary>
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder endpoints, DeploymentController controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        endpoints.MapGet("/v1/services/{name}/deployments", (string name) =>
            Results.Json(new { service = name, deployment = controller.Status(name) }, Json));

        endpoints.MapPost("/v1/services/{name}/deployments", async (string name, HttpRequest request, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBodies.ReadAsync<DeploymentBody>(request, Json, "{\"type\": \"canary\", \"version\": \"2\", \"steps\": [5, 20, 50, 100], \"interval\": \"30s\"}", ct).ConfigureAwait(false);
            if (body is null)
            {
                return problem!;
            }

            return Run(() =>
            {
                var deployment = body.ToRequest(controller.DefaultsFor(name));
                if (controller.Refusal(name, deployment, AdminAuthentication.RoleOf(request.HttpContext)) is { } refusal)
                {
                    return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: refusal);
                }

                return Results.Json(controller.Start(name, deployment, Actor(request)), Json, statusCode: 202);
            });
        });

        endpoints.MapPost("/v1/services/{name}/deployments/{operation}", async (string name, string operation, HttpRequest request, CancellationToken ct) =>
        {
            var reason = request.Query["reason"].ToString();
            try
            {
                var status = await controller.ApplyAsync(name, operation, Actor(request), reason.Length > 0 ? reason : null, ct).ConfigureAwait(false);
                return Results.Json(status, Json);
            }
            catch (DeploymentException ex)
            {
                return Problem(ex);
            }
        });
        return endpoints;
    }

    private static IResult Run(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (DeploymentException ex)
        {
            return Problem(ex);
        }
    }

    private static IResult Problem(DeploymentException ex) =>
        Results.Problem(statusCode: ex.Status, title: ex.Status switch { 404 => "Unknown service", 409 => "Conflicts with the deployment's state", _ => "Invalid deployment" }, detail: ex.Message);

    private static string Actor(HttpRequest request) =>
        request.Headers["X-Shoal-Actor"] is [{ Length: > 0 and <= 128 } actor] ? actor : $"api@{request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "admin.sock"}";

    private sealed record DeploymentBody(
        string? Type,
        string? Version,
        List<string>? Command,
        Dictionary<string, string>? Env,
        int? Replicas,
        List<int>? Steps,
        int? Weight,
        string? Interval,
        AnalysisBody? Analysis,
        string? KeepOld,
        string? Header,
        string? HeaderValue,
        int? MaxSurge,
        int? MaxUnavailable)
    {
        public DeploymentRequest ToRequest(DeploymentRequest defaults)
        {
            if (Steps is not null && Weight is not null)
            {
                throw new DeploymentException(400, "give either steps or weight, not both.");
            }

            if (Weight is < 0 or > 100)
            {
                throw new DeploymentException(400, $"weight: {Weight} is out of range; use 0 to 100.");
            }

            if (Command?.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal)) == true)
            {
                throw new DeploymentException(400, "command: every argument is a text without NUL characters.");
            }

            if (Env?.FirstOrDefault(e => e.Value is null || e.Key.Length == 0 || e.Key.Contains('=', StringComparison.Ordinal) || e.Key.Contains('\0', StringComparison.Ordinal) || e.Value.Contains('\0', StringComparison.Ordinal)) is { Key: { } badVariable })
            {
                throw new DeploymentException(400, $"env.{badVariable}: a variable has a name without '=' and a text value, neither with NUL characters.");
            }

            return new DeploymentRequest
            {
                Type = Type ?? "canary",
                Version = Version ?? "",
                Command = Command is { Count: > 0 } ? Command : null,
                Environment = Env ?? [],
                Replicas = Replicas,
                Steps = Weight is { } w ? [w] : Steps ?? (Type == "blue-green" ? [0] : defaults.Steps),
                Interval = Duration("interval", Interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1)) ?? defaults.Interval,
                KeepOld = Duration("keep_old", KeepOld, TimeSpan.Zero, TimeSpan.FromDays(7)) ?? defaults.KeepOld,
                Header = Header ?? defaults.Header,
                HeaderValue = HeaderValue ?? defaults.HeaderValue,
                MaxSurge = MaxSurge ?? defaults.MaxSurge,
                MaxUnavailable = MaxUnavailable ?? defaults.MaxUnavailable,
                Analysis = Analysis is null ? defaults.Analysis : new AnalysisThresholds
                {
                    MaxErrorRate = Analysis.MaxErrorRate is { } rate ? Rate(rate) : defaults.Analysis.MaxErrorRate,
                    MaxP99 = Duration("analysis.max_p99", Analysis.MaxP99, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)) ?? defaults.Analysis.MaxP99,
                    MinRequests = Analysis.MinRequests ?? defaults.Analysis.MinRequests,
                },
            };
        }

        // The ranges of the same fields in shoal.yml's deploy: section; a timer cannot wait 60 days.
        private static TimeSpan? Duration(string field, string? text, TimeSpan min, TimeSpan max) =>
            text is null ? null : Durations.TryParse(text, min, max, out var value, out var why) ? value : throw new DeploymentException(400, $"{field}: {why}.");

        private static double Rate(string text)
        {
            var percent = text.EndsWith('%');
            return double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0
                ? percent ? value / 100 : value
                : throw new DeploymentException(400, $"analysis.max_error_rate: '{text}' is not a rate such as 5% or 0.05.");
        }
    }

    private sealed record AnalysisBody(string? MaxErrorRate, string? MaxP99, int? MinRequests);
}
