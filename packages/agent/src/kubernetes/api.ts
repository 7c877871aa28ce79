// The parts of @kubernetes/client-node that backup reporting uses, imported lazily
// (`await import('./api.ts')`) by client.ts and status.ts: a backup that reports to no cluster
// never loads the client. Named re-exports, not `import('@kubernetes/client-node')`, so the
// bundler still drops the hundreds of API classes nobody calls.
export { BatchV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
