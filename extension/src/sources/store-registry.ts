// Opens each store once and keeps its catalog (the listing, grouped into
// backups) until a refresh: the tree asks for the same listing at every level,
// and a store with 10,000 backups must not be listed once per click.
import { storeFromSettings } from '@lifeboat/agent/library';
import { type BackupStore, type CatalogEntry, catalog } from '@lifeboat/stores';
import type { Settings } from '../settings.ts';

export class StoreRegistry {
  readonly #stores = new Map<string, BackupStore>();
  readonly #catalogs = new Map<string, Promise<CatalogEntry[]>>();
  #settings: Settings;
  readonly #env: Readonly<Record<string, string | undefined>>;

  constructor(settings: Settings, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.#settings = settings;
    this.#env = env;
  }

  /** New settings (credentials, restic password file): stores are opened again. */
  reconfigure(settings: Settings): void {
    this.#settings = settings;
    this.#stores.clear();
    this.#catalogs.clear();
  }

  async open(url: string): Promise<BackupStore> {
    const known = this.#stores.get(url);
    if (known) return known;
    // The CLI's own way from settings to a store: credentials from the environment,
    // the restic password from its file (with the same errors).
    const passwordFile = this.#settings.resticPasswordFile;
    const store = await storeFromSettings(
      { store: url, ...(passwordFile ? { 'restic-password-file': passwordFile } : {}) },
      this.#env,
    );
    this.#stores.set(url, store);
    return store;
  }

  /** Every backup in the store, newest first per cluster/node; cached until forget(). */
  catalog(url: string): Promise<CatalogEntry[]> {
    let listed = this.#catalogs.get(url);
    if (!listed) {
      listed = this.open(url).then((store) => catalog(store.list('')));
      // A failed listing is not cached: the next expand tries again.
      listed.catch(() => this.#catalogs.delete(url));
      this.#catalogs.set(url, listed);
    }
    return listed;
  }

  forget(url?: string): void {
    if (url) this.#catalogs.delete(url);
    else this.#catalogs.clear();
  }
}
