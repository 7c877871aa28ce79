// CRC-32C (Castagnoli), the checksum `etcdutl snapshot status` reports as
// "hash". node:zlib's crc32 is the IEEE polynomial, so this is our own: Go
// uses the CPU's CRC32 instruction, which JavaScript cannot reach; a small
// WebAssembly module (crc32c-wasm.ts, slicing-by-16) comes closest. Short
// inputs stay in JavaScript, where a call into WebAssembly and a copy cost more
// than they save.
import {
  crc32cModuleBytes,
  inputBytes,
  inputOffset,
  laneBytes,
  tableBytes,
  zeroTableOffsets,
} from './crc32c-wasm.ts';

const polynomial = 0x82f63b78; // 0x1EDC6F41 bit-reversed

/** Slicing-by-16 tables: T0 is the classic byte table, Tk advances T(k-1) by one more zero byte. */
const tables = (() => {
  const t = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 16; k++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/**
 * The 4 tables of 256 that advance a CRC register (not inverted) over `n` zero
 * bytes: a linear map, so the image of each byte of the register, XORed.
 */
export function zeroTables(n: number): Int32Array {
  const t = tables;
  const advance = (register: number) => {
    let c = register;
    for (let i = 0; i < n; i++) c = t[c & 0xff]! ^ (c >>> 8);
    return c;
  };
  const bits = Array.from({ length: 32 }, (_, bit) => advance((1 << bit) >>> 0));
  const out = new Int32Array(4 * 256);
  for (let which = 0; which < 4; which++) {
    for (let v = 0; v < 256; v++) {
      let c = 0;
      for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) c ^= bits[which * 8 + bit]!;
      out[which * 256 + v] = c;
    }
  }
  return out;
}

/** Below this many bytes the JavaScript byte loop is quicker than copying into WebAssembly. */
const wasmFrom = 48;

type Update = (crc: number, ptr: number, len: number) => number;

/** The little of WebAssembly's JavaScript API used here (lib es2024 does not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

const wasm = ((): { update: Update; heap: Uint8Array } | undefined => {
  // WebAssembly is missing under --jitless; the byte loop then does all the work.
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return undefined;
  const instance = new api.Instance(new api.Module(crc32cModuleBytes()));
  const memory = instance.exports['memory'] as { buffer: ArrayBuffer };
  const view = new DataView(memory.buffer);
  // WebAssembly memory is little-endian whatever the host is.
  const fill = (at: number, values: Int32Array) => {
    for (let i = 0; i < values.length; i++) view.setInt32(at + i * 4, values[i]!, true);
  };
  fill(0, tables);
  fill(zeroTableOffsets[0], zeroTables(laneBytes));
  fill(zeroTableOffsets[1], zeroTables(2 * laneBytes));
  if (tableBytes !== tables.length * 4) throw new Error('crc32c: table size mismatch');
  return { update: instance.exports['update'] as Update, heap: new Uint8Array(memory.buffer) };
})();

/**
 * Continues a CRC-32C over more bytes. Like Go's crc32.Update, `crc` is a
 * finished value (start from 0), so crc32c(crc32c(0, a), b) = crc of a+b.
 */
export function crc32c(crc: number, bytes: Uint8Array): number {
  if (wasm === undefined || bytes.length < wasmFrom) return crc32cBytewise(crc, bytes);
  return crc32cWasm(crc, bytes);
}

/** The WebAssembly path whatever the length (crc32c picks it only for longer inputs). */
export function crc32cWasm(crc: number, bytes: Uint8Array): number {
  if (wasm === undefined) throw new Error('WebAssembly is not available');
  const { update, heap } = wasm;
  const n = bytes.length;
  let c = crc;
  for (let i = 0; i < n; i += inputBytes) {
    const piece = Math.min(inputBytes, n - i);
    heap.set(piece === n ? bytes : bytes.subarray(i, i + piece), inputOffset);
    c = update(c, inputOffset, piece);
  }
  return c >>> 0;
}

/** One byte at a time: for short inputs, and the reference the tests hold the fast path to. */
export function crc32cBytewise(crc: number, bytes: Uint8Array): number {
  const t = tables;
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
