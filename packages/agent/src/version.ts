// The version comes from package.json; esbuild inlines it into the bundle.
import manifest from '../package.json' with { type: 'json' };

export const lifeboatVersion: string = manifest.version;
