// core/v1 ConfigMap body from protobuf. Field numbers from k8s.io/api
// v0.35.4 core/v1/generated.proto: metadata = 1, data = 2 (map<string, string>),
// binaryData = 3 (map<string, bytes>), immutable = 4.
import { asBool, asBytes, fields } from '../protobuf/wire.ts';
import { addBytesEntry, addStringEntry } from './proto-values.ts';

export function decodeConfigMapBody(raw: Uint8Array): Record<string, unknown> {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  let immutable: boolean | undefined;
  for (const f of fields(raw, 'ConfigMap')) {
    if (f.number === 2) addStringEntry(data, asBytes(f), 'ConfigMap.data');
    else if (f.number === 3) addBytesEntry(binaryData, asBytes(f), 'ConfigMap.binaryData');
    else if (f.number === 4) immutable = asBool(f);
  }
  return {
    ...(immutable === undefined ? {} : { immutable }),
    ...(Object.keys(data).length > 0 ? { data } : {}),
    ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
  };
}
