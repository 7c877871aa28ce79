// activate() against the test double, returning the services tests drive.
import { vi } from 'vitest';

vi.mock('vscode', () => import('./fake-vscode.ts'));

export const vscode = await import('./fake-vscode.ts');
export const extension = await import('../src/extension.ts');

export interface Activated {
  subscriptions: { dispose(): unknown }[];
  storage: string;
}

export function activate(storage = '/nonexistent/lifeboat-storage'): Activated {
  const secrets = new Map<string, string>();
  const state = new Map<string, unknown>();
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    globalStorageUri: vscode.Uri.file(storage),
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    },
    globalState: {
      get: (k: string) => state.get(k),
      update: async (k: string, v: unknown) => void state.set(k, v),
    },
  };
  extension.activate(context as never);
  return { subscriptions: context.subscriptions, storage };
}

export function dispose(activated: Activated): void {
  for (const s of activated.subscriptions) s.dispose();
}

/** A registered tree provider, by view id. */
export function tree<T>(id: string): {
  getChildren(e?: T): Promise<T[]> | T[];
  getTreeItem(e: T): {
    label: string;
    description?: string;
    contextValue?: string;
    tooltip?: string;
    iconPath?: { id: string };
    command?: { command: string; arguments?: unknown[] };
  };
} {
  const provider = vscode.registered.treeProviders.get(id);
  if (!provider) throw new Error(`no tree provider for ${id}`);
  return provider as never;
}
