/**
 * The RPC endpoint as `trace` and `verify` take it: where it comes from, and what a first failure to
 * reach it means.
 */
import { RpcError, UsageError } from '../errors.js';
import { chainIdForLabelChain, KNOWN_LABEL_CHAINS } from '../labels/chains.js';
import { parseAddress } from '../util/address.js';
import type { Address } from '../types.js';
import { registerSecrets } from './output.js';

/** The endpoints of one chain named on the command line (`--rpc bsc=URL`, `--rpc 56=URL`). */
export interface NamedRpc {
  /** As typed before `=`: a chain name or a chain id. */
  name: string;
  chainId: number;
  urls: string[];
}

/** `--rpc` values split: bare URLs (the home chain's failover pool) and endpoints per named chain. */
export interface RpcPlan {
  bare: string[];
  named: NamedRpc[];
}

/** `name=` or `<chain id>=` before a URL; a URL itself has `:` before any `=` and never matches. */
const NAMED = /^([a-z][a-z0-9-]*|\d+)=(.*)$/i;

/** A chain as the user names it: a label-chain name (`bsc`) or an EIP-155 chain id (`56`, `31337`). */
export function parseChainName(text: string, what: string): number {
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    if (text.length <= 15 && id > 0 && Number.isSafeInteger(id)) return id;
    throw new UsageError(`${what}: ${text.length > 15 ? 'chain id too large' : 'chain id 0'}: "${text.slice(0, 20)}${text.length > 20 ? '…' : ''}" is not an EIP-155 chain id.`);
  }
  const id = chainIdForLabelChain(text.toLowerCase());
  if (id === null) throw new UsageError(`${what}: "${text}" is not a chain: use a chain id or one of ${KNOWN_LABEL_CHAINS.join(', ')}.`);
  return id;
}

/**
 * Splits the --rpc values (after rpcUrls): `ethereum=URL`, `56=URL` name the chain; a bare URL is the
 * home chain's, as before (several bare URLs are one failover pool). Several values naming one chain
 * are that chain's pool. Every URL is registered as a secret before anything can print it.
 */
export function planRpc(values: readonly string[]): RpcPlan {
  const bare: string[] = [];
  const named = new Map<number, NamedRpc>();
  for (const v of values) {
    const m = NAMED.exec(v);
    if (!m) {
      // `-1=URL`, `=URL`, ` bsc = URL`: a chain part (no `:`, `/` or `?` before the `=`, so no URL's own
      // text and no key) that names no chain, said for what it is rather than masked as a bad URL.
      const prefix = /^([^:/?]*)=/.exec(v)?.[1];
      if (prefix !== undefined) {
        registerSecrets([v.slice(prefix.length + 1)]);
        const shown = prefix.length > 20 ? `${prefix.slice(0, 20)}…` : prefix;
        throw new UsageError(`--rpc ${JSON.stringify(shown)}=…: the part before "=" is not a chain: use a chain id or one of ${KNOWN_LABEL_CHAINS.join(', ')}.`);
      }
      bare.push(v);
      continue;
    }
    const url = m[2]!;
    registerSecrets([url]);
    const chainId = parseChainName(m[1]!, '--rpc');
    if (url.trim() === '') throw new UsageError(`--rpc ${m[1]}= names a chain but gives no URL after it.`, { hint: `--rpc ${m[1]}=https://…` });
    const have = named.get(chainId);
    if (have) have.urls.push(url);
    else named.set(chainId, { name: m[1]!, chainId, urls: [url] });
  }
  return { bare, named: [...named.values()] };
}

/**
 * Refuses an endpoint named for one chain (`--rpc bsc=URL`) that serves another (`served`, the chain id
 * it answered): trace and verify say it in the same words.
 */
export function checkNamedChain(named: Pick<NamedRpc, 'name' | 'chainId'>, endpoint: string, served: number): void {
  if (served === named.chainId) return;
  throw new UsageError(`--rpc ${named.name}=${endpoint} serves chain ${served}, not ${named.name} (chain ${named.chainId}).`, {
    hint: 'name each endpoint by the chain it serves, or give its chain id (--rpc <chain id>=<url>)',
  });
}

/**
 * A seed as typed: `0x…` (the home chain), or `<chain>:0x…` with a chain name or id. The chain must
 * have an endpoint in the run (`chainIds`).
 */
export function parseSeedArg(text: string, chainIds?: ReadonlySet<number>): { address: Address; chainId?: number } {
  const i = text.indexOf(':');
  if (i < 0) return { address: parseAddress(text, 'seed address') };
  const chainId = parseChainName(text.slice(0, i), `seed ${text}`);
  if (chainIds && !chainIds.has(chainId)) {
    throw new UsageError(`seed ${text} is on chain ${chainId}, which has no --rpc in this run.`, { hint: `add --rpc ${text.slice(0, i)}=<url>` });
  }
  return { address: parseAddress(text.slice(i + 1), 'seed address'), chainId };
}

/**
 * The endpoints to use: those given with --rpc, else $HOPTRACE_RPC_URL, else $ETH_RPC_URL (an empty
 * variable counts as unset). Throws a UsageError when there is none.
 */
export function rpcUrls(given: string | readonly string[] | undefined): string[] {
  const list = typeof given === 'string' ? [given] : [...(given ?? [])];
  const fromEnv = process.env.HOPTRACE_RPC_URL || process.env.ETH_RPC_URL;
  const urls = list.length > 0 ? list : fromEnv ? [fromEnv] : [];
  if (urls.length === 0) throw new UsageError('no RPC endpoint: pass --rpc <url> or set HOPTRACE_RPC_URL.');
  registerSecrets(urls);
  return urls;
}

/**
 * Runs `talk` (the first requests to the endpoint). An endpoint that cannot be reached at all is a bad
 * --rpc (UsageError, exit 2), not a failure half-way through the command.
 */
export async function reachingRpc<T>(talk: () => Promise<T>): Promise<T> {
  try {
    return await talk();
  } catch (err) {
    if (err instanceof RpcError && err.status === undefined && err.code === undefined && !err.retryable) {
      throw new UsageError(err.message, { hint: 'check --rpc (the URL, the port, and that the node is running)', cause: err });
    }
    throw err;
  }
}
