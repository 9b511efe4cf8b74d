import type { Crossing, FrontierRow, Hit, HitExit, PathStep, Promised, RunChain, TraceResult } from '../trace/result.js';
import { labelChainForChainId, nativeSymbol } from '../labels/chains.js';
import { formatAmount } from './amount.js';
import { chainName } from './chains.js';
import { cleanOptional, cleanText } from './sanitize.js';

/**
 * A run across chains in words and keys every renderer shares (text, Markdown, HTML, CSV, the graph
 * formats), so that each names the same chain for a step, the same link basis for a crossing and the same
 * promise for an exit. Reports of schema 1 and 2, and results built without the cross-chain fields, read
 * as one chain: the run's.
 */

/** The chain a path step happened on (a crossing: the destination chain, where its transaction is). */
export function stepChain(step: PathStep, result: Pick<TraceResult, 'chainId'>): number {
  return step.chainId ?? result.chainId;
}

/** The chain of a hit's address. */
export function hitChain(hit: Hit, result: Pick<TraceResult, 'chainId'>): number {
  return hit.chainId ?? hit.exit?.chainId ?? result.chainId;
}

/** The chains of a run, the home chain first (an older report: its one chain). */
export function runChains(result: TraceResult): RunChain[] {
  if (result.chains && result.chains.length > 0) return result.chains;
  return [{ chainId: result.chainId, labelChain: result.labelChain, nativeSymbol: '', rpc: result.rpc, home: true, fromBlock: result.params.fromBlock, toBlock: result.params.toBlock }];
}

/**
 * Every chain id the report speaks of: the run's endpoints, every step and hit, and every EVM chain a
 * frontier row names. More than one: renderers show the chain on each step and hit.
 */
export function chainsShown(result: TraceResult): number[] {
  const ids = new Set<number>(runChains(result).map((c) => c.chainId));
  for (const h of result.hits) {
    ids.add(hitChain(h, result));
    for (const s of [...h.path, ...(h.byValue?.path ?? [])]) ids.add(stepChain(s, result));
  }
  for (const c of result.crossings ?? []) ids.add(c.fromChainId).add(c.toChainId);
  for (const f of result.frontier ?? []) if (f.chainId !== null) ids.add(f.chainId);
  return [...ids];
}

/** True when the report speaks of more than one chain: then every step and hit names its chain. */
export function spansChains(result: TraceResult): boolean {
  return chainsShown(result).length > 1 || (result.frontier ?? []).length > 0;
}

/** The name a run gave a chain (its label chain), else the chain id's known name, else `chain <id>`. */
export function runChainName(result: TraceResult, chainId: number): string {
  const c = runChains(result).find((x) => x.chainId === chainId);
  return c && c.labelChain !== 'evm' ? cleanText(c.labelChain, 24) : chainName(chainId);
}

/** The native coin's symbol on a chain of the run (its RunChain's, else the label chain's), or null when unknown. */
export function nativeSymbolOf(result: TraceResult, chainId: number): string | null {
  const c = runChains(result).find((x) => x.chainId === chainId);
  if (c && c.nativeSymbol !== '' && c.nativeSymbol !== 'native') return c.nativeSymbol;
  return nativeSymbol(labelChainForChainId(chainId));
}

/** `ethereum (1)`: a chain's name and id, as the reports print a chain. */
export function chainLabel(result: TraceResult, chainId: number): string {
  const name = runChainName(result, chainId);
  return name === `chain ${chainId}` ? name : `${name} (${chainId})`;
}

/** What the protocol promised: `at least 1.5 BTC`, `exactly 0.99 WETH`, `about 12 USDC (Wormhole's 8-decimal amount)`, or `no amount promised`. */
export function promisedText(p: Pick<Promised, 'asset' | 'symbol' | 'decimals' | 'amount' | 'amountKind'>): string {
  const what = cleanOptional(p.symbol ?? p.asset, 48, 'an asset the protocol does not name');
  if (p.amount === null || p.amountKind === 'none') return `no amount promised (${what})`;
  // Without decimals the figure is in base units (`1,000 units of …`), never guessed.
  const figure = p.decimals === null ? `${formatAmount(p.amount, null)} of ${what}` : `${formatAmount(p.amount, p.decimals)} ${what}`;
  switch (p.amountKind) {
    case 'exact':
      return `exactly ${figure}`;
    case 'minimum':
      return `at least ${figure}`;
    case 'normalized-8':
      return `${figure} (the protocol's amount, cut to 8 decimals)`;
  }
}

