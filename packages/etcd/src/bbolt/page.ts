// One bbolt page (or an inline bucket's page) and its elements, every offset
// checked against the page's bounds before it is used.
import { damaged } from './damage.ts';
import {
  branchElementSize,
  bucketLeafFlag,
  dataView,
  leafElementSize,
  pageHeaderSize,
  u64,
} from './layout.ts';

export interface Page {
  /** The page id (0 for an inline page). */
  id: number;
  flags: number;
  count: number;
  overflow: number;
  /** The whole page, header and overflow pages included. */
  bytes: Buffer;
  /** For messages: "page 12 (offset 0xc000)" or "the inline page of bucket …". */
  where: string;
  file: string;
}

export interface BranchElement {
  key: Buffer;
  child: number;
}

export interface LeafElement {
  key: Buffer;
  /** The value; for a sub-bucket, its bucket header (and inline page). */
  value: Buffer;
  isBucket: boolean;
}

/** Reads the header of `bytes` as a page; the caller checks id and type. */
export function pageFrom(bytes: Buffer, where: string, file: string): Page {
  if (bytes.length < pageHeaderSize) {
    throw damaged(file, where, `${bytes.length} bytes cannot hold a ${pageHeaderSize}-byte page header`);
  }
  const view = dataView(bytes);
  return {
    id: u64(view, 0),
    flags: view.getUint16(8, true),
    count: view.getUint16(10, true),
    overflow: view.getUint32(12, true),
    bytes,
    where,
    file,
  };
}

function elementArea(page: Page, size: number, kind: string): void {
  const end = pageHeaderSize + page.count * size;
  if (end > page.bytes.length) {
    throw damaged(
      page.file,
      page.where,
      `${page.count} ${kind} elements need ${end} bytes but the page has ${page.bytes.length}`,
    );
  }
}

function slice(page: Page, index: number, from: number, length: number, what: string): Buffer {
  const to = from + length;
  if (to > page.bytes.length) {
    throw damaged(
      page.file,
      page.where,
      `element ${index}: ${what} at bytes ${from}..${to} runs past the page end (${page.bytes.length})`,
    );
  }
  return page.bytes.subarray(from, to);
}

export function branchElements(page: Page): BranchElement[] {
  elementArea(page, branchElementSize, 'branch');
  const view = dataView(page.bytes);
  const out: BranchElement[] = [];
  for (let i = 0; i < page.count; i++) {
    const at = pageHeaderSize + i * branchElementSize;
    const pos = view.getUint32(at, true);
    const ksize = view.getUint32(at + 4, true);
    out.push({ key: slice(page, i, at + pos, ksize, 'key'), child: u64(view, at + 8) });
  }
  return out;
}

export function leafElements(page: Page): LeafElement[] {
  elementArea(page, leafElementSize, 'leaf');
  const view = dataView(page.bytes);
  const out: LeafElement[] = [];
  for (let i = 0; i < page.count; i++) {
    const at = pageHeaderSize + i * leafElementSize;
    const flags = view.getUint32(at, true);
    const pos = view.getUint32(at + 4, true);
    const ksize = view.getUint32(at + 8, true);
    const vsize = view.getUint32(at + 12, true);
    const key = slice(page, i, at + pos, ksize, 'key');
    const value = slice(page, i, at + pos + ksize, vsize, 'value');
    out.push({ key, value, isBucket: (flags & bucketLeafFlag) !== 0 });
  }
  return out;
}
