// Function pools: the admin API's pool counts, with cold starts, throttles and the invocation rate from /metrics.
import { el, format } from './dom.js';

export function renderFunctions(section, pools, points) {
  if (!pools || pools.length === 0) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const body = section.querySelector('tbody');
  body.replaceChildren(...pools.map((p) => {
    const m = points.get(p.function);
    return el('tr', { data: { function: p.function } },
      el('td', {}, p.function),
      el('td', {}, p.runtime ?? 'process'),
      el('td', {}, p.instances),
      el('td', {}, p.idle),
      el('td', {}, p.busy),
      el('td', {}, p.starting),
      el('td', { class: p.waiting > 0 ? 'warn-text' : '' }, p.waiting),
      el('td', { data: { metric: 'cold-starts' } }, m?.coldStarts ?? p.started),
      el('td', { class: (m?.throttles ?? p.throttled) > 0 ? 'bad-text' : '', data: { metric: 'throttles' } }, m?.throttles ?? p.throttled),
      el('td', {}, m ? format(m.rate) : '–'));
  }));
}
