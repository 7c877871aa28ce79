// Table rows kept off the JavaScript heap, listed in the byte order of a key:
// what `snapshot ls` needs to print hundreds of thousands of rows sorted
// without holding a string (or an object) per row. Rows are appended to
// Buffers of 2 MiB (a new chunk when one is full: nothing is ever copied to
// grow) and sorted as a Uint32Array of row positions: 4 bytes per row.
//
// A row is: the key's UTF-8 byte length (varint), the key's bytes, then one
// cell after another, each a varint tag:
//   0  text: byte length (varint) and UTF-8 bytes
//   1  a number: its value (varint), printed in decimal
//   2  text that is the key's last N bytes: N (varint) (a Kubernetes name)
//   3+ the shared string number tag - 3 (columns whose values repeat:
//      resource, namespace, kind...), stored once in a small dictionary
// Per row: those bytes (a 1 GiB Kubernetes db: 58 on average, the key 43 of them) and a 4-byte
// position, plus 8 bytes while sorting: ~9 MiB for its 147k keys.
//
// Why not an external sort (sorted runs spilled to a temp file, merged): rows
// cost about the key + 20 bytes here, ~60 MiB per million Kubernetes keys (more
// than etcd's recommended 8 GiB db usually holds), while a spill needs a writable
// temp dir the size of the listing, its cleanup, and a merge pass; -o jsonl is
// the constant-memory listing for the rare snapshot where that matters.
import { Buffer } from 'node:buffer';
import { LifeboatError } from '@lifeboat/core';

const defaultChunkSize = 2 * 1024 * 1024;
/** Distinct shared strings kept; later ones are stored as text in each row. */
const maxShared = 65_536;
/** Below this many rows a range is insertion-sorted instead of partitioned. */
const smallRange = 12;
// A row's position: chunk index << offsetBits | offset. Chunks are at most 2^offsetBits bytes,
// but for a row larger than that, alone at offset 0 of a chunk of its own: up to 4 GiB of rows.
const offsetBits = 21;
const offsetMask = (1 << offsetBits) - 1;
const maxChunks = 2 ** (32 - offsetBits);

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
  /** Row positions (see offsetBits). */
  #rows = new Uint32Array(1024);
  #count = 0;
  #rowBytes = 0;
  readonly #sharedIds = new Map<string, number>();
  readonly #shared: string[] = [];
  #sorted = false;

  constructor(options: RowArenaOptions) {
    this.#cells = options.cells;
    this.#chunkSize = Math.min(options.chunkSize ?? defaultChunkSize, offsetMask + 1);
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
    // A chunk of its own for a large row: offsets past 2^offsetBits are not representable.
    this.#used = chunk.length > this.#chunkSize ? chunk.length : at;
    if (this.#count === this.#rows.length) {
      const grown = new Uint32Array(this.#rows.length * 2);
      grown.set(this.#rows);
      this.#rows = grown;
    }
    this.#rows[this.#count++] = (((this.#chunks.length - 1) << offsetBits) | start) >>> 0;
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
    if (this.#chunks.length === maxChunks) {
      throw new LifeboatError(
        'usage',
        `more than ${(maxChunks * (offsetMask + 1)) / 2 ** 30} GiB of rows to sort; list with -o jsonl (streamed, unsorted) instead`,
      );
    }
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
    const chunk = this.#chunks[position >>> offsetBits]!;
    const keyLength = readVarint(chunk, position & offsetMask);
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

// Sorting: a three-way radix quicksort (Bentley & Sedgewick) of the row positions, in place,
// with an explicit stack (keys may share prefixes thousands of bytes long). It partitions by
// 6 key bytes at a time, read once per row and depth into a Float64Array (8 bytes per row while
// sorting) instead of comparing whole keys from their first byte: keys here all start with
// "/registry/" and share much more.

/** Key bytes compared per pass: 6 bytes and a count (0-6) fit a double exactly. */
const wordBytes = 6;

/**
 * The key's bytes [depth, depth + 6) as a number ordered as the keys are: the bytes (missing
 * ones as 0) then how many there are, so a key sorts before the keys it is a prefix of.
 */
function wordAt(chunks: readonly Buffer[], position: number, depth: number): number {
  const chunk = chunks[position >>> offsetBits]!;
  let at = position & offsetMask;
  let length = chunk[at++]!;
  if (length >= 0x80) {
    length = readVarint(chunk, at - 1);
    at = varintEnd;
  }
  const present = Math.max(0, Math.min(wordBytes, length - depth));
  at += depth;
  let word = 0;
  for (let k = 0; k < wordBytes; k++) word = word * 256 + (k < present ? chunk[at + k]! : 0);
  return word * 8 + present;
}

/** Compares two keys from `depth` on (their bytes before it are equal), byte by byte. */
function compareFrom(chunks: readonly Buffer[], a: number, b: number, depth: number): number {
  const aChunk = chunks[a >>> offsetBits]!;
  const aLength = readVarint(aChunk, a & offsetMask);
  const aFrom = varintEnd;
  const bChunk = chunks[b >>> offsetBits]!;
  const bLength = readVarint(bChunk, b & offsetMask);
  const bFrom = varintEnd;
  const common = Math.min(aLength, bLength);
  for (let i = depth; i < common; i++) {
    const difference = aChunk[aFrom + i]! - bChunk[bFrom + i]!;
    if (difference !== 0) return difference;
  }
  return aLength - bLength;
}

export function sortRows(rows: Uint32Array, count: number, chunks: readonly Buffer[]): void {
  const words = new Float64Array(count);
  // Ranges still to sort: lo, hi, depth, and 1 when words[lo, hi) already hold that depth's words.
  const stack: number[] = [0, count, 0, 0];
  while (stack.length > 0) {
    let ready = stack.pop()! === 1;
    let depth = stack.pop()!;
    let hi = stack.pop()!;
    let lo = stack.pop()!;
    while (hi - lo > 1) {
      if (hi - lo <= smallRange) {
        insertionSort(rows, lo, hi, depth, chunks);
        break;
      }
      if (!ready) for (let i = lo; i < hi; i++) words[i] = wordAt(chunks, rows[i]!, depth);
      const pivot = median(words[lo]!, words[(lo + hi) >>> 1]!, words[hi - 1]!);
      // [lo, lt) below the pivot, [lt, gt) equal, [gt, hi) above.
      let lt = lo;
      let gt = hi;
      let i = lo;
      while (i < gt) {
        const word = words[i]!;
        if (word < pivot) swap(rows, words, lt++, i++);
        else if (word > pivot) swap(rows, words, i, --gt);
        else i++;
      }
      if (lt - lo > 1) stack.push(lo, lt, depth, 1);
      if (hi - gt > 1) stack.push(gt, hi, depth, 1);
      // Keys that ended within these bytes are equal: nothing left to order among them.
      if (pivot % 8 < wordBytes) break;
      lo = lt;
      hi = gt;
      depth += wordBytes;
      ready = false;
    }
  }
}

function insertionSort(
  rows: Uint32Array,
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

function swap(rows: Uint32Array, words: Float64Array, i: number, j: number): void {
  const row = rows[i]!;
  rows[i] = rows[j]!;
  rows[j] = row;
  const word = words[i]!;
  words[i] = words[j]!;
  words[j] = word;
}
