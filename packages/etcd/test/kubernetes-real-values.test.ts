// Values captured from a real kube-apiserver 1.35.4 (etcdctl get -w json) and
// the objects its API served for them (minus resourceVersion, which etcd does
// not store): decoding must reproduce the API's JSON exactly, without servers.
import { isLifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  decodeObject,
  decodeValue,
  exportValue,
  storedValueField,
  toApplyYaml,
} from '../src/kubernetes/index.ts';

const configMapValue = Buffer.from(
  'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEqIDCtQCCgphcHAtY29uZmlnEgAaB2RlZmF1bHQiACokM2E5YmIwNTMtMzVjNy00ZDg0LWFj' +
    'ZDktOTU1ZmVhYjRjZDdkMgA4AEIICP/mhtgGEABaCwoDYXBwEgRzaG9wYhAKBHRlYW0SCHBheW1lbnRzigHkAQoHdW5rbm93bhIG' +
    'VXBkYXRlGgJ2MSIICP/mhtgGEAAyCEZpZWxkc1YxOrYBCrMBeyJmOmJpbmFyeURhdGEiOnsiLiI6e30sImY6bG9nby5iaW4iOnt9' +
    'fSwiZjpkYXRhIjp7Ii4iOnt9LCJmOmFwcC5wcm9wZXJ0aWVzIjp7fSwiZjplbmFibGVkIjp7fX0sImY6bWV0YWRhdGEiOnsiZjph' +
    'bm5vdGF0aW9ucyI6eyIuIjp7fSwiZjp0ZWFtIjp7fX0sImY6bGFiZWxzIjp7Ii4iOnt9LCJmOmFwcCI6e319fX1CABInCg5hcHAu' +
    'cHJvcGVydGllcxIVbW9kZT1wcm9kCnJlcGxpY2FzPTMKEg4KB2VuYWJsZWQSA3llcxoQCghsb2dvLmJpbhIEAAEC/xoAIgA=',
  'base64',
);

const secretValue = Buffer.from(
  'azhzAAoMCgJ2MRIGU2VjcmV0EoICCskBCgZkYi10bHMSABoHZGVmYXVsdCIAKiQ2MjU1ZTQyOS1iYWU1LTRhODEtODM4MS1kYmY4' +
    'YjAxNGUxY2EyADgAQggI/+aG2AYQAIoBfQoHdW5rbm93bhIGVXBkYXRlGgJ2MSIICP/mhtgGEAAyCEZpZWxkc1YxOlAKTnsiZjpk' +
    'YXRhIjp7Ii4iOnt9LCJmOnRscy5jcnQiOnt9LCJmOnRscy5rZXkiOnt9fSwiZjppbW11dGFibGUiOnt9LCJmOnR5cGUiOnt9fUIA' +
    'Eg8KB3Rscy5jcnQSBENFUlQSDgoHdGxzLmtleRIDS0VZGhFrdWJlcm5ldGVzLmlvL3RscygBGgAiAA==',
  'base64',
);

