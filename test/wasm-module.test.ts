import { ModuleWriter, Op, T, sleb, uleb } from '../src/parse/wasm/module';
import { ModuleWindow, modulePages } from '../src/parse/wasm/window';
import { READ_CHUNK } from '../src/input/open';

/** The WebAssembly writer the bulk scanner's modules are made with (src/parse/wasm/module.ts). */

const enc = (f: (n: number, out: number[]) => void, n: number) => {
  const out: number[] = [];
  f(n, out);
  return out;
};

describe('wasm module writer', () => {
  test('LEB128: the spec examples and the edges of each byte', () => {
    expect(enc(uleb, 0)).toEqual([0]);
    expect(enc(uleb, 127)).toEqual([0x7f]);
    expect(enc(uleb, 128)).toEqual([0x80, 0x01]);
    expect(enc(uleb, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(uleb, 0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(enc(sleb, 63)).toEqual([0x3f]);
    expect(enc(sleb, 64)).toEqual([0xc0, 0x00]);
    expect(enc(sleb, -1)).toEqual([0x7f]);
    expect(enc(sleb, -64)).toEqual([0x40]);
    expect(enc(sleb, -65)).toEqual([0xbf, 0x7f]);
    expect(enc(sleb, -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc(sleb, 0x811c9dc5 | 0)).toEqual([0xc5, 0xbb, 0xf2, 0x88, 0x78]);
  });

  test('named labels branch to the right block: a loop summing the bytes of memory until a zero', () => {
    const mod = new ModuleWriter(1);
    const f = mod.func('sum', [T.I32], [T.I32], true);
    const [p] = [0];
    const [acc, c] = f.locals(T.I32, 2);
    f.block('done', () =>
      f.loop('next', () => {
        f.get(p).mem('i32_load8_u').tee(c).op(Op.i32_eqz).brIf('done');
        f.block('skip', () => {
          // odd bytes only: an inner block between the branch and its loop
          f.get(c).i32(1).op(Op.i32_and).op(Op.i32_eqz).brIf('skip');
          f.get(acc).get(c).op(Op.i32_add).set(acc);
        });
        f.get(p).i32(1).op(Op.i32_add).set(p).br('next');
      }),
    );
    f.get(acc);
    const x = new WebAssembly.Instance(new WebAssembly.Module(mod.bytes())).exports as unknown as {
      memory: WebAssembly.Memory;
      sum(p: number): number;
    };
    Buffer.from(x.memory.buffer).set([3, 4, 5, 200, 9, 0, 7], 10);
    expect(x.sum(10)).toBe(3 + 5 + 9);
  });

  test('a branch to a label no block encloses is refused when the code is written', () => {
    const f = new ModuleWriter(1).func('f', [], [], false);
    expect(() => f.block('a', () => f.br('b'))).toThrow('no enclosing block b');
  });
});

describe('module windows and read buffers (src/parse/wasm/window.ts)', () => {
  test.each([1703936, 1900544, 3 * 65536 - 8, 3 * 65536 - 64, 3 * 65536 - 65, 100])('a window ending at %d: read buffers page-aligned, padded, inside the memory', (windowEnd) => {
    const mem = Buffer.alloc(modulePages(windowEnd) * 65536);
    const win = new ModuleWindow(mem, 64, windowEnd - 64);
    const [a, b] = win.readBuffers();
    for (const r of [a, b]) {
      expect(r.buffer).toBe(mem.buffer);
      expect(r.length).toBe(READ_CHUNK);
      expect(r.byteOffset % 4096).toBe(0);
      // the SIMD loads read up to 31 bytes past the last position scanned (findFar)
      expect(r.byteOffset + r.length + 32).toBeLessThanOrEqual(mem.length);
    }
    expect(a.byteOffset).toBeGreaterThanOrEqual(windowEnd + 32);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.length + 32);
    // a memory without that room is refused
    expect(() => new ModuleWindow(mem.subarray(0, mem.length - 1), 64, windowEnd - 64)).toThrow(RangeError);
  });

  test('a chunk of a read buffer is shown where it lies; any other chunk is copied into the window', () => {
    const mem = Buffer.alloc(modulePages(65536) * 65536);
    const win = new ModuleWindow(mem, 1024, 65536 - 1024);
    const [, b] = win.readBuffers();
    b.write('GET /a\nGET /b\n', 0, 'latin1');
    const chunk = b.subarray(0, 14);
    const base = win.show(chunk, 7, chunk.length);
    // chunk byte i is at module address i - base
    expect(mem.toString('latin1', 7 - base, 13 - base)).toBe('GET /b');
    expect(win.end).toBe(14);
    expect(mem[1024]).toBe(0); // nothing copied
    expect(win.slides(7, 14)).toBe(false);
    const other = Buffer.from('xx\nGET /c\n', 'latin1');
    const base2 = win.show(other, 3, other.length);
    expect(mem.toString('latin1', 3 - base2, 9 - base2)).toBe('GET /c');
    expect(3 - base2).toBe(1024);
  });
});
