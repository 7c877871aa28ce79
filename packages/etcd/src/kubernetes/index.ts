// Kubernetes objects as kube-apiserver stores them in etcd: keys, values,
// listings and apply-ready exports (`snapshot ls/get`, the object browser).
export * from './apply-manifest.ts';
export * from './builtin-resources.ts';
export * from './decode-object.ts';
export * from './decode-value.ts';
export * from './encryption-prefix.ts';
export * from './export-value.ts';
export * from './object-meta.ts';
export * from './registry-key.ts';
export * from './summary.ts';
export type * from './types.ts';
