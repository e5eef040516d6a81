using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Orchestration.Health;
using Shoal.Processes;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>What every replica of a service is supervised with.</summary>
/// <param name="Runtime">Starts the processes.</param>
/// <param name="Catalog">Where replicas are published.</param>
/// <param name="Probe">Probes their health.</param>
/// <param name="Time">Restart delays and probe intervals.</param>
/// <param name="Logger">The service's logger.</param>
/// <param name="Changed">Called after any replica changes state.</param>
/// <param name="CatalogIdSuffix">Appended to a replica's id in the catalog (<c>@OWNER</c> in a shared registry), so stacks sharing it never overwrite each other.</param>
internal sealed record SupervisionContext(IProcessRuntime Runtime, IServiceCatalog Catalog, IHealthProbe Probe, TimeProvider Time, ILogger Logger, Action Changed, string CatalogIdSuffix = "");
