using Shoal.Delivery.Rollouts;

namespace Shoal.Delivery;

/// <summary>The checks a deployment request passes before anything starts; a failure is a 400 naming the field.</summary>
internal static class DeploymentValidation
{
    /// <exception cref="DeploymentException">The request asks for something impossible (400).</exception>
    public static void Validate(DeploymentRequest request, string stable)
    {
        if (!RolloutTypes.All.Contains(request.Type))
        {
            throw new DeploymentException(400, $"type: '{request.Type}' is not canary, blue-green or rolling.");
        }

        if (request.MaxSurge is < 0 or > 64 || request.MaxUnavailable is < 0 or > 64 || request.MaxSurge + request.MaxUnavailable < 1)
        {
            throw new DeploymentException(400, $"max_surge ({request.MaxSurge}) and max_unavailable ({request.MaxUnavailable}) go from 0 to 64 and cannot both be 0.");
        }

        if (string.IsNullOrWhiteSpace(request.Version) || request.Version.Length > 64)
        {
            throw new DeploymentException(400, "version: give the new version (1 to 64 characters).");
        }

        if (request.Version == stable)
        {
            throw new DeploymentException(400, $"version: {request.Version} is already the stable version.");
        }

        if (request.Steps.Count == 0 || request.Steps.Any(w => w is < 0 or > 100) || request.Steps.Zip(request.Steps.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw new DeploymentException(400, $"steps: [{string.Join(", ", request.Steps)}] must be ascending weights from 0 to 100.");
        }

        if (request.Replicas is < 1 or > 64)
        {
            throw new DeploymentException(400, $"replicas: {request.Replicas} is out of range; use 1 to 64.");
        }

        if (request.Interval < TimeSpan.FromMilliseconds(100) || request.Analysis.MaxErrorRate is < 0 or > 1 || request.Analysis.MinRequests < 0)
        {
            throw new DeploymentException(400, "interval must be at least 100ms, max_error_rate from 0 to 1 and min_requests not negative.");
        }
    }
}
