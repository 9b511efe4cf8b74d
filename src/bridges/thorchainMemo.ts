/**
 * THORChain memos, parsed strictly. The grammar is thornode's (x/thorchain/memo/memo.go,
 * memo_parser.go, memo_swap.go, memo_outbound.go, memo_refund.go; common/asset.go for asset notation
 * and short codes), as documented in its docs/concepts/memos.md. See docs/bridges.md for the commit.
 *
 * Strict means: a form we do not understand is `unknown` with the reason, never a best guess. THORChain
 * resolves some things from its own state at swap time (abbreviated assets such as `ETH.USDT`, THORNames
 * as destinations); those are reported as such, not resolved here.
 */
import type { Address } from '../types.js';
import { isKnownThorchainCode, isThorchainEvmCode } from './chains.js';
import type { BridgeAsset, BridgeRecipient } from './types.js';

/** THORChain ignores inbound memos longer than this (docs/concepts/memos.md "Memo Size Limits"). */
export const THORCHAIN_MEMO_MAX_BYTES = 250;

/** A parsed memo. `memo` is always the full text as read from the chain. */
export type ThorMemo =
  | ThorSwapMemo
  | { kind: 'outbound'; memo: string; txId: string }
  | { kind: 'refund'; memo: string; txId: string }
  /** A memo type thornode knows that is not a crossing of funds to a recipient (add, bond, migrate…). */
  | { kind: 'other'; memo: string; type: string }
  | { kind: 'unknown'; memo: string; reason: string };

/** `SWAP:ASSET:DESTADDR:LIM/INTERVAL/QUANTITY:AFFILIATE:FEE[:DEXAGG:DEXTARGET:DEXLIMIT]`. */
export interface ThorSwapMemo {
  kind: 'swap';
  memo: string;
  /** The function as written: `SWAP`, `s`, `=`. */
  function: string;
  asset: Extract<BridgeAsset, { kind: 'thorchain' }>;
  destination: BridgeRecipient;
  /** The refund address after `/` in the destination field, as written (null when absent). */
  refundAddress: string | null;
  /** Trade limit in 1e8 units of the target asset; null when the memo sets none (or sets 0). */
  limit: bigint | null;
  streamInterval: bigint | null;
  streamQuantity: bigint | null;
  /** Affiliate field as written (a THORName, a thor1 address, or several joined by `/`). */
  affiliate: string | null;
  /** Affiliate fee field as written. */
  affiliateFee: string | null;
  /** DEX aggregator fields (6–8) as written, when present. */
  aggregator: string[];
  /** Text after the first `|`, which thornode drops before parsing. */
  suffix: string | null;
}

/** thornode memo.go `stringToTxTypeMap`, lower-case. */
const TX_TYPES: ReadonlyMap<string, string> = new Map([
  ['add', 'add'], ['+', 'add'], ['withdraw', 'withdraw'], ['wd', 'withdraw'], ['-', 'withdraw'],
  ['swap', 'swap'], ['s', 'swap'], ['=', 'swap'], ['limito', 'limit-order'], ['lo', 'limit-order'],
  ['out', 'outbound'], ['donate', 'donate'], ['d', 'donate'], ['bond', 'bond'], ['unbond', 'unbond'],
  ['leave', 'leave'], ['reserve', 'reserve'], ['refund', 'refund'], ['migrate', 'migrate'],
  ['ragnarok', 'ragnarok'], ['noop', 'noop'], ['consolidate', 'consolidate'], ['name', 'thorname'],
  ['n', 'thorname'], ['~', 'thorname'], ['$+', 'loan-open'], ['loan+', 'loan-open'], ['$-', 'loan-repay'],
  ['loan-', 'loan-repay'], ['trade+', 'trade-deposit'], ['trade-', 'trade-withdraw'], ['switch', 'switch'],
  ['yggdrasil+', 'yggdrasil-fund'], ['yggdrasil-', 'yggdrasil-return'],
]);

