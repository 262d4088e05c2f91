/**
 * Log lines that reach us wrapped by a collector: a syslog header, a container runtime's
 * timestamp and stream, a supervisor's `[service]` prefix. The wrapper is detected once per file
 * from its first lines and stripped before parsing, so the proxy's own line is parsed as usual.
 */

export interface Envelope {
  name: string;
  /** Returns the offset where the proxy's line starts, or `start` when the line has no wrapper. */
  strip(buf: Buffer, start: number, end: number): number;
}

interface EnvelopeRule {
  name: string;
  re: RegExp;
}

// Each rule matches only a bounded prefix, so the cost per line is fixed.
const RULES: EnvelopeRule[] = [
  // pebble / supervisors: `2025-05-14T04:26:30.264Z [apache forwarder] `
  { name: 'service-prefix', re: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d) \[[^\]\n]{1,64}\] / },
  // CRI (containerd, CRI-O) container logs: `2024-11-16T14:15:25.123456789Z stdout F `
  { name: 'cri', re: /^\d{4}-\d\d-\d\dT\S{8,40} (?:stdout|stderr) [FP] / },
  // RFC 5424: `<171>1 2025-11-05T20:47:03.000000+00:00 host app - - - `
  { name: 'syslog-5424', re: /^<\d{1,3}>1 \S{1,64} \S{1,255} \S{1,48} \S{1,128} \S{1,32} (?:-|\[[^\]\n]{0,512}\]) / },
  // RFC 3164: `<13>Nov 16 14:15:25 host nginx: ` or without the priority
  { name: 'syslog-3164', re: /^(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S{1,255} [\w./-]{1,48}(?:\[\d{1,10}\])?: / },
];

const PREFIX_WINDOW = 1024;

function makeEnvelope(rule: EnvelopeRule): Envelope {
  return {
    name: rule.name,
    strip(buf, start, end) {
      const head = buf.toString('latin1', start, Math.min(end, start + PREFIX_WINDOW));
      const m = rule.re.exec(head);
      return m ? start + m[0].length : start;
    },
  };
}

/** The wrapper most of the sample lines carry, or null. */
export function detectEnvelope(lines: Buffer[]): Envelope | null {
  for (const rule of RULES) {
    let n = 0;
    for (const l of lines) if (rule.re.test(l.toString('latin1', 0, Math.min(l.length, PREFIX_WINDOW)))) n++;
    if (n > 0 && n * 2 >= lines.length) return makeEnvelope(rule);
  }
  return null;
}
