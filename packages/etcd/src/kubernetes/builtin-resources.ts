// Built-in resources as kube-apiserver lays them out under its prefix. Their
// keys carry no API group, and some use historical names (minions, controllers,
// services/specs). Source: ExpectedEtcdPath in k8s.io/kubernetes v1.35.4
// test/integration/etcd/data.go, plus resources older releases still stored.

export interface BuiltinResource {
  /** The REST resource name (plural), e.g. "nodes" for the "minions" segment. */
  resource: string;
  /** API group; "" is the core group. */
  group: string;
  namespaced: boolean;
}

const r = (resource: string, group: string, namespaced: boolean): BuiltinResource => ({
  resource,
  group,
  namespaced,
});

/** Keyed by the first key segment after the prefix. */
export const builtinResources: Readonly<Record<string, BuiltinResource>> = {
  // core
  configmaps: r('configmaps', '', true),
  controllers: r('replicationcontrollers', '', true),
  // core/v1 and events.k8s.io/v1 Events share this storage (group of the storage version: core).
  events: r('events', '', true),
  limitranges: r('limitranges', '', true),
  minions: r('nodes', '', false),
  namespaces: r('namespaces', '', false),
  persistentvolumeclaims: r('persistentvolumeclaims', '', true),
  persistentvolumes: r('persistentvolumes', '', false),
  pods: r('pods', '', true),
  podtemplates: r('podtemplates', '', true),
  resourcequotas: r('resourcequotas', '', true),
  secrets: r('secrets', '', true),
  serviceaccounts: r('serviceaccounts', '', true),
  // services/specs and services/endpoints are handled by the key parser (two segments).
  // admissionregistration.k8s.io
  mutatingadmissionpolicies: r('mutatingadmissionpolicies', 'admissionregistration.k8s.io', false),
  mutatingadmissionpolicybindings: r(
    'mutatingadmissionpolicybindings',
    'admissionregistration.k8s.io',
    false,
  ),
  mutatingwebhookconfigurations: r('mutatingwebhookconfigurations', 'admissionregistration.k8s.io', false),
  validatingadmissionpolicies: r('validatingadmissionpolicies', 'admissionregistration.k8s.io', false),
  validatingadmissionpolicybindings: r(
    'validatingadmissionpolicybindings',
    'admissionregistration.k8s.io',
    false,
  ),
  validatingwebhookconfigurations: r(
    'validatingwebhookconfigurations',
    'admissionregistration.k8s.io',
    false,
  ),
  // apps
  controllerrevisions: r('controllerrevisions', 'apps', true),
  daemonsets: r('daemonsets', 'apps', true),
  deployments: r('deployments', 'apps', true),
  replicasets: r('replicasets', 'apps', true),
  statefulsets: r('statefulsets', 'apps', true),
  // autoscaling, batch
  horizontalpodautoscalers: r('horizontalpodautoscalers', 'autoscaling', true),
  cronjobs: r('cronjobs', 'batch', true),
  jobs: r('jobs', 'batch', true),
  // certificates.k8s.io
  certificatesigningrequests: r('certificatesigningrequests', 'certificates.k8s.io', false),
  clustertrustbundles: r('clustertrustbundles', 'certificates.k8s.io', false),
  podcertificaterequests: r('podcertificaterequests', 'certificates.k8s.io', true),
  // coordination.k8s.io, discovery.k8s.io
  leasecandidates: r('leasecandidates', 'coordination.k8s.io', true),
  leases: r('leases', 'coordination.k8s.io', true),
  endpointslices: r('endpointslices', 'discovery.k8s.io', true),
  // flowcontrol.apiserver.k8s.io, internal.apiserver.k8s.io
  flowschemas: r('flowschemas', 'flowcontrol.apiserver.k8s.io', false),
  prioritylevelconfigurations: r('prioritylevelconfigurations', 'flowcontrol.apiserver.k8s.io', false),
  storageversions: r('storageversions', 'internal.apiserver.k8s.io', false),
  // networking.k8s.io
  clustercidrs: r('clustercidrs', 'networking.k8s.io', false),
  ingress: r('ingresses', 'networking.k8s.io', true),
  ingressclasses: r('ingressclasses', 'networking.k8s.io', false),
  ipaddresses: r('ipaddresses', 'networking.k8s.io', false),
  networkpolicies: r('networkpolicies', 'networking.k8s.io', true),
  servicecidrs: r('servicecidrs', 'networking.k8s.io', false),
  // node.k8s.io, policy
  runtimeclasses: r('runtimeclasses', 'node.k8s.io', false),
  poddisruptionbudgets: r('poddisruptionbudgets', 'policy', true),
  podsecuritypolicy: r('podsecuritypolicies', 'policy', false),
  // rbac.authorization.k8s.io
  clusterrolebindings: r('clusterrolebindings', 'rbac.authorization.k8s.io', false),
  clusterroles: r('clusterroles', 'rbac.authorization.k8s.io', false),
  rolebindings: r('rolebindings', 'rbac.authorization.k8s.io', true),
  roles: r('roles', 'rbac.authorization.k8s.io', true),
  // resource.k8s.io
  deviceclasses: r('deviceclasses', 'resource.k8s.io', false),
  devicetaintrules: r('devicetaintrules', 'resource.k8s.io', false),
  podschedulingcontexts: r('podschedulingcontexts', 'resource.k8s.io', true),
  resourceclaims: r('resourceclaims', 'resource.k8s.io', true),
  resourceclaimtemplates: r('resourceclaimtemplates', 'resource.k8s.io', true),
  resourceclasses: r('resourceclasses', 'resource.k8s.io', false),
  resourceslices: r('resourceslices', 'resource.k8s.io', false),
  // scheduling.k8s.io, settings.k8s.io, storagemigration.k8s.io
  priorityclasses: r('priorityclasses', 'scheduling.k8s.io', false),
  workloads: r('workloads', 'scheduling.k8s.io', true),
  podpresets: r('podpresets', 'settings.k8s.io', true),
  storageversionmigrations: r('storageversionmigrations', 'storagemigration.k8s.io', false),
  // storage.k8s.io
  csidrivers: r('csidrivers', 'storage.k8s.io', false),
  csinodes: r('csinodes', 'storage.k8s.io', false),
  csistoragecapacities: r('csistoragecapacities', 'storage.k8s.io', true),
  storageclasses: r('storageclasses', 'storage.k8s.io', false),
  volumeattachments: r('volumeattachments', 'storage.k8s.io', false),
  volumeattributesclasses: r('volumeattributesclasses', 'storage.k8s.io', false),
};
