/** Types of shared-folder-paths.mjs (plain JavaScript, shared with Jest's global setup). */

/** The folder beside the repository (tests run from the repository's root). */
export declare const SHARED_FOLDER: string;
/** Everything in `../shared` that some test needs, relative to it. */
export declare const SHARED_NEEDS: readonly SharedNeed[];
/** Something in `../shared`, relative to it. */
export type SharedNeed =
  | 'conformance' | 'conformance/np-guard' | 'conformance/dialects' | 'conformance/dialects/clusternetworkpolicy'
  | 'conformance/dialects/cilium/_topology' | 'tools/gen-cluster.mjs';
/** Returns the absolute path of something in `../shared` (whether it exists or not). */
export declare function sharedPath(need: SharedNeed, folder?: string): string;
/** Returns whether this is a CI run: `CI` set to anything but empty, 0 or false. */
export declare function isCi(env?: NodeJS.ProcessEnv): boolean;
/** Returns the needs that are missing, as absolute paths. */
export declare function missingShared(needs?: readonly SharedNeed[], folder?: string): string[];
/** Returns the line a test run prints once when something of `../shared` is missing, or undefined. */
export declare function missingSharedLine(env?: NodeJS.ProcessEnv, folder?: string): string | undefined;
