// A buffer a walk reads pages into and reuses page after page, so reading a
// db allocates per walk, not per page.

/** A buffer a walk reads pages into, grown to the largest page it has held. */
export class PageBuffer {
  #bytes = Buffer.alloc(0);

  ensure(size: number): Buffer {
    if (this.#bytes.length < size) this.#bytes = Buffer.allocUnsafeSlow(size);
    return this.#bytes;
  }
}
