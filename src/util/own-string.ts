/**
 * A copy of a string made of its own characters. V8 cuts substrings (slice, a parser's fields)
 * as views of the string they come from: a short field kept for long (a top-K key, a join key)
 * would keep its whole log line alive. ASCII is copied as one byte per character; anything else
 * through utf16le, which keeps every code unit (lone surrogates included).
 */
export function ownCopy(s: string): string {
  return Buffer.byteLength(s, 'utf8') === s.length
    ? Buffer.from(s, 'latin1').toString('latin1')
    : Buffer.from(s, 'utf16le').toString('utf16le');
}
