/**
 * Runs action.yml's steps in order, as the GitHub runner runs a composite action, with fake
 * `GITHUB_*` and `RUNNER_TEMP` files and folders: each step's `if:` evaluated (with the implicit
 * `success() &&` GitHub adds when no status function is named), `${{ }}` expressions substituted
 * in `env:` and `with:`, each `run:` executed as `bash --noprofile --norc -eo pipefail FILE` in the
 * workspace, its GITHUB_OUTPUT read back. `uses:` steps are not run: their evaluated `with:` is
 * recorded, and their outcome is what the test says (success by default).
 *
 * The expressions understood are those action.yml and README's workflows use: `inputs.*`,
 * `github.*`, `steps.<id>.outputs.*`, `steps.<id>.outcome|conclusion`, `always()`, `success()`,
 * `failure()`, `==`, `!=`, `&&`, `||`, `!`, parentheses and '...' strings; anything else throws.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { REPOSITORY } from '../repository-copy.js';

/** A step of a composite action or of a workflow job. */
export interface StepDefinition {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly run?: string;
  readonly shell?: string;
  readonly env?: Record<string, unknown>;
  readonly 'continue-on-error'?: boolean;
}

/** action.yml, as far as the runner reads it. */
export interface ActionDefinition {
  readonly inputs: Record<string, { readonly description: string; readonly default?: string; readonly required?: boolean }>;
  readonly outputs: Record<string, { readonly description: string; readonly value: string }>;
  readonly runs: { readonly using: string; readonly steps: readonly StepDefinition[] };
}

/** Returns action.yml, parsed. */
export function actionDefinition(): ActionDefinition {
  return load(fs.readFileSync(path.join(REPOSITORY, 'action.yml'), 'utf8')) as ActionDefinition;
}

type Value = string | number | boolean | null | undefined | Record<string, unknown> | unknown[];

/** What expressions can read. */
export interface ExpressionContext {
  readonly inputs: Record<string, string>;
  readonly github: Record<string, unknown>;
  readonly steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }>;
  /** Whether a step before failed (for success() and failure()). */
  readonly failed: boolean;
}

/** Evaluates one expression (without `${{ }}`) as GitHub does, for the subset described above. */
export function evaluate(expression: string, context: ExpressionContext): Value {
  const tokens = [...expression.matchAll(/\s*(\|\||&&|==|!=|!|\(|\)|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_.-]*|\d+)\s*/gy)].map((match) => match[1]);
  if (tokens.join('').replace(/\s/g, '') !== expression.replace(/\s/g, '')) throw new Error(`cannot read the expression ${expression}`);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++];

  function primary(): Value {
    const token = next();
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    if (token === '(') {
      const value = or();
      if (next() !== ')') throw new Error(`missing ) in ${expression}`);
      return value;
    }
    if (token === '!') return !truthy(primary());
    if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
    if (/^\d+$/.test(token)) return Number(token);
    if (token === 'true' || token === 'false') return token === 'true';
    if (peek() === '(') {
      next();
      if (next() !== ')') throw new Error(`only functions without arguments: ${expression}`);
      if (token === 'always') return true;
      if (token === 'success') return !context.failed;
      if (token === 'failure') return context.failed;
      throw new Error(`unknown function ${token}() in ${expression}`);
    }
    const [root, ...rest] = token.split('.');
    if (root !== 'inputs' && root !== 'github' && root !== 'steps') throw new Error(`unknown context ${root} in ${expression}`);
    let value: unknown = context[root];
    for (const key of rest) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value as Value;
  }
  function comparison(): Value {
    let left = primary();
    while (peek() === '==' || peek() === '!=') {
      const operator = next();
      const equal = looselyEqual(left, primary());
      left = operator === '==' ? equal : !equal;
    }
    return left;
  }
  function and(): Value {
    let left = comparison();
    while (peek() === '&&') {
      next();
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }
  function or(): Value {
    let left = and();
    while (peek() === '||') {
      next();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  const value = or();
  if (position !== tokens.length) throw new Error(`cannot read the expression ${expression}`);
  return value;
}

function truthy(value: Value): boolean {
  return !(value === undefined || value === null || value === false || value === 0 || value === '');
}

/** GitHub compares strings ignoring case, and a missing value as ''. */
function looselyEqual(left: Value, right: Value): boolean {
  const normalise = (value: Value) => (value === undefined || value === null ? '' : typeof value === 'string' ? value.toLowerCase() : value);
  return normalise(left) === normalise(right);
}

/** Substitutes every `${{ expression }}` of a text. */
export function interpolate(text: string, context: ExpressionContext): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, expression: string) => {
    const value = evaluate(expression.trim(), context);
    return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** Evaluates a step's `if:` (an expression, with or without `${{ }}`). */
export function shouldRun(condition: string | undefined, context: ExpressionContext): boolean {
  if (condition === undefined) return !context.failed;
  const expression = condition.trim().replace(/^\$\{\{(.*)\}\}$/s, '$1').trim();
  const named = /\b(always|success|failure|cancelled)\(\)/.test(expression);
  return truthy(evaluate(named ? expression : `success() && (${expression})`, context));
}

/** What the test gives a run of the action. */
export interface ActionRunOptions {
  /** The inputs given in `with:` (the others take their defaults). */
  readonly with?: Record<string, string>;
  /** The checkout (GITHUB_WORKSPACE). */
  readonly workspace: string;
  /** A folder of its own for RUNNER_TEMP, the event file and the step files. */
  readonly runner: string;
  readonly eventName: string;
  readonly event: Record<string, unknown>;
  readonly repository?: string;
  readonly token?: string;
  /** GITHUB_API_URL (a fake server). */
  readonly apiUrl?: string;
  /** The outcome of each `uses:` step that runs, by id (success when not given). */
  readonly usesOutcomes?: Record<string, 'success' | 'failure'>;
  /** Stops after the step with this id (for tests of the first steps only). */
  readonly stopAfter?: string;
}

/** One step as it went. */
export interface StepRun {
  readonly name: string;
  readonly id?: string;
  readonly ran: boolean;
  readonly outcome?: 'success' | 'failure';
  readonly uses?: string;
  readonly with?: Record<string, string>;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
}

/** How the action went. */
export interface ActionRun {
  readonly steps: readonly StepRun[];
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly failed: boolean;
  /** The runner's temporary folder (where the action may write). */
  readonly runnerTemp: string;
  /** Every step's standard output, in order: the log. */
  readonly log: string;
}

/** Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks. */
export function readOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2], index + 1);
      outputs[block[1]] = lines.slice(index + 1, end).join('\n');
      index = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? 1, stdout, stderr }));
  });
}

