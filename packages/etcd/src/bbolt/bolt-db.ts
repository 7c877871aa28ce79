// A read-only bbolt database: the chosen meta page, pages read on demand with
// every id, type and bound checked, and buckets walked in key order without
// loading the file. A snapshot file's 32-byte sha256 trailer is recognised
// (size = whole pages + 32) and kept out of the page space.
import { damaged, pageWhere, printable } from './damage.ts';
import { bucketHeaderSize, dataView, PageFlag, pageTypeName, u64 } from './layout.ts';
import { chooseMeta, type Meta } from './meta.ts';
import {
  type BranchElement,
  branchElements,
  type LeafElement,
  leafElements,
  type Page,
  pageFrom,
} from './page.ts';
import { PageBuffer } from './page-buffer.ts';
import { PageFile, type PageFileOptions } from './page-file.ts';
import { PageTracker } from './page-tracker.ts';
import type { SharedBlocks } from './shared-blocks.ts';

export const trailerSize = 32;

/** A single page (with its overflow) larger than this is refused as damage rather than read. */
export const maxPageBytes = 64 * 1024 * 1024;

/** Where a bucket's tree starts: a page of its own, or a page inline in its parent's value. */
export type BucketRef = { name: string; root: number } | { name: string; inline: Page };

export type { LeafElement as BoltEntry } from './page.ts';

export class BoltDb {
  readonly path: string;
  readonly meta: Meta;
  readonly pageSize: number;
  /** Size of the file on disk. */
  readonly fileSize: number;
  /** Bytes that belong to the db: the file minus a snapshot trailer. */
  readonly dbSize: number;
  /** Whether the file ends with the 32-byte sha256 trailer `etcdctl snapshot save` writes. */
  readonly hasTrailer: boolean;
  /** Set when bbolt would silently recover from damage (e.g. one bad meta page). */
  readonly warning: string | undefined;
  readonly #file: PageFile;

  private constructor(file: PageFile, meta: Meta, warning: string | undefined) {
    this.#file = file;
    this.path = file.path;
    this.meta = meta;
    this.pageSize = meta.pageSize;
    this.fileSize = file.size;
    this.hasTrailer = file.size % meta.pageSize === trailerSize;
    this.dbSize = file.size - (this.hasTrailer ? trailerSize : 0);
    this.warning = warning;
  }

