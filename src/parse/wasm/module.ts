/**
 * Writes WebAssembly modules in their binary format, for the scanners compiled per log format at
 * run time (bulk-compiler.ts). Only what those need: functions over i32 and v128 values, one
 * memory of fixed size, exports. Code is written as a stack machine, one instruction a call, and
 * block labels are names, so generated code never counts nesting depths by hand.
 *
 * Binary format: https://webassembly.github.io/spec/core/binary/
 */

export const enum T {
  I32 = 0x7f,
  I64 = 0x7e,
  V128 = 0x7b,
}

/** Opcodes of one byte, by their text-format names (those the compilers use). */
export const Op = {
  unreachable: 0x00,
  return: 0x0f,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_ne: 0x52,
  i32_ctz: 0x68,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_u: 0x6e,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_u: 0x88,
  i64_rotl: 0x89,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_u: 0xad,
} as const;

/** Loads and stores: opcode and the log2 of the natural alignment. */
const MEM = {
  i32_load: [0x28, 2],
  i64_load: [0x29, 3],
  i32_load8_u: [0x2d, 0],
  i32_load16_u: [0x2f, 1],
  i32_store: [0x36, 2],
  i64_store: [0x37, 3],
  i32_store16: [0x3b, 1],
  i32_store8: [0x3a, 0],
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
const SIMD = {
  v128_load: 0x00,
  i8x16_splat: 0x0f,
  i8x16_eq: 0x23,
  i8x16_lt_u: 0x26,
  i8x16_gt_u: 0x28,
  v128_or: 0x50,
  i8x16_bitmask: 0x64,
} as const;

export function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

/** Signed LEB128 of a 64-bit value (i64.const). */
export function sleb64(n: bigint, out: number[]): void {
  n = BigInt.asIntN(64, n);
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

export function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

/** One function's signature, locals and code. */
export class Func {
  readonly code: number[] = [];
  private readonly localTypes: T[] = [];
  /** Enclosing blocks, innermost last: a branch's depth is found by its label. */
  private readonly labels: string[] = [];

  constructor(
    readonly index: number,
    readonly name: string,
    readonly params: T[],
    readonly results: T[],
    readonly exported: boolean,
  ) {}

  /** A new local of type t: its index. */
  local(t: T): number {
    this.localTypes.push(t);
    return this.params.length + this.localTypes.length - 1;
  }

  /** n new locals of type t. */
  locals(t: T, n: number): number[] {
    return Array.from({ length: n }, () => this.local(t));
  }

  op(code: number): this {
    this.code.push(code);
    return this;
  }

  i32(v: number): this {
    this.code.push(0x41);
    sleb(v, this.code);
    return this;
  }

  i64(v: bigint): this {
    this.code.push(0x42);
    sleb64(v, this.code);
    return this;
  }

  get(i: number): this {
    this.code.push(0x20);
    uleb(i, this.code);
    return this;
  }

  set(i: number): this {
    this.code.push(0x21);
    uleb(i, this.code);
    return this;
  }

  tee(i: number): this {
    this.code.push(0x22);
    uleb(i, this.code);
    return this;
  }

  call(f: Func): this {
    this.code.push(0x10);
    uleb(f.index, this.code);
    return this;
  }

  mem(kind: keyof typeof MEM, offset = 0, unaligned = false): this {
    const [code, align] = MEM[kind];
    this.code.push(code);
    uleb(unaligned ? 0 : align, this.code);
    uleb(offset, this.code);
    return this;
  }

  simd(kind: keyof typeof SIMD, offset = 0): this {
    this.code.push(0xfd);
    uleb(SIMD[kind], this.code);
    // v128.load takes a memory argument (byte alignment: scans load at any byte)
    if (kind === 'v128_load') {
      uleb(0, this.code);
      uleb(offset, this.code);
    }
    return this;
  }

  block(label: string, body: () => void): this {
    return this.structured(0x02, label, body);
  }

  loop(label: string, body: () => void): this {
    return this.structured(0x03, label, body);
  }

  /** if … (else …) end over the i32 on the stack. */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    this.labels.push('');
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.labels.pop();
    this.code.push(0x0b);
    return this;
  }

  br(label: string): this {
    this.code.push(0x0c);
    uleb(this.depth(label), this.code);
    return this;
  }

  brIf(label: string): this {
    this.code.push(0x0d);
    uleb(this.depth(label), this.code);
    return this;
  }

  private structured(code: number, label: string, body: () => void): this {
    this.code.push(code, 0x40);
    this.labels.push(label);
    body();
    this.labels.pop();
    this.code.push(0x0b);
    return this;
  }

  private depth(label: string): number {
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error(`wasm: no enclosing block ${label}`);
    return this.labels.length - 1 - i;
  }

  /** The function body: locals grouped by type, the code, end. */
  body(): number[] {
    if (this.labels.length !== 0) throw new Error('wasm: unclosed block');
    const groups: [number, T][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const out: number[] = [];
    uleb(groups.length, out);
    for (const [n, t] of groups) {
      uleb(n, out);
      out.push(t);
    }
    for (const b of this.code) out.push(b);
    out.push(0x0b);
    return out;
  }
}

/** A module: functions, and one exported memory of a fixed number of 64 KiB pages. */
export class ModuleWriter {
  private readonly funcs: Func[] = [];

  constructor(private readonly pages: number) {}

  func(name: string, params: T[], results: T[], exported = false): Func {
    const f = new Func(this.funcs.length, name, params, results, exported);
    this.funcs.push(f);
    return f;
  }

  bytes(): Uint8Array {
    const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    // one type per function: the section stays simple, and the count is tiny
    section(out, 1, (s) => {
      uleb(this.funcs.length, s);
      for (const f of this.funcs) {
        s.push(0x60);
        uleb(f.params.length, s);
        s.push(...f.params);
        uleb(f.results.length, s);
        s.push(...f.results);
      }
    });
    section(out, 3, (s) => {
      uleb(this.funcs.length, s);
      this.funcs.forEach((_, i) => uleb(i, s));
    });
    section(out, 5, (s) => {
      s.push(1, 0x01);
      uleb(this.pages, s);
      uleb(this.pages, s);
    });
    section(out, 7, (s) => {
      const exported = this.funcs.filter((f) => f.exported);
      uleb(exported.length + 1, s);
      name(s, 'memory');
      s.push(0x02, 0);
      for (const f of exported) {
        name(s, f.name);
        s.push(0x00);
        uleb(f.index, s);
      }
    });
    section(out, 10, (s) => {
      uleb(this.funcs.length, s);
      for (const f of this.funcs) {
        const b = f.body();
        uleb(b.length, s);
        for (const x of b) s.push(x);
      }
    });
    return Uint8Array.from(out);
  }
}

function section(out: number[], id: number, write: (s: number[]) => void): void {
  const s: number[] = [];
  write(s);
  out.push(id);
  uleb(s.length, out);
  for (const b of s) out.push(b);
}

function name(out: number[], text: string): void {
  const b = Buffer.from(text, 'utf8');
  uleb(b.length, out);
  for (const x of b) out.push(x);
}
