// Table rows kept off the JavaScript heap, listed in the byte order of a key:
// what `snapshot ls` needs to print hundreds of thousands of rows sorted
// without holding a string (or an object) per row. Rows are appended to
// Buffers of 2 MiB (a new chunk when one is full: nothing is ever copied to
// grow) and sorted as a Float64Array of row positions.
//
// A row is: the key's UTF-8 byte length (varint), the key's bytes, then one
// cell after another, each a varint tag:
//   0  text: byte length (varint) and UTF-8 bytes
//   1  a number: its value (varint), printed in decimal
//   2  text that is the key's last N bytes: N (varint) (a Kubernetes name)
//   3+ the shared string number tag - 3 (columns whose values repeat:
//      resource, namespace, kind...), stored once in a small dictionary
// A `snapshot ls` row of a 1 GiB Kubernetes db: key + ~12 bytes.
//
// Why not an external sort (sorted runs spilled to a temp file, merged): rows
// cost ~key + 20 bytes here, 30 MiB per million keys, while a spill needs a
// writable temp dir the size of the listing and a merge pass; -o jsonl is the
// constant-memory listing for the rare snapshot where that matters.
import { Buffer } from 'node:buffer';

const defaultChunkSize = 2 * 1024 * 1024;
/** Distinct shared strings kept; later ones are stored as text in each row. */
const maxShared = 65_536;
/** Below this many rows a range is insertion-sorted instead of partitioned. */
const smallRange = 12;
const chunkFactor = 2 ** 32;

const textTag = 0;
const numberTag = 1;
const keySuffixTag = 2;
const sharedTag = 3;

export interface RowArenaOptions {
  /** How many cells every row has (besides its key). */
  cells: number;
  /** Cells (by index) whose values repeat: each distinct value is stored once. */
  shared?: readonly number[];
  /** Bytes per chunk (tests use small ones to cross chunks); rows larger get a chunk of their own. */
  chunkSize?: number;
}

export type Cell = string | number;

export class RowArena {
  readonly #cells: number;
  readonly #chunkSize: number;
  readonly #sharedCells: boolean[] = [];
  readonly #chunks: Buffer[] = [];
  #chunk: Buffer = Buffer.alloc(0);
  #used = 0;
  /** Row positions: chunk index * 2^32 + offset in the chunk. */
  #rows = new Float64Array(1024);
  #count = 0;
  #rowBytes = 0;
  readonly #sharedIds = new Map<string, number>();
  readonly #shared: string[] = [];
  #sorted = false;

  constructor(options: RowArenaOptions) {
    this.#cells = options.cells;
    this.#chunkSize = options.chunkSize ?? defaultChunkSize;
    for (const i of options.shared ?? []) this.#sharedCells[i] = true;
  }

  get size(): number {
    return this.#count;
  }

  /** Bytes of row data written (chunks are allocated larger; see `bytes`). */
  get rowBytes(): number {
    return this.#rowBytes;
  }

