/**
 * Log fields are attacker-controlled. Before any of them reaches a terminal, control characters
 * (ESC for ANSI/OSC sequences, BEL, backspace, CR, C1 controls, bidi overrides) are shown as
 * visible escapes: `\x1b`, `\u202e`. JSON and NDJSON need no such step (JSON.stringify escapes
 * control characters); HTML and CSV have their own escaping.
 */

// C0 controls, DEL, C1 controls, and the Unicode bidi/format controls that can reorder a line.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function forTerminal(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Shortens for a table cell, keeping the start (where the distinguishing text usually is). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