/** The environment a step starts from: the test's, without anything of a real GitHub run. */
function baseEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_)/.test(key) && key !== 'CI') env[key] = value;
  }
  return { ...env, NO_COLOR: '1' };
}

/** Runs action.yml's steps in order and returns how they went. */
export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const action = actionDefinition();
  const runnerTemp = path.join(options.runner, 'temp');
  const files = path.join(options.runner, 'files');
  fs.mkdirSync(runnerTemp, { recursive: true });
  fs.mkdirSync(files, { recursive: true });
  const eventPath = path.join(files, 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(options.event));
  const summaryPath = path.join(files, 'step-summary.md');
  fs.writeFileSync(summaryPath, '');
  const repository = options.repository ?? 'shop/deploy';
  const token = options.token ?? 'fake-token';
  const sha = (options.event.after as string | undefined) ?? ((options.event.pull_request as { merge_commit_sha?: string } | undefined)?.merge_commit_sha) ?? '0'.repeat(40);
  const github: Record<string, unknown> = {
    token,
    action_path: REPOSITORY,
    event_name: options.eventName,
    event: options.event,
    repository,
    sha,
    workspace: options.workspace,
    server_url: 'https://github.com',
    api_url: options.apiUrl ?? 'https://api.github.com',
    base_ref: (options.event.pull_request as { base?: { ref?: string } } | undefined)?.base?.ref ?? '',
  };
  const steps: ExpressionContext['steps'] = {};
  const context = (failed: boolean): ExpressionContext => ({ inputs, github, steps, failed });
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    inputs[name] = options.with?.[name] ?? interpolate(String(input.default ?? ''), context(false));
  }
  for (const name of Object.keys(options.with ?? {})) if (!(name in action.inputs)) throw new Error(`action.yml has no input ${name}`);

  const env = {
    ...baseEnvironment(),
    GITHUB_ACTION_PATH: REPOSITORY,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_REPOSITORY: repository,
    GITHUB_SHA: sha,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: options.apiUrl ?? 'https://api.github.com',
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    CI: 'true',
  };

  const runs: StepRun[] = [];
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? step.uses ?? `step ${index + 1}`;
    if (!shouldRun(step.if, context(failed))) {
      runs.push({ name, id: step.id, ran: false, uses: step.uses, stdout: '', stderr: '', outputs: {} });
      if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    let outcome: 'success' | 'failure';
    let stdout = '';
    let stderr = '';
    let outputs: Record<string, string> = {};
    let evaluatedWith: Record<string, string> | undefined;
    if (step.uses) {
      evaluatedWith = Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, interpolate(String(value), context(failed))]));
      outcome = (step.id && options.usesOutcomes?.[step.id]) || 'success';
    } else {
      if (step.shell !== 'bash') throw new Error(`${name}: only shell: bash is run here`);
      const outputPath = path.join(files, `output-${index}`);
      fs.writeFileSync(outputPath, '');
      const scriptPath = path.join(files, `step-${index}.sh`);
      fs.writeFileSync(scriptPath, step.run ?? '');
      const stepEnv: NodeJS.ProcessEnv = { ...env, GITHUB_OUTPUT: outputPath };
      for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = interpolate(String(value), context(failed));
      const result = await runBash(scriptPath, options.workspace, stepEnv);
      ({ stdout, stderr } = result);
      outcome = result.status === 0 ? 'success' : 'failure';
      outputs = readOutputFile(fs.readFileSync(outputPath, 'utf8'));
    }
    const conclusion = outcome === 'failure' && !step['continue-on-error'] ? 'failure' : 'success';
    if (conclusion === 'failure') failed = true;
    if (step.id) steps[step.id] = { outputs, outcome, conclusion };
    runs.push({ name, id: step.id, ran: true, outcome, uses: step.uses, with: evaluatedWith, stdout, stderr, outputs });
    if (step.id !== undefined && step.id === options.stopAfter) break;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, interpolate(output.value, context(failed))]));
  return { steps: runs, outputs, summary: fs.readFileSync(summaryPath, 'utf8'), failed, runnerTemp, log: runs.map((step) => step.stdout).join('') };
}
