// What one tar entry says about itself, independent of how the header encodes
// it (ustar fields, pax records or GNU long names).

export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  /** A type this reader does not interpret (GNU sparse, dumpdir, vendor extensions…). */
  | 'other';

export interface TarHeader {
  /** Relative path, `/`-separated, without the trailing `/` of directories. */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid/setgid/sticky (`& 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Bytes of content; 0 for everything but files. */
  size: number;
  /** Modification time in nanoseconds since the epoch (pax keeps sub-second precision). */
  mtimeNs: bigint;
  /** Target of a symlink or hard link. */
  linkname?: string;
  /** The raw type flag, for entries of type 'other'. */
  typeflag?: string;
}

/** Entry types the writer produces: what a bundle holds. */
export type WritableEntryType = 'file' | 'directory' | 'symlink';

export const blockSize = 512;

/** Bytes of zero padding that bring `size` to a whole number of blocks. */
export function paddingOf(size: number): number {
  return (blockSize - (size % blockSize)) % blockSize;
}
