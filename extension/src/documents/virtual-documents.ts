// Read-only documents the extension shows: an object's YAML from a snapshot,
// a file of an opened backup, both sides of an etcd.yaml edit. One content
// provider for the "lifeboat" scheme; each document is registered with the
// function that produces its text, called when VS Code opens it.
import * as vscode from 'vscode';

export const documentScheme = 'lifeboat';

export class VirtualDocuments implements vscode.TextDocumentContentProvider {
  readonly #contents = new Map<string, () => string | Promise<string>>();

  /** path: "/opened/<id>/objects/default/ConfigMap/app.yaml" — the name shows in the editor tab. */
  register(path: string, content: () => string | Promise<string>): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: documentScheme, path });
    this.#contents.set(uri.toString(), content);
    return uri;
  }

  /** Drops every document under the path prefix (a closed backup, a replaced plan). */
  forget(prefix: string): void {
    for (const key of this.#contents.keys()) {
      if (vscode.Uri.parse(key).path.startsWith(prefix)) this.#contents.delete(key);
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const content = this.#contents.get(uri.toString());
    if (!content)
      return `This Lifeboat document is gone (its backup was closed or its plan replaced): ${uri.path}`;
    return content();
  }
}
