// Every command the extension contributes; package.json lists the same ids.
import { backUpNow, forgetPassphrases } from './back-up-now.ts';
import { addSource, refresh, showMore } from './browse.ts';
import type { ExtensionCommand } from './command.ts';
import { closeBackup, openBackup, openObject, saveObjectAsYaml } from './opened.ts';
import { copyStepCommands, openRunbook, openScript, showManifestEdit } from './plan-actions.ts';
import { changeMembers, restorePlanCommand } from './restore-plan.ts';
import { showLog } from './show-log.ts';
import { verify, verifyWithKey } from './verify.ts';

export const commands: readonly ExtensionCommand[] = [
  showLog,
  refresh,
  showMore,
  addSource,
  verify,
  verifyWithKey,
  openBackup,
  closeBackup,
  openObject,
  saveObjectAsYaml,
  restorePlanCommand,
  changeMembers,
  openRunbook,
  openScript,
  showManifestEdit,
  copyStepCommands,
  backUpNow,
  forgetPassphrases,
];