/** thornode common/asset.go `ShortCode` (used from v1.124 by NewAssetWithShortCodes). Case-sensitive. */
const SHORT_CODES: ReadonlyMap<string, string> = new Map([
  ['r', 'THOR.RUNE'], ['b', 'BTC.BTC'], ['e', 'ETH.ETH'], ['n', 'BNB.BNB'], ['g', 'GAIA.ATOM'],
  ['d', 'DOGE.DOGE'], ['l', 'LTC.LTC'], ['c', 'BCH.BCH'], ['a', 'AVAX.AVAX'], ['s', 'BSC.BNB'],
]);

/** Gas assets: their notation needs no contract (common/chain.go GetGasAsset). */
const GAS_ASSETS: ReadonlySet<string> = new Set([
  'THOR.RUNE', 'BTC.BTC', 'ETH.ETH', 'BNB.BNB', 'GAIA.ATOM', 'DOGE.DOGE', 'LTC.LTC', 'BCH.BCH', 'AVAX.AVAX',
  'BSC.BNB', 'TERRA.LUNA',
]);

/** thornode handler_manage_thorname.go `IsValidTHORNameV1`, plus the 1–30 length of the THORName guide. */
const THORNAME = /^[a-zA-Z0-9+_-]{1,30}$/;
const HEX40 = /^0x[0-9a-fA-F]{40}$/;
const TXID = /^(?:0x)?[0-9a-fA-F]{64}$/;
/** A trade limit: an unsigned integer, optionally with a fraction and a decimal exponent (`161e6`). */
const LIMIT = /^(\d+)(?:\.(\d+))?(?:[eE](\d{1,3}))?$/;
const UINT = /^\d{1,19}$/;
/**
 * Address prefixes of the non-EVM chains THORChain pays out on. Only used to tell an address from a
 * THORName of the same shape: a short base58 address and a THORName can look alike.
 */
const ADDRESS_PREFIX: Readonly<Record<string, RegExp>> = {
  BTC: /^(bc1|[13])/,
  LTC: /^(ltc1|[LM3])/,
  BCH: /^(bitcoincash:|[qp13])/,
  DOGE: /^[DA9]/,
  GAIA: /^cosmos1/,
  THOR: /^thor1/,
  BNB: /^bnb1/,
  TERRA: /^terra1/,
};

/**
 * Parses a THORChain memo. Never throws: anything outside the grammar is `{ kind: 'unknown', reason }`.
 *
 * @example parseThorchainMemo('=:BTC.BTC:bc1qxyz…:1e6/1/0:t:10').kind // 'swap'
 * @example parseThorchainMemo('OUT:9A7C…').kind // 'outbound'
 */
export function parseThorchainMemo(memo: string): ThorMemo {
  const unknown = (reason: string): ThorMemo => ({ kind: 'unknown', memo, reason });
  if (typeof memo !== 'string') return { kind: 'unknown', memo: String(memo), reason: 'not a string' };
  if (memo.length === 0) return unknown('empty memo');
  const bytes = Buffer.byteLength(memo, 'utf8');
  if (bytes > THORCHAIN_MEMO_MAX_BYTES) {
    return unknown(`${bytes} bytes, over THORChain's ${THORCHAIN_MEMO_MAX_BYTES}-byte memo limit (THORChain ignores such memos)`);
  }
  // Memos are ASCII in every form thornode defines; a control or non-ASCII character is no form of ours.
  for (let i = 0; i < memo.length; i++) {
    const c = memo.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return unknown(`character U+${c.toString(16).padStart(4, '0').toUpperCase()} at position ${i}`);
  }
  const pipe = memo.indexOf('|');
  const body = pipe === -1 ? memo : memo.slice(0, pipe);
  const suffix = pipe === -1 ? null : memo.slice(pipe + 1);
  const parts = body.split(':');
  const fn = parts[0] ?? '';
  const type = TX_TYPES.get(fn.toLowerCase());
  if (type === undefined) return unknown(`function "${fn}" is not a THORChain memo type`);

  if (type === 'outbound' || type === 'refund') {
    const txId = parts[1] ?? '';
    if (!TXID.test(txId)) return unknown(`${fn}: "${txId}" is not a transaction hash (64 hex digits)`);
    if (parts.length > 2) return unknown(`${fn}: ${parts.length - 2} field(s) after the hash`);
    return { kind: type, memo, txId: normalizeTxId(txId) };
  }
  if (type !== 'swap') return { kind: 'other', memo, type };
  return parseSwap(memo, fn, parts, suffix);
}

