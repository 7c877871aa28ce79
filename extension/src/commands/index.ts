// Every command the extension contributes; package.json lists the same ids.
import type { ExtensionCommand } from './command.ts';
import { showLog } from './show-log.ts';

export const commands: readonly ExtensionCommand[] = [showLog];
