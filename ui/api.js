// The admin API as the console calls it: same-origin fetches of JSON, errors as ApiError with the
// API's {"error":{"code","message"}}.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  // "401 unauthorized: this endpoint needs ...": what the page shows.
  describe() {
    return `${this.status} ${this.code}: ${this.message}`;
  }
}

async function decode(res) {
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!res.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiError(res.status, error.code || `http_${res.status}`, error.message || text.slice(0, 200));
  }
  return body;
}

// "?a=1&b=x" from an object; null, undefined and "" values are left out.
export function query(params) {
  const parts = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export async function getJson(path) {
  return decode(await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }));
}

// A mutation: JSON body, the admin token when one is given.
export async function postJson(path, body, token) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return decode(await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) }));
}
