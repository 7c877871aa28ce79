// FNV-1a, 64-bit: the checksum bbolt stores in each meta page (Go's hash/fnv New64a).
const offsetBasis = 0xcbf29ce484222325n;
const prime = 0x100000001b3n;
const mask = 0xffffffffffffffffn;

export function fnv1a64(bytes: Uint8Array): bigint {
  let hash = offsetBasis;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * prime) & mask;
  }
  return hash;
}
