// Just enough of the `vscode` module for activate() and the tree to run in a
// test. It records what the extension registered, so tests can look.

type Listener<T> = (value: T) => void;
type Handler = (...args: unknown[]) => unknown;

export interface FakeOutputChannel {
  name: string;
  options: unknown;
  lines: string[];
  shown: number;
  info: (...parts: unknown[]) => void;
  error: (...parts: unknown[]) => void;
  show: () => void;
  dispose: () => void;
}

export const registered = {
  commands: new Map<string, Handler>(),
  treeProviders: new Map<string, unknown>(),
  channels: [] as FakeOutputChannel[],
  errorMessages: [] as string[],
};

export function reset(): void {
  registered.commands.clear();
  registered.treeProviders.clear();
  registered.channels.length = 0;
  registered.errorMessages.length = 0;
}

const disposable = (onDispose: () => void = () => {}) => ({ dispose: onDispose });

export const window = {
  createOutputChannel(name: string, options?: unknown): FakeOutputChannel {
    const channel: FakeOutputChannel = {
      name,
      options,
      lines: [],
      shown: 0,
      info: (...parts) => channel.lines.push(`info ${parts.map(String).join(' ')}`),
      error: (...parts) => channel.lines.push(`error ${parts.map(String).join(' ')}`),
      show: () => {
        channel.shown++;
      },
      dispose: () => {},
    };
    registered.channels.push(channel);
    return channel;
  },
  registerTreeDataProvider(id: string, provider: unknown) {
    registered.treeProviders.set(id, provider);
    return disposable(() => registered.treeProviders.delete(id));
  },
  async showErrorMessage(message: string) {
    registered.errorMessages.push(message);
    return undefined;
  },
};

export const commands = {
  registerCommand(id: string, handler: Handler) {
    if (registered.commands.has(id)) throw new Error(`command ${id} already exists`);
    registered.commands.set(id, handler);
    return disposable(() => registered.commands.delete(id));
  },
  executeCommand(id: string, ...args: unknown[]) {
    const handler = registered.commands.get(id);
    if (!handler) throw new Error(`command ${id} not found`);
    return Promise.resolve(handler(...args));
  },
};

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;

export class TreeItem {
  label: string;
  collapsibleState: number;
  id?: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconPath?: unknown;

  constructor(label: string, collapsibleState: number = TreeItemCollapsibleState.None) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}

export class ThemeIcon {
  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
}

export class EventEmitter<T> {
  #listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>) => {
    this.#listeners.add(listener);
    return disposable(() => this.#listeners.delete(listener));
  };
  fire(value: T): void {
    for (const listener of this.#listeners) listener(value);
  }
  dispose(): void {
    this.#listeners.clear();
  }
}
