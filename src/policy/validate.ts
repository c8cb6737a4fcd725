import {NetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type {INetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';

/**
 * Checks a generated policy against the Kubernetes OpenAPI schema
 * (kubernetes-models). Every input was validated before generation, so a
 * rejection is a portgate bug: a plain Error, which the CLI reports as an
 * internal error (exit 4) with the validator's message.
 */
export const validatePolicy = (object: INetworkPolicy): void => {
  try {
    new NetworkPolicy(object).validate();
  } catch (e) {
    throw new Error(`the generated NetworkPolicy ${object.metadata?.name ?? ''} does not pass the Kubernetes schema: ${(e as Error).message}`);
  }
};
