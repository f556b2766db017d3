/**
 * A small repository shaped like a user's: manifests under deploy/ (with one warning before any
 * change, policy-selects-nothing in deploy/legacy.yaml), a README and, optionally,
 * the files every such repository also holds (.pre-commit-config.yaml, package.json, a workflow),
 * which are YAML and JSON but not manifests. One commit; `openExternalIngress` stages the change
 * the integrations must catch: a policy that lets any address reach shop/web on TCP 8080 and an
 * egress policy that blocks shop/web's DNS (an error-severity finding, reported on the Deployment,
 * a file the change does not touch).
 */
import fs from 'node:fs';
import path from 'node:path';
import { commitEverything, git } from '../repository-copy.js';

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    kubernetes.io/metadata.name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - { name: http, containerPort: 8080 }
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: { app: web }
  ports:
    - { name: http, port: 80, targetPort: http }
`;

const POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-from-shop
  namespace: shop
spec:
  podSelector:
    matchLabels: { app: web }
  ingress:
    - from:
        - podSelector: {}
      ports:
        - { protocol: TCP, port: 8080 }
`;

/** A policy whose podSelector matches no pod: a warning the repository has before any change. */
const LEGACY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: old-admin
  namespace: shop
spec:
  podSelector:
    matchLabels: { app: admin }
  ingress:
    - from:
        - podSelector: { matchLabels: { app: web } }
`;

/** The change: web open to every address on TCP 8080, and isolated for egress without DNS. */
export const PUBLIC_POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-from-anywhere
  namespace: shop
spec:
  podSelector:
    matchLabels: { app: web }
  ingress:
    - from:
        - ipBlock: { cidr: 0.0.0.0/0 }
      ports:
        - { protocol: TCP, port: 8080 }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-egress
  namespace: shop
spec:
  podSelector:
    matchLabels: { app: web }
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector: { matchLabels: { app: db } }
`;

/** YAML and JSON files of an ordinary repository that are not manifests. */
export const NON_MANIFESTS: Readonly<Record<string, string>> = {
  '.pre-commit-config.yaml': 'repos:\n  - repo: https://github.com/k8snet/k8snet\n    rev: v0.1.0\n    hooks:\n      - id: k8snet-lint\n      - id: k8snet-diff\n',
  'package.json': '{\n  "name": "shop-deploy",\n  "private": true,\n  "scripts": { "test": "true" }\n}\n',
  '.github/workflows/k8snet.yaml': 'on: pull_request\njobs:\n  k8snet:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n',
};

/**
 * Writes the repository into `folder` (created) and commits it; returns the commit. With
 * `nonManifests`, the ordinary YAML and JSON files that are not manifests are in it too.
 */
export function createSampleRepository(folder: string, options: { nonManifests?: boolean } = {}): string {
  const files: Record<string, string> = {
    'README.md': '# shop deployment\n',
    'deploy/shop.yaml': SHOP,
    'deploy/policies.yaml': POLICIES,
    'deploy/legacy.yaml': LEGACY,
    ...(options.nonManifests ? NON_MANIFESTS : {}),
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    fs.writeFileSync(path.join(folder, file), text);
  }
  return commitEverything(folder, 'shop deployment');
}

/** Writes and stages the change that opens shop/web to every address and blocks its DNS. */
export function openExternalIngress(folder: string): void {
  fs.writeFileSync(path.join(folder, 'deploy', 'public.yaml'), PUBLIC_POLICIES);
  git(folder, ['add', 'deploy/public.yaml']);
}

/** Writes and stages a change to files that are not manifests only. */
export function changeNonManifests(folder: string): void {
  fs.appendFileSync(path.join(folder, 'README.md'), '\nDeployed by CI.\n');
  fs.writeFileSync(path.join(folder, 'package.json'), '{\n  "name": "shop-deploy",\n  "private": true,\n  "scripts": { "test": "true", "lint": "k8snet lint deploy" }\n}\n');
  fs.appendFileSync(path.join(folder, '.pre-commit-config.yaml'), '  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: check-yaml\n');
  git(folder, ['add', 'README.md', 'package.json', '.pre-commit-config.yaml']);
}
