// The viewer's language: Vietnamese, or English for visitors, investors and partners of the ward (issue #8: a
// Vietnamese interface, English optional). A link picks it (?lang=en, ?lang=vi); the viewer remembers the last one
// picked in this browser; an embedded widget follows its own link only, so a wall screen stays as it was set up.
// Data stays as the ward wrote it (street and group names, addresses, the permit rules' legal wording).
const KEY = 'wardmap.lang';
const asked = new URLSearchParams(location.search).get('lang');
const widget = location.pathname.startsWith('/widget');
if (!widget && (asked === 'en' || asked === 'vi')) localStorage.setItem(KEY, asked);

export const lang = (asked ?? (widget ? null : localStorage.getItem(KEY))) === 'en' ? 'en' : 'vi';
export const en = lang === 'en';
/** Numbers and dates as the language writes them: 1.234,5 in Vietnamese, 1,234.5 in English. */
export const locale = en ? 'en-GB' : 'vi-VN';

/** The text in the viewer's language, both written where it is used: t('Tìm', 'Search'). */
export const t = (vi, english) => (en ? english : vi);

/** A number of things: "3 đỉnh" in Vietnamese (no plural), "1 corner" / "3 corners" in English. */
export const count = (n, vi, one, many = `${one}s`) => `${n.toLocaleString(locale)} ${en ? (n === 1 ? one : many) : vi}`;

/** Switches the viewer to the other language: remembered, and the page opened again where it was. */
export function switchLanguage() {
  localStorage.setItem(KEY, en ? 'vi' : 'en');
  const url = new URL(location.href);
  url.searchParams.delete('lang');   // a ?lang= in the link would pick the old one again
  history.replaceState(history.state, '', url);
  location.reload();   // (a change of the address alone is no reload when it keeps the map's #place)
}

/**
 * The page's own text (index.html) in English: an element's data-en is its text, data-en-<attribute> an attribute's
 * (placeholder, title, aria-label). Vietnamese is what the HTML says, so nothing changes for it.
 */
export function translatePage(root = document) {
  document.documentElement.lang = lang;
  if (!en) return;
  for (const el of root.querySelectorAll('*')) {
    for (const { name, value } of [...el.attributes]) {
      if (name === 'data-en') el.textContent = value;
      else if (name.startsWith('data-en-')) el.setAttribute(name.slice('data-en-'.length), value);
    }
  }
}
