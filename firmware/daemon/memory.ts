/**
 * The daemon's memory by component, for the status endpoint and the soak (docs/memory.md): the process's RSS, the
 * V8 heap, memory outside it held by JS objects (Buffers, ArrayBuffers) and the pairing library's WASM memory, each
 * apart, because each grows for a different reason. Sizes only: nothing here reads or names key material.
 */
import { wasmMemoryBytes } from '../../crypto/index.js';

export interface MemoryStatus {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory outside V8's heap bound to JS objects: ArrayBuffers and the WASM memory included. */
  externalBytes: number;
  arrayBuffersBytes: number;
  /** mcl-wasm's linear memory (a WebAssembly.Memory: never shrinks). */
  wasmBytes: number;
}

export function memoryStatus(): MemoryStatus {
  const m = process.memoryUsage();
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
    wasmBytes: wasmMemoryBytes(),
  };
}
