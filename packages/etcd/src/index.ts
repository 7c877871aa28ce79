export * from './discovery.ts';
export * from './grpc/index.ts';
export * from './kubernetes/index.ts';
export * from './manifest.ts';
export * from './protobuf/wire.ts';
export * from './snapshot/index.ts';
