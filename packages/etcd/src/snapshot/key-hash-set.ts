// A set of keys that stores 8 bytes per key instead of the key: a 62-bit hash
// with a per-run random seed, plus one flag bit, in an open-addressing table
// of Uint32 pairs kept at most 3/4 full. Memory is 8 bytes per slot: 11-22
// bytes per distinct key, briefly 32 while the table doubles. Two distinct
// keys share a hash with probability ~ n^2 / 2^63 (1e-5 for 10 million keys);
// the random seed keeps anyone from crafting such keys in advance.
import { randomBytes } from 'node:crypto';

const occupied = 0x40000000;
const flagBit = 0x80000000;
const hashMask = 0x3fffffff;

export class KeyHashSet {
  #slots: Uint32Array;
  #mask: number;
  #size = 0;
  readonly #seed1: number;
  readonly #seed2: number;

  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity) slots *= 2;
    this.#slots = new Uint32Array(slots * 2);
    this.#mask = slots - 1;
    const seed = randomBytes(8);
    this.#seed1 = seed.readUInt32LE(0);
    this.#seed2 = seed.readUInt32LE(4);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Finds `key`, adding it (with its flag clear) when absent. Returns the slot
   * and whether the key was new; the slot is valid until the next insert.
   */
  insert(key: Uint8Array): { slot: number; added: boolean } {
    // Two 32-bit lanes of a multiply-xorshift hash (cyrb53's construction), seeded.
    let h1 = 0xdeadbeef ^ this.#seed1;
    let h2 = 0x41c6ce57 ^ this.#seed2;
    for (let i = 0; i < key.length; i++) {
      const b = key[i]!;
      h1 = Math.imul(h1 ^ b, 2654435761);
      h2 = Math.imul(h2 ^ b, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    h1 ^= key.length;
    const hi = ((h1 & hashMask) | occupied) >>> 0;
    const lo = h2 >>> 0;
    const slot = this.#find(hi, lo);
    if ((this.#slots[slot * 2]! & occupied) !== 0) return { slot, added: false };
    this.#slots[slot * 2] = hi;
    this.#slots[slot * 2 + 1] = lo;
    this.#size++;
    if (this.#size * 4 > (this.#mask + 1) * 3) {
      this.#grow();
      return { slot: this.#find(hi, lo), added: true };
    }
    return { slot, added: true };
  }

  flag(slot: number): boolean {
    return (this.#slots[slot * 2]! & flagBit) !== 0;
  }

  setFlag(slot: number, value: boolean): void {
    const word = this.#slots[slot * 2]!;
    this.#slots[slot * 2] = value ? (word | flagBit) >>> 0 : word & ~flagBit;
  }

  /** How many keys have their flag set. */
  countFlagged(): number {
    let n = 0;
    for (let i = 0; i < this.#slots.length; i += 2) if ((this.#slots[i]! & flagBit) !== 0) n++;
    return n;
  }

  /** The slot holding (hi, lo), or the empty slot where it belongs. */
  #find(hi: number, lo: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = lo & mask; ; slot = (slot + 1) & mask) {
      const word = slots[slot * 2]!;
      if ((word & occupied) === 0) return slot;
      if ((word & ~flagBit) >>> 0 === hi && slots[slot * 2 + 1] === lo) return slot;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) {
      const word = old[i]!;
      if ((word & occupied) === 0) continue;
      const slot = this.#find((word & ~flagBit) >>> 0, old[i + 1]!);
      this.#slots[slot * 2] = word;
      this.#slots[slot * 2 + 1] = old[i + 1]!;
    }
  }
}
