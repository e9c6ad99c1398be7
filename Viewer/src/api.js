import { en, lang } from './i18n.js';

// The only place the viewer talks to WardMap: every call goes through here, with the officer's key if signed in.
const KEY = 'wardmap.apiKey';

export const auth = {
  get key() { return localStorage.getItem(KEY); },
  set key(v) { v ? localStorage.setItem(KEY, v) : localStorage.removeItem(KEY); },
};

export async function api(path, options = {}) {
  // The server's error messages in the viewer's language (i18n.js), whatever the browser's own.
  const headers = { 'Accept-Language': lang, ...(options.headers || {}) };
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

/** A file the viewer made or fetched (with the key: a plain link could not send it) saved under a name. */
export function save(blob, name) {
  const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/**
 * A key that makes a retry of the same submission safe (the server's Idempotency-Key). crypto.randomUUID exists on
 * https and localhost only; the ward's intranet serves the viewer over plain http too.
 */
export const newKey = () => crypto.randomUUID?.()
  ?? [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Text from data (addresses, names imported from a ward's files, server messages) made safe to put in HTML. */
export const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// The land-use codes (Thông tư 08/2024/TT-BTNMT) with their names in both languages, asked once.
let codes = null;
let english = {};   // code -> English name, once the codes have come
export const landUseCodes = () => (codes ??= api('/api/land-use-codes').then((list) => {
  english = Object.fromEntries(list.map((c) => [c.code, c.meaning_en]));
  return list;
}).catch(() => { codes = null; return []; }));
/** Resolves once landUse can name codes in the viewer's language (in English: after the code list has come). */
export const landUseNamed = () => (en ? landUseCodes() : Promise.resolve());
/** A code's name in the viewer's language: the server's Vietnamese one, or the English of each part ('ODT+CLN'). */
export const landUseName = (code, name) => (en && code ? code.split('+').map((c) => english[c]).filter(Boolean).join(' + ') || name : name);

/** A land-use code with its name when the server knows it: "ODT — Đất ở tại đô thị" (HTML-escaped). */
export const landUse = (code, name) => { const shown = landUseName(code, name); return esc(code) + (shown ? ` — ${esc(shown)}` : ''); };
