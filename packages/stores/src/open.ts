// From a parsed store URL to a store: the one place that knows every backend.
import { formatStoreUrl, LifeboatError, type StoreLocation } from '@lifeboat/core';
import { LocalStore } from './local.ts';
import type { BackupStore } from './store.ts';

export function openStore(location: StoreLocation): BackupStore {
  switch (location.kind) {
    case 'file':
      return new LocalStore(location.path);
    case 's3':
    case 'restic':
      throw new LifeboatError(
        'usage',
        `cannot open ${formatStoreUrl(location)}: ${location.kind} stores are not available yet; use a file:///path store`,
      );
  }
}