/** `at least 1.5 BTC promised`, or `no amount promised (BTC)`. */
export function promisedPhrase(p: Pick<Promised, 'asset' | 'symbol' | 'decimals' | 'amount' | 'amountKind'>): string {
  const text = promisedText(p);
  return p.amount === null || p.amountKind === 'none' ? text : `${text} promised`;
}

/**
 * How a crossing's two sides are linked, led by the evidence kind: `fact: THORChain's own link (exact,
 * key …), certain` or `inference: heuristic match (none), medium confidence — <reasons>`.
 */
export function crossingLinkText(c: Crossing, withReasons = true): string {
  const l = c.link;
  const basis = l.basis === 'protocol-link' ? `${cleanText(c.protocolName, 40)}'s own link (${l.kind}${l.key === null ? '' : `, key ${cleanText(l.key, 120)}`})` : `heuristic match (${l.kind})`;
  const reasons = withReasons && l.reasons.length > 0 ? ` — ${l.reasons.map((r) => cleanOptional(r, 200, '')).join('; ')}` : '';
  return `${l.evidence}: ${basis}, ${l.confidence === 'certain' ? 'certain' : `${cleanText(l.confidence, 12)} confidence`}${reasons}`;
}

/** A crossing in one line: `THORChain ethereum (1) → bsc (56), link fact: …`. */
export function crossingLine(result: TraceResult, c: Crossing, withReasons = true): string {
  return `${cleanText(c.protocolName, 40)} ${chainLabel(result, c.fromChainId)} → ${chainLabel(result, c.toChainId)}, link ${crossingLinkText(c, withReasons)}`;
}

/** Where an exit left to, by name: the destination chain as the protocol names it. */
export function exitDestination(result: TraceResult, e: HitExit): string {
  return e.destination.chainId !== null ? chainLabel(result, e.destination.chainId) : cleanOptional(e.destination.name, 40, e.destination.code ?? 'an unknown chain');
}

/**
 * An exit in one line: the walk's own summary of the decoded facts (`left to BTC bc1q… via THORChain, at
 * least 120 BTC promised`), then why it was not followed.
 */
export function exitLine(e: HitExit): string {
  return `${cleanOptional(e.summary, 300, `left via ${cleanText(e.protocolName, 40)}`)} (not followed: ${cleanOptional(e.reasonText, 200, e.reason)})`;
}

/** The evidence of an exit in words: the event is a fact, the amount the protocol's promise. */
export function exitEvidenceText(e: HitExit): string {
  const caveats = e.caveats.length === 0 ? '' : ` Caveats: ${e.caveats.map((c) => cleanOptional(c, 200, '')).join('; ')}.`;
  return `fact: ${cleanText(e.protocolName, 40)} ${cleanText(e.event, 40)} event, log ${e.logIndex} of tx ${cleanText(e.txHash, 66)}; the destination and amount are the protocol's promise, not a delivery seen.${caveats}`;
}

/** A frontier row's destination in words: `Bitcoin bc1q…`, `bsc (56) 0x…`. */
export function frontierPlace(result: TraceResult, f: FrontierRow): string {
  return `${f.chainId === null ? cleanOptional(f.chain, 40, 'an unknown chain') : chainLabel(result, f.chainId)} ${cleanOptional(f.address, 100, '(no recipient)')}`;
}

/** The destinations not followed, in the report's order (chain, then transaction). */
export function frontierOf(result: TraceResult): FrontierRow[] {
  return result.frontier ?? [];
}

/** A node key for a destination outside the chains followed: `exit:<chain code or name>:<recipient>` (not a CAIP-10 key: no EVM chain id). */
export function destinationKey(chain: string, recipient: string): string {
  return `exit:${chain}:${recipient}`;
}

/** The crossing a step is, if any. */
export function stepCrossing(step: PathStep): Crossing | null {
  return step.kind === 'bridge' ? (step.crossing ?? null) : null;
}

/** Every crossing of the run, in the order the walk followed them (an older report: none). */
export function crossingsOf(result: TraceResult): Crossing[] {
  return result.crossings ?? [];
}
