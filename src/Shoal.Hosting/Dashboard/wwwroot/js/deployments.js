// A deployment's traffic split (stable vs new version), its steps, and each step's analysis verdict from its history.
import { el } from './dom.js';

const ACTIVE = ['starting', 'progressing', 'paused', 'ready', 'switched'];

// The analysis' word on a history record: step and promote pass, hold waits, rollback fails.
export function verdict(record) {
  switch (record.action) {
    case 'step':
    case 'promote':
    case 'promoted':
      return 'pass';
    case 'hold':
    case 'pause':
      return 'hold';
    case 'rollback':
    case 'rolled_back':
      return 'fail';
    default:
      return 'info';
  }
}

function split(d) {
  const canary = Math.max(0, Math.min(100, d.weight ?? 0));
  const bar = el('div', { class: 'split', role: 'img', 'aria-label': `${d.stable} ${100 - canary}%, ${d.version} ${canary}%` },
    el('span', { class: 'stable' }),
    el('span', { class: 'canary' }));
  // Widths through the CSSOM: the policy forbids style attributes, not style properties.
  bar.children[0].style.width = `${100 - canary}%`;
  bar.children[1].style.width = `${canary}%`;
  return el('div', { class: 'split-wrap' }, bar,
    el('p', { class: 'split-legend' },
      el('span', { class: 'stable-key' }, `${d.stable}: `, el('b', { data: { weight: 'stable' } }, `${100 - canary}%`)),
      ' · ',
      el('span', { class: 'canary-key' }, `${d.version}: `, el('b', { data: { weight: 'canary' } }, `${canary}%`))));
}

function steps(d) {
  return el('ol', { class: 'steps' }, (d.steps ?? []).map((weight, i) =>
    el('li', { class: i < d.step ? 'done' : i === d.step && ACTIVE.includes(d.phase) ? 'current' : '' }, `${weight}%`)));
}

function history(d) {
  const rows = (d.history ?? []).slice(-12).reverse().map((r) =>
    el('tr', { class: `verdict-${verdict(r)}`, data: { verdict: verdict(r) } },
      el('td', {}, new Date(r.at).toLocaleTimeString()),
      el('td', {}, r.actor),
      el('td', {}, r.action),
      el('td', {}, `${r.weight}%`),
      el('td', { class: 'reason' }, r.reason ?? '')));
  return el('div', { class: 'table-wrap' }, el('table', { class: 'history' },
    el('thead', {}, el('tr', {}, el('th', {}, 'time'), el('th', {}, 'by'), el('th', {}, 'action'), el('th', {}, 'weight'), el('th', {}, 'reason / analysis'))),
    el('tbody', {}, rows)));
}

export function renderDeployments(root, deployments) {
  const shown = deployments.filter((d) => d);
  if (shown.length === 0) {
    root.replaceChildren(el('p', { class: 'empty' }, 'No deployment.'));
    return;
  }
  root.replaceChildren(...shown.map((d) => el('article', { class: `deployment phase-${d.phase}`, data: { service: d.service, phase: d.phase, weight: String(d.weight) } },
    el('h3', {}, `${d.service}: ${d.type} ${d.stable} → ${d.version}`, el('small', {}, ` ${d.phase.replace('_', ' ')}`)),
    split(d),
    steps(d),
    d.reason ? el('p', { class: 'reason' }, d.reason) : null,
    history(d))));
}
