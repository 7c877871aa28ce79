// A buffer a walk reads pages into and reuses page after page, so reading a
// db allocates per walk, not per page.

/** A buffer a walk reads pages into, grown to the largest page it has held. */
export class PageBuffer {
  #bytes = Buffer.alloc(0);

  /** At least `size` bytes; when it has to grow, the first `keep` bytes are carried over. */
  ensure(size: number, keep = 0): Buffer {
    if (this.#bytes.length < size) {
      const old = this.#bytes;
      this.#bytes = Buffer.allocUnsafeSlow(size);
      old.copy(this.#bytes, 0, 0, keep);
    }
    return this.#bytes;
  }
}
