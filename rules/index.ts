import type { Rule } from '../src/lint/rule.js';
import addressPlanConflict from './address-plan-conflict.js';
import addressPlanInvalid from './address-plan-invalid.js';
import calicoOrderTie from './calico-order-tie.js';
import calicoPolicyWithoutCalico from './calico-policy-without-calico.js';
import calicoRuleNotModelled from './calico-rule-not-modelled.js';
import calicoRuleUnreachable from './calico-rule-unreachable.js';
import calicoStagedPolicyNotEnforced from './calico-staged-policy-not-enforced.js';
import cidrOverlap from './cidr-overlap.js';
import ciliumDenyShadowsAllow from './cilium-deny-shadows-allow.js';
import ciliumFqdnWithoutDnsRule from './cilium-fqdn-without-dns-rule.js';
import ciliumLabelNotInIdentity from './cilium-label-not-in-identity.js';
import ciliumL7NotModelled from './cilium-l7-not-modelled.js';
import ciliumPolicyNotEvaluated from './cilium-policy-not-evaluated.js';
import ciliumPolicyWithoutCilium from './cilium-policy-without-cilium.js';
import clusterIpDuplicate from './cluster-ip-duplicate.js';
import clusterIpOutsideServiceCidr from './cluster-ip-outside-service-cidr.js';
import clusterPolicyPriorityTie from './cluster-policy-priority-tie.js';
import cniDoesNotEnforcePolicy from './cni-does-not-enforce-policy.js';
import duplicateObject from './duplicate-object.js';
import egressBlocksDns from './egress-blocks-dns.js';
import emptyPolicy from './empty-policy.js';
import exceptOutsideCidr from './except-outside-cidr.js';
import gatewayListenerWithoutTls from './gateway-listener-without-tls.js';
import hostnetworkBypassesPolicy from './hostnetwork-bypasses-policy.js';
import hostPortExposed from './host-port-exposed.js';
import ingressBackendMissing from './ingress-backend-missing.js';
import ingressHostConflict from './ingress-host-conflict.js';
import ingressWithoutTls from './ingress-without-tls.js';
import invalidCidr from './invalid-cidr.js';
import invalidPortRange from './invalid-port-range.js';
import ipblockTargetsClusterRange from './ipblock-targets-cluster-range.js';
import istioAllowNothing from './istio-allow-nothing.js';
import istioGatewaySelectsNothing from './istio-gateway-selects-nothing.js';
import istioPolicySelectsNothing from './istio-policy-selects-nothing.js';
import loadbalancerOpenToWorld from './loadbalancer-open-to-world.js';
import meshPlaintextBlocked from './mesh-plaintext-blocked.js';
import meshPolicyNotEvaluated from './mesh-policy-not-evaluated.js';
import namedPortUndefined from './named-port-undefined.js';
import namespaceNoDefaultDenyEgress from './namespace-no-default-deny-egress.js';
import namespaceNoDefaultDenyIngress from './namespace-no-default-deny-ingress.js';
import namespaceSelectorUnknownLabel from './namespace-selector-unknown-label.js';
import nodeCidrTooSmallForMaxPods from './node-cidr-too-small-for-max-pods.js';
import nodeportDuplicate from './nodeport-duplicate.js';
import nodeportExhausted from './nodeport-exhausted.js';
import nodeportExposed from './nodeport-exposed.js';
import peerOrInsteadOfAnd from './peer-or-instead-of-and.js';
import peerSelectsNothing from './peer-selects-nothing.js';
import podCidrExhausted from './pod-cidr-exhausted.js';
import podCidrLowHeadroom from './pod-cidr-low-headroom.js';
import podCidrNodeCapacity from './pod-cidr-node-capacity.js';
import policyAllowsAllEgress from './policy-allows-all-egress.js';
import policyAllowsAllIngress from './policy-allows-all-ingress.js';
import policyPortNotServed from './policy-port-not-served.js';
import policySelectsNothing from './policy-selects-nothing.js';
import policyShadowed from './policy-shadowed.js';
import routeBackendMissing from './route-backend-missing.js';
import routeHostnameConflict from './route-hostname-conflict.js';
import routeParentMissing from './route-parent-missing.js';
import serviceCidrExhausted from './service-cidr-exhausted.js';
import serviceCidrLowHeadroom from './service-cidr-low-headroom.js';
import serviceSelectsNothing from './service-selects-nothing.js';
import serviceTargetPortUnexposed from './service-target-port-unexposed.js';
import serviceWithoutSelector from './service-without-selector.js';
import virtualserviceDestinationMissing from './virtualservice-destination-missing.js';
import virtualserviceGatewayMissing from './virtualservice-gateway-missing.js';
import workloadNotIsolated from './workload-not-isolated.js';

/** Every lint rule, listed explicitly (markdownlint's way), grouped as the catalogue groups them. */
export const RULES: readonly Rule<any>[] = [
  namespaceNoDefaultDenyIngress,
  namespaceNoDefaultDenyEgress,
  workloadNotIsolated,
  policyAllowsAllIngress,
  policyAllowsAllEgress,
  hostnetworkBypassesPolicy,
  clusterPolicyPriorityTie,
  meshPolicyNotEvaluated,
  istioAllowNothing,
  meshPlaintextBlocked,
  policySelectsNothing,
  peerSelectsNothing,
  namespaceSelectorUnknownLabel,
  peerOrInsteadOfAnd,
  serviceSelectsNothing,
  serviceWithoutSelector,
  ingressBackendMissing,
  routeBackendMissing,
  routeParentMissing,
  istioPolicySelectsNothing,
  istioGatewaySelectsNothing,
  virtualserviceGatewayMissing,
  virtualserviceDestinationMissing,
  namedPortUndefined,
  serviceTargetPortUnexposed,
  policyPortNotServed,
  invalidPortRange,
  cniDoesNotEnforcePolicy,
  ciliumPolicyWithoutCilium,
  calicoPolicyWithoutCalico,
  ciliumPolicyNotEvaluated,
  ciliumL7NotModelled,
  ciliumDenyShadowsAllow,
  ciliumFqdnWithoutDnsRule,
  ciliumLabelNotInIdentity,
  calicoRuleNotModelled,
  egressBlocksDns,
  invalidCidr,
  exceptOutsideCidr,
  ipblockTargetsClusterRange,
  podCidrExhausted,
  podCidrLowHeadroom,
  nodeCidrTooSmallForMaxPods,
  podCidrNodeCapacity,
  serviceCidrExhausted,
  serviceCidrLowHeadroom,
  clusterIpOutsideServiceCidr,
  clusterIpDuplicate,
  cidrOverlap,
  nodeportExhausted,
  nodeportDuplicate,
  addressPlanInvalid,
  addressPlanConflict,
  loadbalancerOpenToWorld,
  nodeportExposed,
  hostPortExposed,
  ingressWithoutTls,
  ingressHostConflict,
  gatewayListenerWithoutTls,
  routeHostnameConflict,
  duplicateObject,
  policyShadowed,
  emptyPolicy,
  calicoOrderTie,
  calicoRuleUnreachable,
  calicoStagedPolicyNotEnforced,
];