const deploymentValue = Buffer.from(
  'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErsHCrQFCgRzaG9wEgAaB2RlZmF1bHQiACokZjIxZDY5OTgtZTJiOC00YjEyLTg4' +
    'ZjUtOGYxMjRjMmZjNjk2MgA4AUIICP/mhtgGEACKAekECgd1bmtub3duEgZVcGRhdGUaB2FwcHMvdjEiCAj/5obYBhAAMghGaWVs' +
    'ZHNWMTq2BAqzBHsiZjpzcGVjIjp7ImY6cHJvZ3Jlc3NEZWFkbGluZVNlY29uZHMiOnt9LCJmOnJlcGxpY2FzIjp7fSwiZjpyZXZp' +
    'c2lvbkhpc3RvcnlMaW1pdCI6e30sImY6c2VsZWN0b3IiOnt9LCJmOnN0cmF0ZWd5Ijp7ImY6cm9sbGluZ1VwZGF0ZSI6eyIuIjp7' +
    'fSwiZjptYXhTdXJnZSI6e30sImY6bWF4VW5hdmFpbGFibGUiOnt9fSwiZjp0eXBlIjp7fX0sImY6dGVtcGxhdGUiOnsiZjptZXRh' +
    'ZGF0YSI6eyJmOmxhYmVscyI6eyIuIjp7fSwiZjphcHAiOnt9fX0sImY6c3BlYyI6eyJmOmNvbnRhaW5lcnMiOnsiazp7XCJuYW1l' +
    'XCI6XCJzaG9wXCJ9Ijp7Ii4iOnt9LCJmOmltYWdlIjp7fSwiZjppbWFnZVB1bGxQb2xpY3kiOnt9LCJmOm5hbWUiOnt9LCJmOnJl' +
    'c291cmNlcyI6e30sImY6dGVybWluYXRpb25NZXNzYWdlUGF0aCI6e30sImY6dGVybWluYXRpb25NZXNzYWdlUG9saWN5Ijp7fX19' +
    'LCJmOmRuc1BvbGljeSI6e30sImY6cmVzdGFydFBvbGljeSI6e30sImY6c2NoZWR1bGVyTmFtZSI6e30sImY6c2VjdXJpdHlDb250' +
    'ZXh0Ijp7fSwiZjp0ZXJtaW5hdGlvbkdyYWNlUGVyaW9kU2Vjb25kcyI6e319fX19QgAS8wEIARINCgsKA2FwcBIEc2hvcBqtAQod' +
    'CgASABoAIgAqADIAOABCAFoLCgNhcHASBHNob3ASiwESRgoEc2hvcBIGc2hvcDoxKgBCAGoUL2Rldi90ZXJtaW5hdGlvbi1sb2dy' +
    'DElmTm90UHJlc2VudIABAIgBAJABAKIBBEZpbGUaBkFsd2F5cyAeMgxDbHVzdGVyRmlyc3RCAEoAUgBYAGAAaAByAIIBAIoBAJoB' +
    'EWRlZmF1bHQtc2NoZWR1bGVywgEAIicKDVJvbGxpbmdVcGRhdGUSFgoJCAEQABoDMjUlEgkIARAAGgMyNSUoADAKOABI2AQaDAgA' +
    'EAAYACAAKAA4ABoAIgA=',
  'base64',
);

const servedConfigMap = {
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: {
    name: 'app-config',
    namespace: 'default',
    uid: '3a9bb053-35c7-4d84-acd9-955feab4cd7d',
    creationTimestamp: '2026-11-21T15:06:39Z',
    labels: { app: 'shop' },
    annotations: { team: 'payments' },
    managedFields: [
      {
        manager: 'unknown',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-11-21T15:06:39Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:binaryData': { '.': {}, 'f:logo.bin': {} },
          'f:data': { '.': {}, 'f:app.properties': {}, 'f:enabled': {} },
          'f:metadata': { 'f:annotations': { '.': {}, 'f:team': {} }, 'f:labels': { '.': {}, 'f:app': {} } },
        },
      },
    ],
  },
  data: { 'app.properties': 'mode=prod\nreplicas=3\n', enabled: 'yes' },
  binaryData: { 'logo.bin': 'AAEC/w==' },
};

const servedSecret = {
  kind: 'Secret',
  apiVersion: 'v1',
  metadata: {
    name: 'db-tls',
    namespace: 'default',
    uid: '6255e429-bae5-4a81-8381-dbf8b014e1ca',
    creationTimestamp: '2026-11-21T15:06:39Z',
    managedFields: [
      {
        manager: 'unknown',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-11-21T15:06:39Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { '.': {}, 'f:tls.crt': {}, 'f:tls.key': {} },
          'f:immutable': {},
          'f:type': {},
        },
      },
    ],
  },
  immutable: true,
  data: { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ' },
  type: 'kubernetes.io/tls',
};

