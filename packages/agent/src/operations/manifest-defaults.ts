// The CronJob defaults, apart from the generator: `lifeboat manifests --help`
// shows them, and help must not load YAML.
export const manifestDefaults = {
  schedule: '0 */6 * * *',
  namespace: 'lifeboat',
  image: 'lifeboat/agent:0.1.0',
  /** The node the committed base is generated for; replaced by the real names at install. */
  placeholderNode: 'control-plane-1',
} as const;
