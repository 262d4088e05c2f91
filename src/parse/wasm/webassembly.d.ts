/**
 * The part of the WebAssembly JavaScript API the bulk scanner uses. TypeScript declares it only
 * in its DOM libraries, and this project compiles against ES2022 and Node's types alone.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
  }
  function validate(bytes: Uint8Array): boolean;
}