const servedDeployment = {
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  metadata: {
    name: 'shop',
    namespace: 'default',
    uid: 'f21d6998-e2b8-4b12-88f5-8f124c2fc696',
    generation: 1,
    creationTimestamp: '2026-11-21T15:06:39Z',
    managedFields: [
      {
        manager: 'unknown',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2026-11-21T15:06:39Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:progressDeadlineSeconds': {},
            'f:replicas': {},
            'f:revisionHistoryLimit': {},
            'f:selector': {},
            'f:strategy': {
              'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} },
              'f:type': {},
            },
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"shop"}': {
                    '.': {},
                    'f:image': {},
                    'f:imagePullPolicy': {},
                    'f:name': {},
                    'f:resources': {},
                    'f:terminationMessagePath': {},
                    'f:terminationMessagePolicy': {},
                  },
                },
                'f:dnsPolicy': {},
                'f:restartPolicy': {},
                'f:schedulerName': {},
                'f:securityContext': {},
                'f:terminationGracePeriodSeconds': {},
              },
            },
          },
        },
      },
    ],
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'shop' } },
    template: {
      metadata: { labels: { app: 'shop' } },
      spec: {
        containers: [
          {
            name: 'shop',
            image: 'shop:1',
            resources: {},
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'IfNotPresent',
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: {},
        schedulerName: 'default-scheduler',
      },
    },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
  status: {},
};

describe('values stored by kube-apiserver 1.35', () => {
  it.each([
    ['ConfigMap', configMapValue, servedConfigMap],
    ['Secret', secretValue, servedSecret],
  ])('decodes a %s exactly as the API served it', (_kind, value, served) => {
    const decoded = decodeObject(value);
    expect(decoded.complete).toBe(true);
    expect(decoded.encoding).toBe('protobuf');
    expect(decoded.object).toEqual(served);
  });

  it('decodes a Deployment to apiVersion, kind and the full metadata', () => {
    const decoded = decodeObject(deploymentValue);
    expect(decoded.complete).toBe(false);
    expect(decoded.object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: servedDeployment.metadata,
    });
  });

  it('reads type and metadata for listings', () => {
    const v = decodeValue(secretValue);
    expect(v).toMatchObject({
      encoding: 'protobuf',
      apiVersion: 'v1',
      kind: 'Secret',
      size: secretValue.length,
    });
    expect(v.metadata?.name).toBe('db-tls');
  });

  it('exports the ConfigMap as an apply manifest without server fields', () => {
    expect(parse(toApplyYaml(decodeObject(configMapValue).object), { version: '1.1' })).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'app-config',
        namespace: 'default',
        labels: { app: 'shop' },
        annotations: { team: 'payments' },
      },
      data: servedConfigMap.data,
      binaryData: servedConfigMap.binaryData,
    });
  });

  it('exports the immutable TLS Secret with type and immutable kept', () => {
    const manifest = parse(exportValue(secretValue, 'yaml'), { version: '1.1' });
    expect(manifest).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-tls', namespace: 'default' },
      immutable: true,
      data: servedSecret.data,
      type: 'kubernetes.io/tls',
    });
  });

  it('exports the Deployment with its metadata and the exact stored bytes', () => {
    const doc = parse(exportValue(deploymentValue, 'yaml')) as Record<string, unknown>;
    expect(doc['metadata']).toEqual(servedDeployment.metadata);
    expect(doc[storedValueField]).toEqual({
      encoding: 'protobuf',
      base64: deploymentValue.toString('base64'),
    });
  });

  it('rejects every truncation as damaged, except cuts of the trailing empty envelope fields', () => {
    // kube-apiserver ends each envelope with contentEncoding = "" and contentType = ""
    // (1a 00 22 00); dropping whole empty fields leaves a valid, identical message.
    const whole = decodeObject(configMapValue).object;
    const accepted: number[] = [];
    for (let length = 4; length < configMapValue.length; length++) {
      try {
        expect(decodeObject(configMapValue.subarray(0, length)).object).toEqual(whole);
        accepted.push(configMapValue.length - length);
      } catch (err) {
        expect(isLifeboatError(err, 'integrity'), String(err)).toBe(true);
      }
    }
    expect(accepted).toEqual([4, 2]);
  });

  it('never crashes on a flipped byte: a LifeboatError or a decoded object', () => {
    for (const value of [configMapValue, secretValue, deploymentValue]) {
      for (let i = 0; i < value.length; i++) {
        const damaged = Buffer.from(value);
        damaged[i] = damaged[i]! ^ 0xff;
        try {
          decodeObject(damaged);
        } catch (err) {
          expect(isLifeboatError(err), `byte ${i}: ${String(err)}`).toBe(true);
        }
      }
    }
  });
});
