// core/v1 Secret body from protobuf. Field numbers from k8s.io/api v0.35.4
// core/v1/generated.proto: metadata = 1, data = 2 (map<string, bytes>),
// type = 3, stringData = 4 (write-only, normally never stored), immutable = 5.
import { asBool, asBytes, asString, fields } from '../protobuf/wire.ts';
import { addBytesEntry, addStringEntry } from './proto-values.ts';

export function decodeSecretBody(raw: Uint8Array): Record<string, unknown> {
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  let type: string | undefined;
  let immutable: boolean | undefined;
  for (const f of fields(raw, 'Secret')) {
    if (f.number === 2) addBytesEntry(data, asBytes(f), 'Secret.data');
    else if (f.number === 3) type = asString(f);
    else if (f.number === 4) addStringEntry(stringData, asBytes(f), 'Secret.stringData');
    else if (f.number === 5) immutable = asBool(f);
  }
  return {
    ...(immutable === undefined ? {} : { immutable }),
    ...(Object.keys(data).length > 0 ? { data } : {}),
    ...(Object.keys(stringData).length > 0 ? { stringData } : {}),
    ...(type ? { type } : {}), // omitempty: Go writes "" into protobuf
  };
}
