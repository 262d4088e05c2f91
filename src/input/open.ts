import * as fs from 'fs';
import * as zlib from 'zlib';
import { Readable } from 'stream';
import { InputError, describeFsError } from './discover';

/**
 * Opens one input as a stream of Buffers. Compression is recognised by the file's magic bytes,
 * not its name: logrotate's `delaycompress` and hand-copied files make names unreliable.
 */

export interface OpenedInput {
  stream: Readable;
  compression: 'gzip' | null;
  /** Bytes on disk (compressed size for .gz), for progress; null for stdin and FIFOs. */
  size: number | null;
  /** Bytes read from disk so far (compressed bytes for .gz), for progress against `size`. */
  position?: () => number;
}

const MAGIC: { bytes: number[]; name: string }[] = [
  { bytes: [0x1f, 0x8b], name: 'gzip' },
  { bytes: [0x42, 0x5a, 0x68], name: 'bzip2' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd' },
];

export const READ_CHUNK = 1 << 20;

export function sniffCompression(head: Buffer): string | null {
  for (const m of MAGIC) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) return m.name;
  }
  return null;
}

function readHead(fd: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  const got = fs.readSync(fd, buf, 0, n, 0);
  return buf.subarray(0, got);
}

export function openInput(p: string): OpenedInput {
  if (p === '-') return { stream: process.stdin, compression: null, size: null };
  let fd: number;
  let st: fs.Stats;
  try {
    fd = fs.openSync(p, 'r');
    st = fs.fstatSync(fd);
  } catch (err) {
    throw new InputError(p, describeFsError(err));
  }
  if (st.isDirectory()) {
    fs.closeSync(fd);
    throw new InputError(p, 'is a directory');
  }
  if (!st.isFile()) {
    // FIFOs and character devices: stream them as they come, no sniffing (a read would consume).
    return { stream: fs.createReadStream('', { fd, highWaterMark: READ_CHUNK }), compression: null, size: null };
  }
  let kind: string | null;
  try {
    kind = sniffCompression(readHead(fd, 6));
  } catch (err) {
    fs.closeSync(fd);
    throw new InputError(p, describeFsError(err));
  }
  if (kind && kind !== 'gzip') {
    fs.closeSync(fd);
    throw new InputError(p, `${kind}-compressed; decompress it first (only gzip is read directly)`);
  }
  const raw = fs.createReadStream('', { fd, highWaterMark: READ_CHUNK, start: 0 });
  if (kind === 'gzip') {
    const gunzip = zlib.createGunzip({ chunkSize: READ_CHUNK });
    raw.on('error', (e) => gunzip.destroy(e));
    return { stream: raw.pipe(gunzip), compression: 'gzip', size: st.size, position: () => raw.bytesRead };
  }
  return { stream: raw, compression: null, size: st.size, position: () => raw.bytesRead };
}
