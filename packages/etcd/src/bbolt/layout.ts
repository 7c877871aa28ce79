// bbolt's on-disk layout (format version 2), as facts about byte offsets.
// Every integer is little-endian: bbolt writes its structs straight from
// memory and etcd runs on little-endian machines (amd64, arm64, ppc64le, s390x
// excepted and unsupported here).

/** Page header: id u64, flags u16, count u16, overflow u32. */
export const pageHeaderSize = 16;

export const PageFlag = { branch: 0x01, leaf: 0x02, meta: 0x04, freelist: 0x10 } as const;

/** Branch element: pos u32, ksize u32, pgid u64; the key sits `pos` bytes after the element. */
export const branchElementSize = 16;

/** Leaf element: flags u32, pos u32, ksize u32, vsize u32; key then value sit `pos` bytes after the element. */
export const leafElementSize = 16;

/** A leaf element with this flag holds a sub-bucket: its value is a bucket header (+ inline page). */
export const bucketLeafFlag = 0x01;

/** Bucket header (the value of a bucket entry): root pgid u64, sequence u64; root 0 means inline. */
export const bucketHeaderSize = 16;

/** The meta struct starts right after the page header. */
export const metaOffset = pageHeaderSize;
/** magic, version, pageSize, flags (u32 each), root bucket (16), freelist, pgid, txid (u64 each). */
export const metaChecksumOffset = 56;
export const metaSize = 64;

export const magic = 0xed0cdaed;
export const formatVersion = 2;

/** The freelist pgid of a db that does not persist its freelist (etcd sets NoFreelistSync). */
export const noFreelist = 0xffffffffffffffffn;

/** A freelist page whose count is 0xFFFF stores the real count in its first u64. */
export const freelistCountOverflow = 0xffff;

export function pageTypeName(flags: number): string {
  switch (flags) {
    case PageFlag.branch:
      return 'branch';
    case PageFlag.leaf:
      return 'leaf';
    case PageFlag.meta:
      return 'meta';
    case PageFlag.freelist:
      return 'freelist';
    default:
      return `unknown type 0x${flags.toString(16).padStart(2, '0')}`;
  }
}

/**
 * A u64 as a JavaScript number: exact below 2^53, which every real page id and
 * size is; anything larger can only be damage, and stays larger than any
 * bound it is checked against.
 */
export function u64(view: DataView, offset: number): number {
  return view.getUint32(offset + 4, true) * 0x100000000 + view.getUint32(offset, true);
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
