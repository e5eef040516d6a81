using Yarp.ReverseProxy.Configuration;

// Usage: PlainYarp LISTEN_URL BACKEND_URL...
var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(args[0]);
var destinations = args.Skip(1).Select((url, i) => (Id: $"d{i}", Config: new DestinationConfig { Address = url }))
    .ToDictionary(d => d.Id, d => d.Config);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "app", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "app", LoadBalancingPolicy = "RoundRobin", Destinations = destinations }]);
var app = builder.Build();
app.MapReverseProxy();
app.Run();
