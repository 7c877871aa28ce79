export * from './discovery.ts';
export * from './manifest.ts';
export * from './protobuf/wire.ts';
