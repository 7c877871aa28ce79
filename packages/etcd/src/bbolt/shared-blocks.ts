// The file's blocks as another thread reads them, in order, into a ring of
// shared memory: the sha256 trailer check reads the whole file anyway, so a
// walk running beside it can copy blocks from the ring instead of reading
// them from the kernel a second time (a copy out of the page cache costs
// several times a memcpy). A block the walk wants that the ring no longer (or
// not yet) holds is read as before, so the walk's results never depend on it.
//
// The walk goes through the file mostly forward (pages are allocated in
// order), with jumps. The reader, faster, stays at most `slots - margin`
// blocks ahead of the walk's last block, so that what the walk wants next is
// still in the ring; the walk waits only for a block a few ahead of the
// reader. The reader stops pacing itself when the walk is done (stop()) or has
// not moved for a while: it never waits on a walk that has gone.
//
// Layout of the SharedArrayBuffer: Int32 `slots` tags (the block index a slot
// holds, -1 while it is being filled), the index of the next block the reader
// fills, a stopped flag, the walk's position, the slot the walk is copying
// from (-1: none); then, from byte `dataOffset`, the slots' bytes.
// A slot is never refilled while copied from (Dekker's handshake, sound with
// sequentially consistent Atomics on any CPU): the walk marks the slot, then
// checks its tag; the reader sets the tag to -1, then waits while the slot is
// marked, and only then reads into it.

/** Blocks are the page cache's blocks: the same size and alignment in the file. */
export const sharedBlockSize = 256 * 1024;
/** 8 MiB of ring. */
export const defaultSlots = 32;
/** Waits for blocks at most this many ahead of the reader (a walk goes mostly forward). */
const waitAhead = 16;
/** The walk asks for blocks up to this many behind its latest (a page's overflow, a branch). */
const margin = 8;
/** Gives up on a reader (or the reader on a walk) that has not moved for this long. */
const patienceMs = 200;
const [nextAt, stoppedAt, walkAt, copyingAt] = [0, 1, 2, 3];
const counters = 4;

export class SharedBlocks {
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  readonly #state: Int32Array;
  readonly #data: Buffer;
  /** The walk's position as last published. */
  #walk = -1;
  /** False once the reader kept the walk waiting too long: it takes what is there, no more. */
  #patient = true;

  constructor(slots = defaultSlots, buffer?: SharedArrayBuffer) {
    this.slots = slots;
    this.buffer = buffer ?? new SharedArrayBuffer(dataOffset(slots) + slots * sharedBlockSize);
    this.#state = new Int32Array(this.buffer, 0, slots + counters);
    this.#data = Buffer.from(this.buffer, dataOffset(slots), slots * sharedBlockSize);
    if (!buffer) {
      this.#state.fill(-1, 0, slots);
      this.#state[slots + copyingAt] = -1;
    }
  }

  /**
   * Copies bytes `from`..`to` of block `index` into `target` at `at` when the
   * ring holds the block, first waiting a little when the reader is about to
   * fill it. False when it cannot: read the bytes from the file instead.
   */
  copy(index: number, target: Buffer, at: number, from: number, to: number): boolean {
    const state = this.#state;
    const { slots } = this;
    const slot = index % slots;
    let tag = Atomics.load(state, slot);
    let next = Atomics.load(state, slots + nextAt);
    // The walk's position paces the reader: not for a jump far ahead or behind.
    if (index !== this.#walk && index >= next - slots && index < next + waitAhead) {
      this.#walk = index;
      Atomics.store(state, slots + walkAt, index);
      Atomics.notify(state, slots + walkAt);
    }
    let since = 0;
    while (tag !== index) {
      if (
        !this.#patient ||
        Atomics.load(state, slots + stoppedAt) !== 0 ||
        index < next ||
        index >= next + waitAhead
      ) {
        return false;
      }
      if (since === 0) since = performance.now();
      Atomics.wait(state, slot, tag, 10);
      tag = Atomics.load(state, slot);
      const moved = Atomics.load(state, slots + nextAt);
      if (moved !== next) {
        next = moved;
        since = performance.now();
      } else if (performance.now() - since > patienceMs) {
        this.#patient = false; // a reader this slow (or stuck) is not worth waiting for again
        return false;
      }
    }
    // Marked, the slot cannot be refilled until unmarked; its tag, read after marking, tells
    // whether it still holds the block.
    Atomics.store(state, slots + copyingAt, slot);
    const held = Atomics.load(state, slot) === index;
    if (held) {
      const start = slot * sharedBlockSize;
      this.#data.copy(target, at, start + from, start + to);
    }
    Atomics.store(state, slots + copyingAt, -1);
    Atomics.notify(state, slots + copyingAt);
    return held;
  }

  /** The walk is done, or the reader is: neither waits for the other any more. */
  stop(): void {
    Atomics.store(this.#state, this.slots + stoppedAt, 1);
    Atomics.notify(this.#state, this.slots + walkAt);
  }
}

/** Where the slots' bytes start: after the tags and the two counters, cache-line aligned. */
export function dataOffset(slots: number): number {
  return Math.ceil(((slots + counters) * 4) / 64) * 64;
}

/**
 * The reader's side, as source text for a worker (an eval'd worker has no
 * imports): `fill(index, length, read)` waits until block `index` may go into
 * the ring, has `read(view)` read it into its slot and return how many bytes it
 * read, and publishes the block when that is all `length` bytes. Returns the
 * bytes read.
 */
export const sharedBlocksWriterSource = `
function sharedBlocksWriter(buffer, slots, blockSize, dataOffset) {
  const state = new Int32Array(buffer, 0, slots + ${counters});
  const data = Buffer.from(buffer, dataOffset, slots * blockSize);
  let pacing = true;
  const pace = (index) => {
    let walk = Atomics.load(state, slots + ${walkAt});
    let since = performance.now();
    while (pacing && index - walk >= slots - ${margin} && Atomics.load(state, slots + ${stoppedAt}) === 0) {
      Atomics.wait(state, slots + ${walkAt}, walk, 20);
      const moved = Atomics.load(state, slots + ${walkAt});
      if (moved !== walk) {
        walk = moved;
        since = performance.now();
      } else if (performance.now() - since > ${patienceMs}) {
        pacing = false;
      }
    }
  };
  return (index, length, read) => {
    pace(index);
    const slot = index % slots;
    Atomics.store(state, slot, -1);
    while (Atomics.load(state, slots + ${copyingAt}) === slot) Atomics.wait(state, slots + ${copyingAt}, slot, 1);
    const view = data.subarray(slot * blockSize, slot * blockSize + length);
    const n = read(view);
    if (n === length) {
      Atomics.store(state, slot, index);
      Atomics.store(state, slots + ${nextAt}, index + 1);
      Atomics.notify(state, slot);
    }
    return view.subarray(0, n);
  };
}
`;
