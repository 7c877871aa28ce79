// The `vscode` module as a test double: enough of the API for activate(), the
// tree providers and the command flows to run under vitest. It records what
// the extension did (registrations, messages, opened documents, diffs,
// clipboard) and answers prompts from queues the test fills, so a test reads
// as a user session: "answers the passphrase box with X, expects a diff".
import { URL } from 'node:url';

type Listener<T> = (value: T) => void;
type Handler = (...args: unknown[]) => unknown;

export interface FakeOutputChannel {
  name: string;
  options: unknown;
  lines: string[];
  shown: number;
  info: (...parts: unknown[]) => void;
  warn: (...parts: unknown[]) => void;
  error: (...parts: unknown[]) => void;
  show: (preserveFocus?: boolean) => void;
  dispose: () => void;
}

export interface Message {
  severity: 'error' | 'warning' | 'info';
  text: string;
  actions: string[];
}

const render = (p: unknown) => (p instanceof Error ? `${p.name}: ${p.message}` : String(p));

/** What a prompt is answered with; undefined = the user pressed Escape. */
export const answers = {
  inputBox: [] as (string | undefined)[],
  quickPick: [] as ((items: unknown[]) => unknown)[],
  openDialog: [] as (Uri[] | undefined)[],
  saveDialog: [] as (Uri | undefined)[],
  /** The button clicked on the next message that offers buttons. */
  messageAction: [] as (string | undefined)[],
  /** Cancel withProgress tasks right away. */
  cancelProgress: false,
};

export const registered = {
  commands: new Map<string, Handler>(),
  treeProviders: new Map<string, unknown>(),
  contentProviders: new Map<string, { provideTextDocumentContent(uri: Uri): unknown }>(),
  channels: [] as FakeOutputChannel[],
  messages: [] as Message[],
  /** Back compatibility for tests that read error texts only. */
  errorMessages: [] as string[],
  inputBoxes: [] as { title?: string; prompt?: string; password?: boolean; value?: string }[],
  progress: [] as { title: string; reports: { increment?: number; message?: string }[] }[],
  executed: [] as { id: string; args: unknown[] }[],
  shownDocuments: [] as string[],
  clipboard: '',
  statusBarItems: [] as FakeStatusBarItem[],
  statusMessages: [] as string[],
  settingsWritten: [] as { key: string; value: unknown }[],
};

export const settings: Record<string, unknown> = {};

export function reset(): void {
  registered.commands.clear();
  registered.treeProviders.clear();
  registered.contentProviders.clear();
  for (const list of [
    registered.channels,
    registered.messages,
    registered.errorMessages,
    registered.inputBoxes,
    registered.progress,
    registered.executed,
    registered.shownDocuments,
    registered.statusBarItems,
    registered.statusMessages,
    registered.settingsWritten,
  ] as unknown[][])
    list.length = 0;
  registered.clipboard = '';
  answers.inputBox.length = 0;
  answers.quickPick.length = 0;
  answers.openDialog.length = 0;
  answers.saveDialog.length = 0;
  answers.messageAction.length = 0;
  answers.cancelProgress = false;
  for (const key of Object.keys(settings)) delete settings[key];
}

const disposable = (onDispose: () => void = () => {}) => ({ dispose: onDispose });

