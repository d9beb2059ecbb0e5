/*
 * Validates rendered objects against the Kubernetes OpenAPI schema of their apiVersion and kind,
 * through the typed models of kubernetes-models (core APIs) and @kubernetes-models/gateway-api
 * (HTTPRoute).
 *
 * These models check types, enums and required fields; like the OpenAPI schema they come from,
 * they do not reject unknown fields.
 */
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  ConfigMap,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import type { Manifest } from './helm';

type Validatable = { validate(): void };
type ModelFactory = (data: any) => Validatable;

const MODELS: Record<string, ModelFactory> = {
  'v1/ConfigMap': data => new ConfigMap(data),
  'v1/Pod': data => new Pod(data),
  'v1/Secret': data => new Secret(data),
  'v1/Service': data => new Service(data),
  'v1/ServiceAccount': data => new ServiceAccount(data),
  'apps/v1/Deployment': data => new Deployment(data),
  'apps/v1/StatefulSet': data => new StatefulSet(data),
  'autoscaling/v2/HorizontalPodAutoscaler': data =>
    new HorizontalPodAutoscaler(data),
  'networking.k8s.io/v1/Ingress': data => new Ingress(data),
  'networking.k8s.io/v1/NetworkPolicy': data => new NetworkPolicy(data),
  'policy/v1/PodDisruptionBudget': data => new PodDisruptionBudget(data),
  'rbac.authorization.k8s.io/v1/ClusterRole': data => new ClusterRole(data),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': data =>
    new ClusterRoleBinding(data),
  'gateway.networking.k8s.io/v1/HTTPRoute': data => new HTTPRoute(data),
};

/** Throws with the object's kind, name and the schema violation when it is invalid. */
export function validateManifest(manifest: Manifest): void {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const factory = MODELS[key];
  if (!factory) {
    throw new Error(`no schema model for ${key} (${manifest.metadata?.name})`);
  }
  try {
    factory(manifest).validate();
  } catch (error) {
    throw new Error(
      `${key} ${manifest.metadata?.name} is invalid: ${
        (error as Error).message
      }`,
    );
  }
}