/** Upper-case hex without 0x: the form THORChain prints and `OUT:` memos carry (common/tx.go NewTxID). */
export function normalizeTxId(txId: string): string {
  return (txId.startsWith('0x') || txId.startsWith('0X') ? txId.slice(2) : txId).toUpperCase();
}

function parseSwap(memo: string, fn: string, parts: string[], suffix: string | null): ThorMemo {
  const unknown = (reason: string): ThorMemo => ({ kind: 'unknown', memo, reason });
  const assetText = parts[1] ?? '';
  if (assetText === '') return unknown('swap without an asset');
  const asset = parseAsset(assetText);
  if (typeof asset === 'string') return unknown(asset);

  // Synths and trade assets stay on THORChain: their payout address is a thor1 address or THORName.
  const payChain = asset.form === 'layer1' ? asset.chainCode : 'THOR';
  const destField = parts[2] ?? '';
  const slash = destField.indexOf('/');
  const destText = slash === -1 ? destField : destField.slice(0, slash);
  const refundAddress = slash === -1 ? null : destField.slice(slash + 1);
  if (destText === '' && refundAddress !== null && refundAddress !== '') {
    return unknown('refund address set but destination empty (thornode refuses this)');
  }
  const destination = parseDestination(destText, payChain);

  let limit: bigint | null = null;
  let streamInterval: bigint | null = null;
  let streamQuantity: bigint | null = null;
  const limField = parts[3] ?? '';
  if (limField !== '') {
    const lim = limField.split('/');
    if (lim.length > 3) return unknown(`limit field "${limField}" has more than limit/interval/quantity`);
    const [l = '', iv, qty] = lim;
    if (l !== '') {
      const v = parseLimit(l);
      if (v === null) return unknown(`trade limit "${l}" is not a number`);
      limit = v === 0n ? null : v;
    }
    if (iv !== undefined) {
      if (iv !== '' && !UINT.test(iv)) return unknown(`stream interval "${iv}" is not an integer`);
      streamInterval = iv === '' ? 0n : BigInt(iv);
    }
    if (qty !== undefined) {
      if (qty !== '' && !UINT.test(qty)) return unknown(`stream quantity "${qty}" is not an integer`);
      streamQuantity = qty === '' ? 0n : BigInt(qty);
    }
  }
  const affiliate = parts[4] === undefined || parts[4] === '' ? null : parts[4];
  const affiliateFee = parts[5] === undefined || parts[5] === '' ? null : parts[5];
  if (affiliateFee !== null && !/^\d+(\/\d+)*$/.test(affiliateFee)) {
    return unknown(`affiliate fee "${affiliateFee}" is not basis points`);
  }
  if (parts.length > 9) return unknown(`${parts.length} fields; a swap memo has at most 9`);
  return {
    kind: 'swap',
    memo,
    function: fn,
    asset,
    destination,
    refundAddress: refundAddress === '' ? null : refundAddress,
    limit,
    streamInterval,
    streamQuantity,
    affiliate,
    affiliateFee,
    aggregator: parts.slice(6),
    suffix,
  };
}

type ThorAsset = Extract<BridgeAsset, { kind: 'thorchain' }>;

