// The only place the viewer talks to WardMap: every call goes through here, with the officer's key if signed in.
const KEY = 'wardmap.apiKey';

export const auth = {
  get key() { return localStorage.getItem(KEY); },
  set key(v) { v ? localStorage.setItem(KEY, v) : localStorage.removeItem(KEY); },
};

export async function api(path, options = {}) {
  // The viewer speaks Vietnamese whatever the browser's language: so should the server's error messages.
  const headers = { 'Accept-Language': 'vi', ...(options.headers || {}) };
  if (auth.key) headers.Authorization = `Bearer ${auth.key}`;
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    const error = new Error(detail);
    error.status = response.status;
    throw error;
  }
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.blob();
}

/** Text from data (addresses, names imported from a ward's files, server messages) made safe to put in HTML. */
export const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** A land-use code with its name when the server knows it: "ODT — Đất ở tại đô thị" (HTML-escaped). */
export const landUse = (code, name) => esc(code) + (name ? ` — ${esc(name)}` : '');
