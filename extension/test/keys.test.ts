// Choosing keys: a protected private key's passphrase is asked in a password
// box (again when wrong, at most three times), kept in SecretStorage only
// when the user opted in, and forgotten on request.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { vscode } from './activate.ts';

const { KeyRing } = await import('../src/keys/key-ring.ts');
const { readSettings } = await import('../src/settings.ts');

let dir: string;
let keyFile: string;
let fingerprint: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-ext-keys-'));
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ name: 'On-call', email: 'oncall@example.invalid' }],
    passphrase: 'correct horse',
    format: 'armored',
  });
  keyFile = join(dir, 'oncall.key.asc');
  await writeFile(keyFile, privateKey, { mode: 0o600 });
  fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function ring(remember: boolean) {
  vscode.settings['lifeboat.privateKeys'] = [keyFile];
  vscode.settings['lifeboat.rememberPassphrase'] = remember;
  const secrets = new Map<string, string>();
  const keys = new KeyRing(
    () => readSettings(vscode.workspace.getConfiguration('lifeboat') as never),
    {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    } as never,
    { get: () => undefined, update: async () => {} } as never,
  );
  return { keys, secrets };
}

beforeEach(() => vscode.reset());

describe('KeyRing', () => {
  it('asks again after a wrong passphrase, in a password box, and remembers only when told to', async () => {
    const { keys, secrets } = ring(true);
    vscode.answers.inputBox.push('wrong', 'correct horse');
    const chosen = await keys.decryptionKeys('open a backup');
    expect(chosen?.keys[0]?.passphrase).toBe('correct horse');
    expect(vscode.registered.inputBoxes).toHaveLength(2);
    expect(vscode.registered.inputBoxes.every((b) => b.password === true)).toBe(true);
    expect(vscode.registered.inputBoxes[1]!.prompt).toMatch(new RegExp(`${fingerprint}.*wrong, try again`));
    expect([...secrets.entries()]).toEqual([[`lifeboat.passphrase.${fingerprint}`, 'correct horse']]);

    // Next time the stored passphrase is used without asking; "Forget" removes it.
    vscode.reset();
    vscode.settings['lifeboat.privateKeys'] = [keyFile];
    expect((await keys.decryptionKeys('open a backup'))?.keys[0]?.passphrase).toBe('correct horse');
    expect(vscode.registered.inputBoxes).toHaveLength(0);
    expect(await keys.forgetPassphrases()).toBe(1);
    expect(secrets.size).toBe(0);
  });

  it('keeps nothing when not told to, and gives up after three wrong answers', async () => {
    const { keys, secrets } = ring(false);
    vscode.answers.inputBox.push('correct horse');
    await keys.decryptionKeys('open a backup');
    expect(secrets.size).toBe(0);
    vscode.answers.inputBox.push('a', 'b', 'c');
    await expect(keys.decryptionKeys('open a backup')).rejects.toMatchObject({
      code: 'crypto',
      message: `wrong passphrase for ${fingerprint}, three times`,
    });
  });

  it('stops quietly when the user presses Escape', async () => {
    const { keys } = ring(false);
    vscode.answers.inputBox.push(undefined);
    await expect(keys.decryptionKeys('open a backup')).resolves.toBeUndefined();
  });
});
