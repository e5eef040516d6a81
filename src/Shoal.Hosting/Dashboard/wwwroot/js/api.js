// The admin API as the page sees it: every data call carries the token from this tab's session storage.
const KEY = 'shoal.admin.token';

export const token = {
  get: () => sessionStorage.getItem(KEY) ?? '',
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class Unauthorized extends Error {}

export class HttpError extends Error {
  constructor(path, status) {
    super(`${path}: HTTP ${status}`);
    this.status = status;
  }
}

export function authHeaders(extra = {}) {
  return { Authorization: `Bearer ${token.get()}`, ...extra };
}

async function request(path, accept, signal) {
  const response = await fetch(path, { headers: authHeaders({ Accept: accept }), cache: 'no-store', signal });
  if (response.status === 401) {
    throw new Unauthorized(path);
  }
  if (!response.ok) {
    throw new HttpError(path, response.status);
  }
  return response;
}

export async function getJson(path, signal) {
  return (await request(path, 'application/json', signal)).json();
}

export async function getText(path, signal) {
  // Plain Prometheus text (0.0.4), not OpenMetrics: the parser in prom.js reads that format.
  return (await request(path, 'text/plain; version=0.0.4', signal)).text();
}

export async function getResponse(path, accept, signal) {
  return request(path, accept, signal);
}
