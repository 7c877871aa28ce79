// Follows the outer packet framing of a message as its bytes stream past, to
// tell a truncated file from a modified one. openpgp.js cannot always: a file
// cut right after a partial-body chunk looks to it like a complete packet whose
// MDC fails ("modification detected"). The framing says more was announced.
// It also notes where the encrypted data packet ended, so bytes appended
// after a whole message are named as such. Only headers and lengths are read;
// bodies are skipped (RFC 9580 §4.2).

type Expect =
  | { kind: 'header' }
  | { kind: 'new-length' } // first octet of a new-format length
  | { kind: 'length-octets'; left: number; value: number; twoOctet: boolean }
  | { kind: 'body'; left: number; partial: boolean }
  | { kind: 'to-end' } // old-format indeterminate length: the packet runs to the end
  | { kind: 'unknown' }; // not OpenPGP framing; openpgp.js will say so

// Symmetrically encrypted data: legacy (9), SEIPD (18), AEAD (20). A message has exactly one, last.
const encryptedDataTags = new Set([9, 18, 20]);

export class PacketFraming {
  #expect: Expect = { kind: 'header' };
  #bytes = 0;
  #tag = -1;
  #encryptedDataEnd: number | undefined;

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * True when the bytes seen so far end after a complete packet (or the
   * framing cannot tell); false when a packet was cut short.
   */
  get complete(): boolean {
    const { kind } = this.#expect;
    return (kind === 'header' && this.#bytes > 0) || kind === 'to-end' || kind === 'unknown';
  }

  /** Where the first encrypted data packet ended, once it has. */
  get encryptedDataEnd(): number | undefined {
    return this.#encryptedDataEnd;
  }

  observe(chunk: Uint8Array): void {
    const offset = this.#bytes;
    this.#bytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      const expect = this.#expect;
      switch (expect.kind) {
        case 'to-end':
        case 'unknown':
          return;
        case 'body': {
          const skip = Math.min(expect.left, chunk.length - at);
          at += skip;
          this.#bodyRead(expect, skip, offset + at);
          break;
        }
        case 'header':
          this.#header(chunk[at++]!);
          break;
        case 'new-length':
          this.#newLength(chunk[at++]!, offset + at);
          break;
        case 'length-octets':
          this.#lengthOctet(expect, chunk[at++]!, offset + at);
          break;
      }
    }
  }

  #header(octet: number): void {
    if ((octet & 0x80) === 0) this.#expect = { kind: 'unknown' };
    else if ((octet & 0x40) !== 0) {
      this.#tag = octet & 0x3f;
      this.#expect = { kind: 'new-length' };
    } else {
      this.#tag = (octet & 0x3c) >> 2;
      const lengthType = octet & 0x03;
      this.#expect =
        lengthType === 3
          ? { kind: 'to-end' }
          : { kind: 'length-octets', left: [1, 2, 4][lengthType]!, value: 0, twoOctet: false };
    }
  }

  // `end` (here and below): the stream offset just after the octet, where the body starts.
  #newLength(octet: number, end: number): void {
    if (octet < 192) this.#startBody(octet, false, end);
    else if (octet < 224) this.#expect = { kind: 'length-octets', left: 1, value: octet, twoOctet: true };
    else if (octet < 255) this.#startBody(2 ** (octet & 0x1f), true, end);
    else this.#expect = { kind: 'length-octets', left: 4, value: 0, twoOctet: false };
  }

  #lengthOctet(expect: Extract<Expect, { kind: 'length-octets' }>, octet: number, end: number): void {
    if (expect.twoOctet) {
      this.#startBody(((expect.value - 192) << 8) + octet + 192, false, end);
      return;
    }
    const value = expect.value * 256 + octet;
    if (expect.left > 1) this.#expect = { ...expect, left: expect.left - 1, value };
    else this.#startBody(value, false, end);
  }

  #startBody(length: number, partial: boolean, start: number): void {
    const body: Expect = { kind: 'body', left: length, partial };
    this.#expect = body;
    if (length === 0) this.#bodyRead(body, 0, start);
  }

  #bodyRead(body: Extract<Expect, { kind: 'body' }>, count: number, end: number): void {
    body.left -= count;
    if (body.left > 0) return;
    // After a partial chunk another length follows, never a new packet header.
    if (body.partial) {
      this.#expect = { kind: 'new-length' };
      return;
    }
    this.#expect = { kind: 'header' };
    if (encryptedDataTags.has(this.#tag)) this.#encryptedDataEnd ??= end;
  }
}