  /** Bytes the rows take: chunks (as allocated) and the position index. */
  get bytes(): number {
    let total = this.#rows.byteLength;
    for (const chunk of this.#chunks) total += chunk.length;
    return total;
  }

  /**
   * Adds a row. `key` is what rows are sorted by (its UTF-8 bytes); numbers must be
   * non-negative integers (up to 2^53).
   */
  add(key: string, cells: readonly Cell[]): void {
    if (this.#sorted) throw new Error('RowArena: add after sort');
    if (cells.length !== this.#cells)
      throw new Error(`RowArena: ${cells.length} cells, expected ${this.#cells}`);
    // At most: 10 bytes per varint, 3 UTF-8 bytes per UTF-16 unit.
    let most = 10 + key.length * 3;
    for (const cell of cells) most += typeof cell === 'number' ? 11 : 20 + cell.length * 3;
    if (this.#used + most > this.#chunk.length) this.#newChunk(most);
    const chunk = this.#chunk;
    const start = this.#used;
    const keyStart = writeVarint(chunk, start, Buffer.byteLength(key, 'utf8'));
    const keyEnd = keyStart + chunk.write(key, keyStart, 'utf8');
    let at = keyEnd;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      if (typeof cell === 'number') {
        at = writeVarint(chunk, writeVarint(chunk, at, numberTag), cell);
        continue;
      }
      if (this.#sharedCells[i]) {
        const id = this.#sharedId(cell);
        if (id !== undefined) {
          at = writeVarint(chunk, at, sharedTag + id);
          continue;
        }
      }
      at = writeText(chunk, at, cell, keyStart, keyEnd);
    }
    this.#rowBytes += at - start;
    this.#used = at;
    if (this.#count === this.#rows.length) {
      const grown = new Float64Array(this.#rows.length * 2);
      grown.set(this.#rows);
      this.#rows = grown;
    }
    this.#rows[this.#count++] = (this.#chunks.length - 1) * chunkFactor + start;
  }

  /** Sorts the rows by key bytes (as Buffer.compare); rows cannot be added afterwards. */
  sort(): void {
    this.#sorted = true;
    sortRows(this.#rows, this.#count, this.#chunks);
  }

  /** Each row as its cells (numbers in decimal) followed by the key, in sorted order once sorted. */
  *rows(): Generator<string[]> {
    for (let r = 0; r < this.#count; r++) yield this.#row(this.#rows[r]!);
  }

  #newChunk(most: number): void {
    this.#chunk = Buffer.allocUnsafeSlow(Math.max(this.#chunkSize, most));
    this.#chunks.push(this.#chunk);
    this.#used = 0;
  }

  #sharedId(cell: string): number | undefined {
    let id = this.#sharedIds.get(cell);
    if (id === undefined && this.#shared.length < maxShared) {
      id = this.#shared.length;
      this.#shared.push(cell);
      this.#sharedIds.set(cell, id);
    }
    return id;
  }

  #row(position: number): string[] {
    const chunk = this.#chunks[Math.floor(position / chunkFactor)]!;
    const keyLength = readVarint(chunk, position % chunkFactor);
    const keyStart = varintEnd;
    const keyEnd = keyStart + keyLength;
    let at = keyEnd;
    const cells: string[] = [];
    for (let i = 0; i < this.#cells; i++) {
      const tag = readVarint(chunk, at);
      at = varintEnd;
      if (tag === textTag) {
        const length = readVarint(chunk, at);
        at = varintEnd + length;
        cells.push(chunk.toString('utf8', varintEnd, at));
      } else if (tag === numberTag) {
        cells.push(String(readVarint(chunk, at)));
        at = varintEnd;
      } else if (tag === keySuffixTag) {
        const length = readVarint(chunk, at);
        at = varintEnd;
        cells.push(chunk.toString('utf8', keyEnd - length, keyEnd));
      } else {
        cells.push(this.#shared[tag - sharedTag]!);
      }
    }
    cells.push(chunk.toString('utf8', keyStart, keyEnd));
    return cells;
  }
}

/** Text, or a reference to the key's last bytes when the text is exactly those bytes. */
function writeText(chunk: Buffer, at: number, cell: string, keyStart: number, keyEnd: number): number {
  const length = Buffer.byteLength(cell, 'utf8');
  const text = writeVarint(chunk, writeVarint(chunk, at, textTag), length);
  chunk.write(cell, text, 'utf8');
  const suffix = keyEnd - length;
  if (length > 0 && suffix >= keyStart && chunk.compare(chunk, suffix, keyEnd, text, text + length) === 0) {
    return writeVarint(chunk, writeVarint(chunk, at, keySuffixTag), length);
  }
  return text + length;
}

/** Writes a non-negative integer (up to 2^53) as a protobuf-style varint; returns the end. */
function writeVarint(buffer: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    buffer[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buffer[at++] = value;
  return at;
}

// Where the last readVarint ended (reads are synchronous and never nest).
let varintEnd = 0;

function readVarint(buffer: Buffer, at: number): number {
  let byte = buffer[at++]!;
  if (byte < 0x80) {
    varintEnd = at;
    return byte;
  }
  let value = byte & 0x7f;
  let scale = 0x80;
  do {
    byte = buffer[at++]!;
    value += (byte & 0x7f) * scale;
    scale *= 0x80;
  } while (byte >= 0x80);
  varintEnd = at;
  return value;
}

// Sorting: a three-way radix quicksort (Bentley & Sedgewick) of the row positions by key byte,
// in place, with an explicit stack (keys may share prefixes thousands of bytes long). It reads
// each key byte a few times instead of comparing whole keys from their first byte, which
// matters for keys that all start with "/registry/".

/** Where the current rows' keys start and end, set by keyBounds (no allocation per row). */
let keyFrom = 0;
let keyTo = 0;
let keyChunk: Buffer = Buffer.alloc(0);

function keyBounds(chunks: readonly Buffer[], position: number): void {
  keyChunk = chunks[Math.floor(position / chunkFactor)]!;
  const length = readVarint(keyChunk, position % chunkFactor);
  keyFrom = varintEnd;
  keyTo = varintEnd + length;
}

/** The key's byte at `depth`, -1 past its end (so a key sorts before the keys it prefixes). */
function byteAt(chunks: readonly Buffer[], position: number, depth: number): number {
  keyBounds(chunks, position);
  return keyFrom + depth < keyTo ? keyChunk[keyFrom + depth]! : -1;
}

/** Compares two keys from `depth` on (their bytes before it are equal). */
function compareFrom(chunks: readonly Buffer[], a: number, b: number, depth: number): number {
  keyBounds(chunks, a);
  const aChunk = keyChunk;
  const aFrom = keyFrom + depth;
  const aTo = keyTo;
  keyBounds(chunks, b);
  return aChunk.compare(keyChunk, keyFrom + depth, keyTo, aFrom, aTo);
}

export function sortRows(rows: Float64Array, count: number, chunks: readonly Buffer[]): void {
  const stack: number[] = [0, count, 0];
  while (stack.length > 0) {
    let depth = stack.pop()!;
    let hi = stack.pop()!;
    let lo = stack.pop()!;
    while (hi - lo > 1) {
      if (hi - lo <= smallRange) {
        insertionSort(rows, lo, hi, depth, chunks);
        break;
      }
      const pivot = median(
        byteAt(chunks, rows[lo]!, depth),
        byteAt(chunks, rows[(lo + hi) >>> 1]!, depth),
        byteAt(chunks, rows[hi - 1]!, depth),
      );
      // [lo, lt) below the pivot, [lt, gt) equal, [gt, hi) above.
      let lt = lo;
      let gt = hi;
      let i = lo;
      while (i < gt) {
        const byte = byteAt(chunks, rows[i]!, depth);
        if (byte < pivot) swap(rows, lt++, i++);
        else if (byte > pivot) swap(rows, i, --gt);
        else i++;
      }
      if (lt - lo > 1) stack.push(lo, lt, depth);
      if (hi - gt > 1) stack.push(gt, hi, depth);
      // Keys that ended at this depth are equal: nothing left to order among them.
      if (pivot < 0) break;
      lo = lt;
      hi = gt;
      depth++;
    }
  }
}

function insertionSort(
  rows: Float64Array,
  lo: number,
  hi: number,
  depth: number,
  chunks: readonly Buffer[],
): void {
  for (let i = lo + 1; i < hi; i++) {
    const row = rows[i]!;
    let j = i;
    while (j > lo && compareFrom(chunks, rows[j - 1]!, row, depth) > 0) {
      rows[j] = rows[j - 1]!;
      j--;
    }
    rows[j] = row;
  }
}

function median(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

function swap(rows: Float64Array, i: number, j: number): void {
  const t = rows[i]!;
  rows[i] = rows[j]!;
  rows[j] = t;
}
