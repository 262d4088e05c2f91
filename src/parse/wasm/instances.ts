/**
 * Instances of the scanning modules (bulk-scanner.ts, quiet-scanner.ts) that readers are done
 * with, for the next reader of the same module. A reader per file made its own, and each one's
 * memory (~3-4 MiB once its window and read buffers are written) stayed resident until V8
 * collected it, which a heap that allocates little does seldom: the bench's four 220 MB access
 * logs read one after the other peaked 5 MiB higher than with the memory of one instance.
 */

/**
 * Instances kept per module, a bound: a thread's readers of one module are mostly open one after
 * the other (an error log read in pieces keeps its reader between pieces, beside others).
 */
const KEEP = 2;
const spare = new WeakMap<WebAssembly.Module, WebAssembly.Instance[]>();

/** An instance of m: one given back, whose memory the caller resets, or a new one (reused false). */
export function takeInstance(m: WebAssembly.Module): { instance: WebAssembly.Instance; reused: boolean } {
  const kept = spare.get(m)?.pop();
  return kept === undefined ? { instance: new WebAssembly.Instance(m), reused: false } : { instance: kept, reused: true };
}

/**
 * Gives an instance back once nothing will touch its memory again: no read in flight into its
 * read buffers, no chunk of them still to be scanned.
 */
export function giveInstance(m: WebAssembly.Module, instance: WebAssembly.Instance): void {
  let kept = spare.get(m);
  if (kept === undefined) spare.set(m, (kept = []));
  if (kept.length < KEEP && !kept.includes(instance)) kept.push(instance);
}
