/**
 * The size of the pairing library's WebAssembly linear memory (DESIGN.md §3: one mcl-wasm instance per process).
 * A linear memory only ever grows, so its size is the plateau a long run must show flat.
 */
import { mcl } from './_mcl.js';

export function wasmMemoryBytes(): number {
  return mcl.getMemory().buffer.byteLength;
}