export class Uri {
  readonly scheme: string;
  readonly path: string;
  readonly query: string;
  private constructor(scheme: string, path: string, query = '') {
    this.scheme = scheme;
    this.path = path;
    this.query = query;
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static from(parts: { scheme: string; path?: string; query?: string }): Uri {
    return new Uri(parts.scheme, parts.path ?? '', parts.query ?? '');
  }
  static parse(text: string): Uri {
    const url = new URL(text);
    return new Uri(
      url.protocol.replace(/:$/, ''),
      decodeURIComponent(url.pathname),
      url.search.replace(/^\?/, ''),
    );
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path.split('/').map(encodeURIComponent).join('/')}${this.query ? `?${this.query}` : ''}`;
  }
}

async function message(severity: Message['severity'], text: string, ...actions: unknown[]) {
  const buttons = actions.filter((a): a is string => typeof a === 'string');
  registered.messages.push({ severity, text, actions: buttons });
  if (severity === 'error') registered.errorMessages.push(text);
  return buttons.length ? answers.messageAction.shift() : undefined;
}

export class FakeStatusBarItem {
  text = '';
  tooltip: unknown;
  command: unknown;
  name = '';
  backgroundColor: unknown;
  visible = false;
  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  dispose() {
    this.visible = false;
  }
}

export const window = {
  createOutputChannel(name: string, options?: unknown): FakeOutputChannel {
    const channel: FakeOutputChannel = {
      name,
      options,
      lines: [],
      shown: 0,
      info: (...parts) => channel.lines.push(`info ${parts.map(render).join(' ')}`),
      warn: (...parts) => channel.lines.push(`warn ${parts.map(render).join(' ')}`),
      error: (...parts) => channel.lines.push(`error ${parts.map(render).join(' ')}`),
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
  showErrorMessage: (text: string, ...actions: unknown[]) => message('error', text, ...actions),
  showWarningMessage: (text: string, ...actions: unknown[]) => message('warning', text, ...actions),
  showInformationMessage: (text: string, ...actions: unknown[]) => message('info', text, ...actions),
  async showInputBox(options: {
    title?: string;
    prompt?: string;
    password?: boolean;
    value?: string;
    validateInput?: (v: string) => unknown;
  }) {
    registered.inputBoxes.push(options);
    const answer = answers.inputBox.length ? answers.inputBox.shift() : undefined;
    if (answer !== undefined && options.validateInput) {
      const problem = await options.validateInput(answer);
      if (problem) throw new Error(`test answered an input box with an invalid value: ${String(problem)}`);
    }
    return answer;
  },
  async showQuickPick(items: unknown[]) {
    const pick = answers.quickPick.shift();
    return pick ? pick(await items) : undefined;
  },
  async showOpenDialog() {
    return answers.openDialog.shift();
  },
  async showSaveDialog() {
    return answers.saveDialog.shift();
  },
  async withProgress<T>(
    options: { title?: string },
    task: (
      progress: { report: (value: { increment?: number; message?: string }) => void },
      token: {
        isCancellationRequested: boolean;
        onCancellationRequested: (l: () => void) => { dispose(): void };
      },
    ) => Promise<T>,
  ): Promise<T> {
    const record = { title: options.title ?? '', reports: [] as { increment?: number; message?: string }[] };
    registered.progress.push(record);
    const listeners: (() => void)[] = [];
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (l: () => void) => {
        listeners.push(l);
        return disposable();
      },
    };
    const running = task({ report: (v) => record.reports.push(v) }, token);
    if (answers.cancelProgress) {
      token.isCancellationRequested = true;
      for (const l of listeners) l();
    }
    return running;
  },
  createStatusBarItem(id: string) {
    const item = new FakeStatusBarItem(id);
    registered.statusBarItems.push(item);
    return item;
  },
  setStatusBarMessage(text: string) {
    registered.statusMessages.push(text);
    return disposable();
  },
  async showTextDocument(document: Uri | { uri: Uri }) {
    const uri = document instanceof Uri ? document : document.uri;
    registered.shownDocuments.push(uri.toString());
    return {};
  },
};

export const commands = {
  registerCommand(id: string, handler: Handler) {
    if (registered.commands.has(id)) throw new Error(`command ${id} already exists`);
    registered.commands.set(id, handler);
    return disposable(() => registered.commands.delete(id));
  },
  executeCommand(id: string, ...args: unknown[]) {
    registered.executed.push({ id, args });
    const handler = registered.commands.get(id);
    // VS Code's own commands (vscode.diff, setContext, view focus) are recorded, not run.
    if (!handler) return Promise.resolve(undefined);
    return Promise.resolve(handler(...args));
  },
};

export const workspace = {
  workspaceFolders: undefined as undefined | { uri: Uri }[],
  getConfiguration(section: string) {
    return {
      get: (key: string) => settings[`${section}.${key}`],
      update: async (key: string, value: unknown) => {
        settings[`${section}.${key}`] = value;
        registered.settingsWritten.push({ key: `${section}.${key}`, value });
      },
    };
  },
  onDidChangeConfiguration: () => disposable(),
  registerTextDocumentContentProvider(
    scheme: string,
    provider: { provideTextDocumentContent(uri: Uri): unknown },
  ) {
    registered.contentProviders.set(scheme, provider);
    return disposable(() => registered.contentProviders.delete(scheme));
  },
  async openTextDocument(uri: Uri) {
    const provider = registered.contentProviders.get(uri.scheme);
    const text = provider ? await provider.provideTextDocumentContent(uri) : undefined;
    return { uri, getText: () => String(text ?? '') };
  },
};

/** The text VS Code would show for a virtual document. */
export async function documentText(uri: Uri): Promise<string> {
  return (await workspace.openTextDocument(uri)).getText();
}

export const languages = {
  async setTextDocumentLanguage<T>(document: T) {
    return document;
  },
};

export const env = {
  clipboard: {
    async writeText(text: string) {
      registered.clipboard = text;
    },
  },
};

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 } as const;
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 } as const;

export class ThemeColor {
  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
}

export class ThemeIcon {
  static readonly File = new ThemeIcon('file');
  static readonly Folder = new ThemeIcon('folder');
  readonly id: string;
  readonly color?: ThemeColor | undefined;
  constructor(id: string, color?: ThemeColor) {
    this.id = id;
    this.color = color;
  }
}

export class TreeItem {
  label: string;
  collapsibleState: number;
  id?: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconPath?: ThemeIcon;
  resourceUri?: Uri;
  accessibilityInformation?: { label: string };
  command?: { command: string; title: string; arguments?: unknown[] };

  constructor(label: string, collapsibleState: number = TreeItemCollapsibleState.None) {
    this.label = label;
    this.collapsibleState = collapsibleState;
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