/** Asset notation (common/asset.go NewAsset): `CHAIN.SYMBOL`, `CHAIN/SYMBOL` (synth), `CHAIN~SYMBOL` (trade). */
function parseAsset(text: string): ThorAsset | string {
  const long = SHORT_CODES.get(text) ?? text;
  let sep: '.' | '/' | '~';
  let form: ThorAsset['form'];
  // thornode checks `~` first, then `/`, then `.`, splitting once.
  if (long.includes('~')) [sep, form] = ['~', 'trade'];
  else if (long.includes('/')) [sep, form] = ['/', 'synth'];
  else if (long.includes('.')) [sep, form] = ['.', 'layer1'];
  else return `asset "${text}" has no chain (and is not a short code)`;
  const at = long.indexOf(sep);
  const chainCode = long.slice(0, at).toUpperCase();
  const symbol = long.slice(at + 1).toUpperCase();
  if (!/^[A-Z0-9]{2,10}$/.test(chainCode)) return `asset "${text}": chain "${long.slice(0, at)}" is not a chain code`;
  if (!/^[A-Z0-9._-]{1,80}$/i.test(symbol) || /[~/]/.test(symbol)) return `asset "${text}": symbol "${symbol}" is not a symbol`;
  const dash = symbol.indexOf('-');
  const ticker = dash === -1 ? symbol : symbol.slice(0, dash);
  const idPart = dash === -1 ? '' : symbol.slice(dash + 1);
  const l1 = `${chainCode}.${symbol}`;
  let contract: Address | null = null;
  let abbreviated = false;
  if (isThorchainEvmCode(chainCode) && form === 'layer1' && !GAS_ASSETS.has(l1)) {
    // On an EVM chain a token is named by its contract; a shorter form is matched by THORChain to the
    // deepest pool at swap time (memo-length-reduction.md "Asset Abbreviations"): we do not resolve it.
    // THORChain prints notations upper-case, `0X` included (ETH.USDC-0XA0B8…).
    if (/^0x[0-9a-f]{40}$/i.test(idPart)) contract = `0x${idPart.slice(2).toLowerCase()}`;
    else abbreviated = true;
  }
  return {
    kind: 'thorchain',
    notation: `${chainCode}${sep}${symbol}`,
    chainCode,
    symbol,
    ticker,
    contract,
    form,
    abbreviated,
  };
}

function parseDestination(text: string, chainCode: string): BridgeRecipient {
  if (text === '') return { kind: 'sender' };
  if (isThorchainEvmCode(chainCode)) {
    if (HEX40.test(text)) return { kind: 'evm', address: text.toLowerCase() };
    return THORNAME.test(text) && !text.startsWith('0x') ? { kind: 'thorname', name: text } : { kind: 'unknown', text };
  }
  if (!isKnownThorchainCode(chainCode)) return /^[\x21-\x7e]+$/.test(text) ? { kind: 'external', text } : { kind: 'unknown', text };
  const prefix = ADDRESS_PREFIX[chainCode];
  const looksLikeAddress = prefix !== undefined && prefix.test(text) && text.length >= 25;
  if (!looksLikeAddress && THORNAME.test(text)) return { kind: 'thorname', name: text };
  return /^[a-zA-Z0-9:]{20,120}$/.test(text) ? { kind: 'external', text } : { kind: 'unknown', text };
}

/**
 * thornode parses limits with big.ParseFloat and drops the fraction (memo.go parseTradeTarget). We do the
 * same exactly, in bigint, for the forms the docs show (`1612345678`, `161e6`, `1.5e8`).
 */
function parseLimit(text: string): bigint | null {
  const m = LIMIT.exec(text);
  if (!m) return null;
  const intPart = m[1] ?? '0';
  const frac = m[2] ?? '';
  const exp = Number(m[3] ?? '0');
  if (intPart.length + exp > 78) return null; // beyond 2^256: no amount of any chain
  const digits = intPart + frac.slice(0, exp).padEnd(exp, '0');
  return BigInt(digits);
}
