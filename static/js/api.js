// Shared fetch and error helpers for the JSON API under /api/v1.

/**
 * ApiError is thrown by api() for every answer that is not 2xx, and for a
 * network failure (status 0, code "network").
 */
export class ApiError extends Error {
  constructor(status, code, message, fields = {}, retryAfter = null) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields ?? {};
    this.retryAfter = retryAfter; // seconds, from the Retry-After header, or null
  }
}

function retryAfterSeconds(headers) {
  const value = headers.get('Retry-After');
  if (!value) {
    return null;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number.parseInt(value, 10);
  }
  const at = Date.parse(value); // the HTTP-date form
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * api sends a JSON request (same-origin credentials) and returns the decoded
 * JSON answer, or null for 204. It throws ApiError otherwise.
 */
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'network', String(err));
  }
  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
  }
  if (res.ok) {
    return data;
  }
  const e = data && typeof data === 'object' ? data.error ?? {} : {};
  throw new ApiError(
    res.status,
    e.code || `http_${res.status}`,
    e.message || res.statusText,
    e.fields && typeof e.fields === 'object' ? e.fields : {},
    retryAfterSeconds(res.headers),
  );
}

/** generalMessageKey is the i18n key of the text for an error that belongs to no field. */
export function generalMessageKey(err) {
  if (!(err instanceof ApiError) || err.status === 0) {
    return 'err.network';
  }
  if (err.status === 413) {
    return 'err.tooLarge';
  }
  if (err.status >= 500) {
    return 'err.server';
  }
  return 'err.generic';
}
