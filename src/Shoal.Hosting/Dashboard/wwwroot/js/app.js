// The dashboard: signs in with the admin token, then keeps the view live — the stack, gateway and registry every
// second (at once on an instance or deployment event), /metrics every two seconds, events as a stream.
import { token, getJson, getText, authHeaders, Unauthorized, HttpError } from './api.js';
import { parse } from './prom.js';
import { reduce, instancePoints, functionPoints } from './metrics.js';
import { follow } from './sse.js';
import { renderServices } from './services.js';
import { renderDeployments } from './deployments.js';
import { renderFunctions } from './functions.js';
import { addEvent } from './events.js';
import { LogTail } from './logs.js';

const REFRESH_MS = 1000;
const SCRAPE_MS = 2000;

const $ = (id) => document.getElementById(id);
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const view = {
  cards: new Map(),
  points: new Map(),
  functionPoints: new Map(),
  scrape: null,
  services: [],
  pools: null,
  hasFunctions: true,
  session: null,
  refreshSoon: null,
};

const logTail = new LogTail($('log-tail'), wait);

function setStatus(kind, text) {
  const status = $('status');
  status.dataset.status = kind;
  status.textContent = text;
}

function showLogin(message) {
  view.session?.abort();
  view.session = null;
  logTail.stop();
  $('main').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
  setStatus('idle', 'not connected');
  $('token').focus();
}

// Joins the stack (replicas), the registry (versions, health) and the gateway (breaker, ejection) by instance id.
function model(stack, registry, gateway) {
  const registered = new Map((registry.services ?? []).map((s) => [s.name, new Map(s.instances.map((i) => [i.id, i]))]));
  const routed = new Map((gateway.services ?? []).map((s) => [s.name, s]));
  const names = [...new Set([...(stack.services ?? []).map((s) => s.name), ...registered.keys()])];
  return names.map((name) => {
    const service = (stack.services ?? []).find((s) => s.name === name);
    const registrations = registered.get(name) ?? new Map();
    const route = routed.get(name);
    const destinations = new Map((route?.destinations ?? []).map((d) => [d.id, d]));
    const ids = [...new Set([...(service?.replicas ?? []).map((r) => r.id), ...registrations.keys()])];
    const byVersion = new Map();
    for (const id of ids) {
      const registration = registrations.get(id);
      const instance = {
        id,
        service: name,
        replica: service?.replicas.find((r) => r.id === id),
        registration,
        destination: destinations.get(id),
      };
      const version = registration?.version ?? view.points.get(`${name}/${id}`)?.version ?? '?';
      (byVersion.get(version) ?? byVersion.set(version, []).get(version)).push(instance);
    }
    const versions = [...byVersion].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
      .map(([version, instances]) => ({ version, instances }));
    return { name, desired: service?.desired, strategy: route?.strategy, panic: route?.panic, versions };
  });
}

function fillLogChoices() {
  const select = $('log-instance');
  const wanted = view.services.flatMap((s) => s.versions.flatMap((v) => v.instances.map((i) => `${s.name}/${i.id}`)));
  const have = [...select.options].slice(1).map((o) => o.value);
  if (wanted.join() === have.join()) {
    return;
  }
  const current = select.value;
  select.replaceChildren(select.options[0], ...wanted.map((value) => new Option(value, value)));
  select.value = wanted.includes(current) ? current : '';
}

function pickLog(service, instance) {
  $('log-instance').value = `${service}/${instance}`;
  logTail.show(service, instance);
  $('log-tail').scrollIntoView({ block: 'nearest' });
}

function render() {
  renderServices($('service-list'), view.services, view.points, view.cards, pickLog);
  fillLogChoices();
  renderFunctions($('functions'), view.pools, view.functionPoints);
}

async function refresh(signal) {
  const [stack, registry, gateway] = await Promise.all([getJson('/v1/stack', signal), getJson('/v1/services', signal), getJson('/v1/gateway', signal)]);
  $('stack-name').textContent = stack.name ?? '';
  view.services = model(stack, registry, gateway);
  const deployments = await Promise.all(view.services.map((s) =>
    getJson(`/v1/services/${encodeURIComponent(s.name)}/deployments`, signal).then((r) => r.deployment).catch(() => null)));
  renderDeployments($('deployment-list'), deployments);
  if (view.hasFunctions) {
    try {
      view.pools = await getJson('/v1/functions', signal);
    } catch (error) {
      if (!(error instanceof HttpError)) {
        throw error;
      }
      // A stack without functions maps no /v1/functions: stop asking.
      view.hasFunctions = false;
      view.pools = null;
    }
  }
  render();
}

async function scrape(signal) {
  let text;
  try {
    text = await getText('/metrics', signal);
  } catch (error) {
    if (error instanceof HttpError) {
      $('scrape-note').textContent = `metrics unavailable (${error.status})`;
      return;
    }
    throw error;
  }
  const now = performance.now();
  const reduced = reduce(parse(text));
  const seconds = view.scrape ? (now - view.scrape.at) / 1000 : 0;
  const time = Date.now() / 1000;
  const points = instancePoints(view.scrape?.reduced, reduced, seconds);
  for (const point of points.values()) {
    point.time = time;
  }
  view.points = points;
  view.functionPoints = functionPoints(view.scrape?.reduced, reduced, seconds);
  view.scrape = { at: now, reduced };
  $('scrape-note').textContent = '';
  render();
}

// Runs step every period until the session ends; a refused token ends the session, other errors are shown and retried.
async function loop(step, period, signal, wakeUp = () => {}) {
  while (!signal.aborted) {
    try {
      await step(signal);
      if (!signal.aborted) {
        setStatus('live', `live · ${new Date().toLocaleTimeString()}`);
      }
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      if (error instanceof Unauthorized) {
        token.clear();
        showLogin('The admin API refused the token.');
        return;
      }
      setStatus('error', `retrying: ${error.message}`);
    }
    await Promise.race([wait(period), new Promise(wakeUp)]);
  }
}

function start() {
  const session = new AbortController();
  view.session = session;
  $('login').hidden = true;
  $('main').hidden = false;
  $('logout').hidden = false;
  setStatus('connecting', 'connecting…');
  loop(refresh, REFRESH_MS, session.signal, (resolve) => { view.refreshSoon = resolve; });
  loop(scrape, SCRAPE_MS, session.signal);
  // after=0 replays the daemon's ring of recent events once; a reconnect resumes with Last-Event-ID, which wins.
  follow('/v1/events?after=0', {
    headers: authHeaders,
    signal: session.signal,
    wait,
    onState: (state) => {
      $('events-state').textContent = state === 'open' ? '' : state;
      if (state === 'unauthorized') {
        token.clear();
        showLogin('The admin API refused the token.');
      }
    },
    onEvent: (event) => {
      const data = addEvent($('event-list'), event);
      // A change of an instance or a deployment is shown at once rather than at the next tick.
      if (/^(instance|deployment|service|registry)\./.test(data.type ?? '')) {
        view.refreshSoon?.();
      }
    },
  });
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const value = $('token').value.trim();
  if (value) {
    token.set(value);
    $('token').value = '';
    start();
  }
});
$('logout').addEventListener('click', () => {
  token.clear();
  showLogin();
});
$('log-instance').addEventListener('change', (e) => {
  const [service, instance] = e.target.value.split('/');
  logTail.show(service, instance);
});

if (token.get()) {
  start();
} else {
  showLogin();
}
