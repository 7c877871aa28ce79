// Remembers every page a walk has reached (one bit per page: 256 KiB for an
// 8 GiB db of 4 KiB pages), so a page referenced twice - a cycle or a shared
// subtree, both damage - is reported instead of looping or counting twice.
import { damaged } from './damage.ts';

export class PageTracker {
  readonly #bits: Uint8Array;
  readonly #file: string;

  constructor(file: string, pageCount: number) {
    this.#file = file;
    this.#bits = new Uint8Array(Math.ceil(pageCount / 8));
  }

  has(id: number): boolean {
    return (this.#bits[id >>> 3]! & (1 << (id & 7))) !== 0;
  }

  /** Marks pages id..id+overflow as reached; throws if one already was. */
  reach(id: number, overflow: number, where: string, reference: string): void {
    for (let p = id; p <= id + overflow; p++) {
      if (this.has(p)) {
        throw damaged(
          this.#file,
          where,
          p === id
            ? `reached a second time (${reference}): a cycle or a shared page`
            : `its overflow page ${p} is also used elsewhere (${reference})`,
        );
      }
      this.#bits[p >>> 3]! |= 1 << (p & 7);
    }
  }
}
