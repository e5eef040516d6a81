// The two small charts of an instance card (throughput and latency), drawn with the vendored uPlot; the history of
// the last MAX_POINTS scrapes is kept here, so a card re-rendered by the tree keeps its lines.
const MAX_POINTS = 90;

const compact = (u, ticks) => ticks.map((v) => (v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(v < 10 ? 2 : 0)}`));
const axis = { stroke: '#8a94a6', grid: { stroke: 'rgba(138,148,166,0.15)' }, ticks: { stroke: 'rgba(138,148,166,0.3)' }, size: 42, values: compact };

function options(title, series, width) {
  return {
    title,
    width,
    height: 110,
    // Room on the right for the last time label.
    padding: [6, 18, 0, 0],
    legend: { show: true, live: false },
    cursor: { show: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max ?? 0, 1) * 1.1] } },
    axes: [{ ...axis, size: 24, values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { minute: '2-digit', second: '2-digit' })) }, axis],
    series: [{}, ...series],
  };
}

export class InstanceCharts {
  constructor(container) {
    this.container = container;
    this.data = { t: [], rps: [], errors: [], p50: [], p99: [] };
    this.plots = [];
    if (typeof window.uPlot !== 'function') {
      container.textContent = 'charts unavailable';
      return;
    }
    const width = this.width();
    this.plots = [
      new window.uPlot(options('req/s', [
        { label: 'req/s', stroke: '#2f7ed8', width: 1.5, points: { show: false } },
        { label: '5xx/s', stroke: '#d64545', width: 1.5, points: { show: false } },
      ], width), [[], [], []], container),
      new window.uPlot(options('latency ms', [
        { label: 'p50', stroke: '#2fa36b', width: 1.5, points: { show: false } },
        { label: 'p99', stroke: '#d89b2f', width: 1.5, points: { show: false } },
      ], width), [[], [], []], container),
    ];
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(container);
  }

  width() {
    return Math.max(200, Math.floor(this.container.clientWidth || 260));
  }

  resize() {
    const width = this.width();
    for (const plot of this.plots) {
      if (plot.width !== width) {
        plot.setSize({ width, height: 110 });
      }
    }
  }

  add(time, point) {
    const d = this.data;
    d.t.push(time);
    d.rps.push(point.rps);
    d.errors.push(point.rps * point.errorRate);
    d.p50.push(Number.isFinite(point.p50) ? point.p50 : null);
    d.p99.push(Number.isFinite(point.p99) ? point.p99 : null);
    if (d.t.length > MAX_POINTS) {
      for (const list of Object.values(d)) {
        list.shift();
      }
    }
    if (this.plots.length === 2) {
      this.plots[0].setData([d.t, d.rps, d.errors]);
      this.plots[1].setData([d.t, d.p50, d.p99]);
    }
  }

  dispose() {
    this.observer?.disconnect();
    for (const plot of this.plots) {
      plot.destroy();
    }
  }
}
