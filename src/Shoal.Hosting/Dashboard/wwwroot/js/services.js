// Services → versions → instances, one card per instance with its health, breaker and ejection state, live numbers
// and charts. Cards live as long as their instance, so their charts keep their history across refreshes.
import { el, setText, format, percent } from './dom.js';
import { InstanceCharts } from './charts.js';
import { instanceKey } from './metrics.js';

// ok: healthy and routable; warn: on its way in or out; bad: not serving (down, failing, ejected, breaker open).
export function classify(instance) {
  const { replica, registration, destination } = instance;
  if (destination && (destination.ejected || destination.circuit === 'open')) {
    return 'bad';
  }
  if (registration?.draining || (replica && ['stopping', 'stopped', 'pending'].includes(replica.state))) {
    return 'warn';
  }
  if (replica) {
    return replica.state === 'healthy' ? (destination?.circuit === 'halfopen' ? 'warn' : 'ok') : 'bad';
  }
  return registration?.health === 'passing' ? 'ok' : registration?.health === 'warning' ? 'warn' : 'bad';
}

function stateText(instance) {
  const parts = [instance.replica?.state ?? instance.registration?.health ?? 'unknown'];
  if (instance.destination) {
    parts.push(`breaker ${instance.destination.circuit === 'halfopen' ? 'half-open' : instance.destination.circuit}`);
    if (instance.destination.ejected) {
      parts.push('ejected');
    }
  }
  if (instance.registration?.draining) {
    parts.push('draining');
  }
  return parts.join(' · ');
}

function createCard(key, instance, onPickLog) {
  const charts = el('div', { class: 'charts' });
  const field = (name) => el('span', { class: 'value', data: { metric: name } }, '–');
  const fields = { rps: field('rps'), errors: field('errors'), p50: field('p50'), p99: field('p99') };
  const card = el('article', { class: 'instance', data: { instance: instance.id, service: instance.service } },
    el('header', {},
      el('span', { class: 'dot', 'aria-hidden': true }),
      el('strong', { class: 'name' }, instance.id),
      el('span', { class: 'state' }),
      el('button', { type: 'button', class: 'link', onclick: () => onPickLog(instance.service, instance.id) }, 'log')),
    el('p', { class: 'meta' }),
    el('p', { class: 'numbers' },
      fields.rps, ' req/s · ', fields.errors, ' 5xx · p50 ', fields.p50, ' ms · p99 ', fields.p99, ' ms'),
    charts);
  return { key, card, fields, charts: new InstanceCharts(charts), lastPoint: null };
}

function updateCard(entry, instance, point) {
  const { card, fields } = entry;
  const health = classify(instance);
  card.classList.remove('ok', 'warn', 'bad');
  card.classList.add(health);
  card.dataset.health = health;
  card.dataset.state = instance.replica?.state ?? instance.registration?.health ?? 'unknown';
  setText(card.querySelector('.state'), stateText(instance));
  const meta = [];
  if (instance.replica?.pid) {
    meta.push(`pid ${instance.replica.pid}`);
  }
  if (instance.replica?.port || instance.registration?.port) {
    meta.push(`port ${instance.replica?.port || instance.registration.port}`);
  }
  if (instance.replica) {
    meta.push(`restarts ${instance.replica.restarts ?? 0}`);
  }
  if (instance.destination) {
    meta.push(`in flight ${instance.destination.in_flight}`);
  }
  if (instance.replica?.message && health !== 'ok') {
    meta.push(instance.replica.message);
  }
  setText(card.querySelector('.meta'), meta.join(' · '));
  if (point && point !== entry.lastPoint) {
    entry.lastPoint = point;
    setText(fields.rps, format(point.rps));
    setText(fields.errors, percent(point.errorRate));
    setText(fields.p50, format(point.p50, 2));
    setText(fields.p99, format(point.p99, 2));
    entry.charts.add(point.time, point);
  }
}

// Renders model.services into root, reusing cards (a Map kept by the caller).
export function renderServices(root, services, points, cards, onPickLog) {
  const seen = new Set();
  const sections = [];
  for (const service of services) {
    const versions = service.versions.map((version) => {
      const list = el('div', { class: 'cards' });
      for (const instance of version.instances) {
        const key = instanceKey(service.name, instance.id);
        seen.add(key);
        let entry = cards.get(key);
        if (!entry) {
          entry = createCard(key, instance, onPickLog);
          cards.set(key, entry);
        }
        updateCard(entry, instance, points.get(key));
        list.append(entry.card);
      }
      return el('div', { class: 'version', data: { version: version.version } },
        el('h4', {}, `version ${version.version}`, el('small', {}, ` ${version.instances.length} instance${version.instances.length === 1 ? '' : 's'}`)),
        list);
    });
    const healthy = service.versions.flatMap((v) => v.instances).filter((i) => classify(i) === 'ok').length;
    sections.push(el('section', { class: 'service', data: { service: service.name } },
      el('h3', {}, service.name,
        el('small', {}, ` ${healthy} healthy${service.desired !== undefined ? ` · ${service.desired} desired` : ''}${service.strategy ? ` · ${service.strategy}` : ''}${service.panic ? ' · PANIC' : ''}`)),
      versions));
  }
  for (const [key, entry] of cards) {
    if (!seen.has(key)) {
      entry.charts.dispose();
      cards.delete(key);
    }
  }
  root.replaceChildren(...(sections.length ? sections : [el('p', { class: 'empty' }, 'No services.')]));
}
