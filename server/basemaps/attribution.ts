/**
 * Attribution HTML that MapLibre may insert into the page as it is. Archive metadata and
 * sidecar files come from wherever the operator got the file, so only links (http and https)
 * are kept, rebuilt by us; every other tag is dropped and all text is escaped.
 */
const ANCHOR_OR_TAG = /<a\b[^>]*?\bhref\s*=\s*(["'])(https?:\/\/[^"'<>\s]+)\1[^>]*>([\s\S]*?)<\/a\s*>|<[^>]*>?/gi;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©' };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] !== '#') return NAMED[e.toLowerCase()] ?? whole;
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Text of an HTML fragment, tags dropped and entities decoded, then escaped. */
const plain = (html: string) => escape(decode(html.replace(/<[^>]*>?/g, '')));

export function safeAttribution(html: string): string {
  let out = '';
  let last = 0;
  for (const m of html.matchAll(ANCHOR_OR_TAG)) {
    out += plain(html.slice(last, m.index));
    if (m[2]) out += `<a href="${escape(decode(m[2]))}" target="_blank" rel="noopener noreferrer">${plain(m[3] ?? '')}</a>`;
    last = m.index + m[0].length;
  }
  return (out + plain(html.slice(last))).replace(/\s+/g, ' ').trim();
}
