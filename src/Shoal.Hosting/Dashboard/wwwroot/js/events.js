// The platform's event stream, newest first, at most MAX entries.
import { el } from './dom.js';

const MAX = 200;
const BAD = /unhealthy|ejected|oom|crash|rolled_back|throttled|timeout|expired/;
const GOOD = /healthy|started|registered|verdict/;

export function eventClass(type) {
  return BAD.test(type) ? 'bad' : GOOD.test(type) ? 'ok' : 'info';
}

export function addEvent(list, event) {
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    data = { detail: event.data };
  }
  const type = data.type ?? event.type;
  const subject = [data.service, data.version, data.instance, data.function].filter(Boolean).join(' / ');
  const details = Object.entries(data.details ?? {});
  const time = data.time ? new Date(data.time) : new Date();
  list.prepend(el('li', { class: `event ${eventClass(type)}`, data: { type, id: event.id ?? '' } },
    el('time', { dateTime: time.toISOString() }, time.toLocaleTimeString()),
    el('span', { class: 'type' }, type),
    el('span', { class: 'subject' }, subject),
    data.message ? el('span', { class: 'message' }, data.message) : null,
    details.length ? el('span', { class: 'detail' }, details.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')) : null));
  while (list.children.length > MAX) {
    list.lastElementChild.remove();
  }
  return data;
}
