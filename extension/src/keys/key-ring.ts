// The keys that open and check backups, chosen by the user: private keys from
// the settings (or a file picked when there are none), each passphrase asked
// for in a password box and, when the user opts in, kept in VS Code's
// SecretStorage (the OS keychain) — never in settings, logs or files.
import { LifeboatError } from '@lifeboat/core';
import {
  type DecryptionKey,
  fingerprintOf,
  loadDecryptionKeys,
  loadVerificationKeys,
  publicKeyOf,
} from '@lifeboat/pgp';
import { decryptKey, type PublicKey } from 'openpgp';
import * as vscode from 'vscode';
import type { Settings } from '../settings.ts';

const secretName = (fingerprint: string) => `lifeboat.passphrase.${fingerprint}`;
const lastKeyFile = 'lifeboat.lastPrivateKeyFile';

export class KeyRing {
  readonly #settings: () => Settings;
  readonly #secrets: vscode.SecretStorage;
  readonly #state: vscode.Memento;
  /** Fingerprints whose passphrase this extension stored, for "Forget Passphrases". */
  readonly #stored = new Set<string>();

  constructor(settings: () => Settings, secrets: vscode.SecretStorage, state: vscode.Memento) {
    this.#settings = settings;
    this.#secrets = secrets;
    this.#state = state;
  }

  /** Public keys whose signatures count: the setting lifeboat.signerKeys. */
  async verificationKeys(): Promise<PublicKey[]> {
    const paths = this.#settings().signerKeys;
    return paths.length ? loadVerificationKeys(paths) : [];
  }

  /** The configured private keys (or one picked now), unlocked; undefined when the user backs out. */
  async decryptionKeys(purpose: string): Promise<{ keys: DecryptionKey[]; files: string[] } | undefined> {
    let files = this.#settings().privateKeys;
    if (files.length === 0) {
      const last = this.#state.get<string>(lastKeyFile);
      const picked = await vscode.window.showOpenDialog({
        title: `Lifeboat: private key to ${purpose}`,
        openLabel: 'Use this key',
        canSelectMany: false,
        filters: { 'OpenPGP keys': ['asc', 'gpg', 'key', 'pgp'], 'All files': ['*'] },
        ...(last ? { defaultUri: vscode.Uri.file(last) } : {}),
      });
      if (!picked?.[0]) return undefined;
      files = [picked[0].fsPath];
      await this.#state.update(lastKeyFile, files[0]);
    }
    const keys = await loadDecryptionKeys(files);
    for (const key of keys) {
      if (key.key.isDecrypted()) continue;
      const passphrase = await this.#passphrase(key, purpose);
      if (passphrase === undefined) return undefined;
      key.passphrase = passphrase;
    }
    return { keys, files };
  }

  /** Signature keys plus the public halves of the private keys in use. */
  async allVerificationKeys(keys: readonly DecryptionKey[]): Promise<PublicKey[]> {
    return [...(await this.verificationKeys()), ...keys.map((k) => publicKeyOf(k.key))];
  }

  async forgetPassphrases(): Promise<number> {
    const stored = [...this.#stored];
    await Promise.all(stored.map((f) => this.#secrets.delete(secretName(f))));
    this.#stored.clear();
    return stored.length;
  }

  async #passphrase(key: DecryptionKey, purpose: string): Promise<string | undefined> {
    const fingerprint = fingerprintOf(key.key);
    const name = secretName(fingerprint);
    const kept = await this.#secrets.get(name);
    if (kept !== undefined && (await unlocks(key, kept))) return kept;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const entered = await vscode.window.showInputBox({
        title: `Lifeboat: passphrase to ${purpose}`,
        prompt: `Passphrase of ${key.key.getUserIDs()[0] ?? 'the key'} (${fingerprint})${attempt > 1 ? ' — that one was wrong, try again' : ''}`,
        password: true,
        ignoreFocusOut: true,
      });
      if (entered === undefined) return undefined;
      if (await unlocks(key, entered)) {
        if (this.#settings().rememberPassphrase) {
          await this.#secrets.store(name, entered);
          this.#stored.add(fingerprint);
        }
        return entered;
      }
    }
    throw new LifeboatError('crypto', `wrong passphrase for ${fingerprint}, three times`);
  }
}

async function unlocks(key: DecryptionKey, passphrase: string): Promise<boolean> {
  try {
    await decryptKey({ privateKey: key.key, passphrase });
    return true;
  } catch {
    return false;
  }
}