  static async open(path: string, options: PageFileOptions = {}): Promise<BoltDb> {
    const file = await PageFile.open(path, options);
    try {
      const { meta, warning } = chooseMeta(file, file.size);
      const db = new BoltDb(file, meta, warning);
      db.#checkGeometry();
      return db;
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  #checkGeometry(): void {
    const { meta, pageSize } = this;
    const rest = this.fileSize % pageSize;
    if (rest !== 0 && rest !== trailerSize) {
      throw damaged(
        this.path,
        'file',
        `${this.fileSize} bytes is neither whole ${pageSize}-byte pages nor pages plus a ${trailerSize}-byte trailer: truncated or padded`,
      );
    }
    const needed = meta.pgid * pageSize;
    if (!(meta.pgid >= 2) || needed > this.dbSize) {
      throw damaged(
        this.path,
        `meta page ${meta.page}`,
        `the db has ${meta.pgid} pages (${needed} bytes) but the file holds ${this.dbSize} bytes of pages: truncated`,
      );
    }
    if (meta.root < 2 || meta.root >= meta.pgid) {
      throw damaged(
        this.path,
        `meta page ${meta.page}`,
        `root page ${meta.root} is outside 2..${meta.pgid - 1}`,
      );
    }
    if (meta.freelist !== undefined && (meta.freelist < 2 || meta.freelist >= meta.pgid)) {
      throw damaged(
        this.path,
        `meta page ${meta.page}`,
        `freelist page ${meta.freelist} is outside 2..${meta.pgid - 1}`,
      );
    }
  }

  /** Copies blocks from `shared` (a reader of the whole file on another thread) when it has them. */
  shareBlocks(shared: SharedBlocks | undefined): void {
    this.#file.shareBlocks(shared);
  }

  /** The root bucket: its entries are the top-level buckets. */
  root(): BucketRef {
    return { name: '(root)', root: this.meta.root };
  }

  /** A tracker with the meta pages marked, for walks that must see each page once. */
  tracker(): PageTracker {
    const tracker = new PageTracker(this.path, this.meta.pgid);
    tracker.reach(0, 1, 'meta pages', 'the file header');
    return tracker;
  }

  /**
   * Reads page `id` (with its overflow pages) into `into`, checking that it
   * lies inside the db, says it is page `id`, and has one of the `expected`
   * types. The page is a view into `into`, valid until `into` is reused.
   */
  page(
    id: number,
    expected: readonly number[],
    reference: string,
    tracker?: PageTracker,
    into: PageBuffer = new PageBuffer(),
  ): Page {
    const { pageSize, meta } = this;
    if (!(id >= 2 && id < meta.pgid)) {
      throw damaged(this.path, reference, `points to page ${id}, outside the data pages 2..${meta.pgid - 1}`);
    }
    const where = pageWhere(id, pageSize);
    let bytes = into.ensure(pageSize);
    this.#file.readInto(bytes, 0, id * pageSize, pageSize);
    let page = pageFrom(bytes.subarray(0, pageSize), where, this.path);
    if (page.id !== id) throw damaged(this.path, where, `its header says it is page ${page.id}`);
    if (!expected.includes(page.flags)) {
      throw damaged(
        this.path,
        where,
        `is a ${pageTypeName(page.flags)} page where ${expected.map(pageTypeName).join(' or ')} was expected (${reference})`,
      );
    }
    if (id + page.overflow >= meta.pgid) {
      throw damaged(
        this.path,
        where,
        `its ${page.overflow} overflow pages run past the last page ${meta.pgid - 1}`,
      );
    }
    const size = (page.overflow + 1) * pageSize;
    if (size > maxPageBytes) {
      throw damaged(
        this.path,
        where,
        `claims ${page.overflow} overflow pages (${size} bytes), more than the ${maxPageBytes}-byte limit`,
      );
    }
    tracker?.reach(id, page.overflow, where, reference);
    if (page.overflow > 0) {
      // The first page is in already: read the overflow pages after it.
      bytes = into.ensure(size, pageSize);
      this.#file.readInto(bytes, pageSize, (id + 1) * pageSize, size - pageSize);
      page = pageFrom(bytes.subarray(0, size), where, this.path);
    }
    return page;
  }

  /** The bucket stored in `entry` of bucket `parent`. */
  bucketOf(entry: LeafElement, parent: BucketRef): BucketRef {
    const name = `${parent.name === '(root)' ? '' : `${parent.name}/`}${printable(entry.key)}`;
    if (!entry.isBucket) throw damaged(this.path, `bucket ${parent.name}`, `key ${name} is not a bucket`);
    if (entry.value.length < bucketHeaderSize) {
      throw damaged(
        this.path,
        `bucket ${name}`,
        `its header is ${entry.value.length} bytes, expected ${bucketHeaderSize}`,
      );
    }
    const root = u64(dataView(entry.value), 0);
    if (root !== 0) return { name, root };
    const where = `the inline page of bucket ${name}`;
    const inline = pageFrom(entry.value.subarray(bucketHeaderSize), where, this.path);
    if (inline.flags !== PageFlag.leaf) {
      throw damaged(this.path, where, `is a ${pageTypeName(inline.flags)} page; inline pages are leaves`);
    }
    return { name, inline };
  }

  /** The entry with exactly this key in `bucket` (a B-tree descent, not a scan). */
  async get(bucket: BucketRef, key: string | Uint8Array): Promise<LeafElement | undefined> {
    const wanted =
      typeof key === 'string' ? Buffer.from(key) : Buffer.from(key.buffer, key.byteOffset, key.length);
    let page =
      'inline' in bucket ? bucket.inline : this.page(bucket.root, treePages, `bucket ${bucket.name}`);
    for (let depth = 0; page.flags === PageFlag.branch; depth++) {
      if (depth > maxDepth) throw damaged(this.path, page.where, `tree deeper than ${maxDepth} levels`);
      // The child to follow is the last one whose first key is <= the key wanted.
      const elements = branchElements(page);
      let chosen = elements[0];
      for (const element of elements) {
        if (Buffer.compare(element.key, wanted) > 0) break;
        chosen = element;
      }
      if (!chosen) throw damaged(this.path, page.where, 'branch page without elements');
      page = this.page(chosen.child, treePages, `branch ${page.where}`);
    }
    return leafElements(page).find((e) => e.key.equals(wanted));
  }

  /** A sub-bucket of `parent` by name, or undefined when there is none. */
  async bucket(name: string | Uint8Array, parent: BucketRef = this.root()): Promise<BucketRef | undefined> {
    const found = await this.get(parent, name);
    return found?.isBucket ? this.bucketOf(found, parent) : undefined;
  }

  /**
   * Every entry of a bucket in key order (or reverse key order), checking on
   * the way that keys strictly increase and lie between their parent's branch
   * keys. Nested buckets are entries with `isBucket`; open them with bucketOf().
   * An entry's key and value are views into a buffer the walk reuses: they are
   * valid until the walk moves past the entry's leaf page; copy what you keep.
   */
  async *entries(
    bucket: BucketRef,
    options: { tracker?: PageTracker; reverse?: boolean } = {},
  ): AsyncGenerator<LeafElement> {
    const tracker = options.tracker ?? this.tracker();
    const reverse = options.reverse ?? false;
    // Each page this walk holds (a branch per level, the current leaf) lives in a buffer of its
    // own, recycled when the walk is done with that page: no allocation per page read.
    const spare: PageBuffer[] = [];
    const read = (id: number, reference: string): { page: Page; buffer: PageBuffer } => {
      const buffer = spare.pop() ?? new PageBuffer();
      return { page: this.page(id, treePages, reference, tracker, buffer), buffer };
    };
    const stack: Frame[] = [];
    // The nearest key already yielded: every later key must sort after it (before it, in reverse).
    // It lives in a leaf buffer that may be reused, so it is copied.
    let edge: Buffer | undefined;
    const edgeBuffer = new PageBuffer();
    let next: Visit | undefined =
      'inline' in bucket
        ? { page: bucket.inline, buffer: undefined, low: undefined, high: undefined }
        : { ...read(bucket.root, `bucket ${bucket.name}`), low: undefined, high: undefined };
    let pagesRead = 0;
    while (true) {
      if (next) {
        const { page, buffer, low, high } = next;
        next = undefined;
        if (page.flags === PageFlag.branch) {
          if (stack.length >= maxDepth)
            throw damaged(this.path, page.where, `tree deeper than ${maxDepth} levels`);
          const elements = branchElements(page);
          if (elements.length === 0) throw damaged(this.path, page.where, 'branch page without elements');
          this.#checkOrder(page, elements, low, high);
          stack.push({ page, buffer, elements, index: reverse ? elements.length - 1 : 0, high });
        } else {
          const elements = leafElements(page);
          this.#checkOrder(page, elements, low, high);
          if (elements.length > 0) {
            const near = elements[reverse ? elements.length - 1 : 0]!.key;
            if (edge && Buffer.compare(near, edge) * (reverse ? -1 : 1) <= 0) {
              throw damaged(
                this.path,
                page.where,
                `key ${printable(near)} is out of order with the page before`,
              );
            }
            if (reverse) {
              for (let i = elements.length - 1; i >= 0; i--) yield elements[i]!;
            } else {
              for (const element of elements) yield element;
            }
            const last = elements[reverse ? 0 : elements.length - 1]!.key;
            edge = edgeBuffer.ensure(last.length).subarray(0, last.length);
            last.copy(edge);
          }
          if (buffer) spare.push(buffer);
        }
      }
      const top = stack[stack.length - 1];
      if (!top) return;
      if (top.index < 0 || top.index >= top.elements.length) {
        stack.pop();
        if (top.buffer) spare.push(top.buffer);
        continue;
      }
      const index = top.index;
      top.index += reverse ? -1 : 1;
      const element = top.elements[index]!;
      const high = index + 1 < top.elements.length ? top.elements[index + 1]!.key : top.high;
      // Reads are synchronous: now and then, let the event loop run.
      if (++pagesRead % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
      next = {
        ...read(element.child, `element ${index} of branch ${top.page.where}`),
        low: element.key,
        high,
      };
    }
  }

  /** Keys strictly increasing within the page and within [low, high) set by the parent branch. */
  #checkOrder(
    page: Page,
    elements: readonly (BranchElement | LeafElement)[],
    low: Buffer | undefined,
    high: Buffer | undefined,
  ): void {
    for (let i = 1; i < elements.length; i++) {
      const key = elements[i]!.key;
      if (Buffer.compare(elements[i - 1]!.key, key) >= 0) {
        throw damaged(this.path, page.where, `key ${i} (${printable(key)}) is not after the key before it`);
      }
    }
    const firstKey = elements[0]?.key;
    const lastKey = elements[elements.length - 1]?.key;
    if (firstKey && low && Buffer.compare(firstKey, low) < 0) {
      throw damaged(
        this.path,
        page.where,
        `key 0 (${printable(firstKey)}) sorts before its parent's branch key`,
      );
    }
    if (lastKey && high && Buffer.compare(lastKey, high) >= 0) {
      throw damaged(
        this.path,
        page.where,
        `key ${elements.length - 1} (${printable(lastKey)}) is not before the next branch key`,
      );
    }
  }

  async close(): Promise<void> {
    await this.#file.close();
  }
}

interface Frame {
  page: Page;
  buffer: PageBuffer | undefined;
  elements: BranchElement[];
  index: number;
  high: Buffer | undefined;
}

interface Visit {
  page: Page;
  /** The buffer holding the page (none for an inline page, which lives in its parent's value). */
  buffer: PageBuffer | undefined;
  low: Buffer | undefined;
  high: Buffer | undefined;
}

const treePages = [PageFlag.branch, PageFlag.leaf];

/** bbolt trees are balanced; 64 levels would hold more keys than any file can. */
const maxDepth = 64;
