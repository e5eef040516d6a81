namespace Shoal.Functions.Configuration;

/// <summary>The API Gateway proxy event format a route sends its function.</summary>
public enum PayloadVersion
{
    /// <summary>REST API, payload format 1.0.</summary>
    V1,

    /// <summary>HTTP API, payload format 2.0.</summary>
    V2,
}
