import { FormatPlan } from '../../src/parse/format/plan';
import { MEMORY, compileBulkModule } from '../../src/parse/bulk-compiler';
import { layoutOf } from '../../src/parse/scan-compiler';

/**
 * The scan() export of a plan's bulk module, called on one line as the module sees it: copied
 * into its window at `at` (so that bytes before and after the line are other bytes, as in a
 * chunk). Returns the trailing bytes (or -1) and the field boundaries relative to the line.
 */
export interface BulkScan {
  trailing: number;
  /** [start, end) per field, relative to the line */
  offsets: number[];
  /** the hashed field's FNV-1a hash and plain flag (scan-compiler.ts hashSlots) */
  hash: number;
  plain: number;
}

export function bulkScanner(plan: FormatPlan): (line: Buffer, start: number, at?: number) => BulkScan {
  const layout = layoutOf(plan);
  const first = (t: string) => layout.fields.findIndex((f) => f.type === t);
  const bytes = compileBulkModule(layout, {
    status: first('status'),
    time: first('time-clf'),
    upstreamAddr: first('upstream-addr'),
    upstreamStatus: first('upstream-status'),
  });
  const x = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as {
    memory: WebAssembly.Memory;
    scan(s: number, e: number): number;
  };
  const mem = Buffer.from(x.memory.buffer);
  const i32 = new Int32Array(x.memory.buffer);
  const n = 2 * layout.fields.length;
  const off = MEMORY.OFF >> 2;
  return (line, start, at = 7) => {
    const base = MEMORY.WINDOW + at;
    // what surrounds the line in the window: bytes a scanner must never take for the line's
    mem.fill(0x22, MEMORY.WINDOW, base);
    line.copy(mem, base);
    mem.fill(0x20, base + line.length, base + line.length + 64);
    // boundaries the line does not reach stay as they were: start from a known value
    i32.fill(-1, off, off + n + 2);
    const trailing = x.scan(base + start, base + line.length);
    const offsets = Array.from(i32.subarray(off, off + n), (v) => (v === -1 ? v : v - base));
    return { trailing, offsets, hash: i32[off + n], plain: i32[off + n + 1] };
  };
}
