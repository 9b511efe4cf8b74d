/**
 * THORChain router logs. `Deposit` is funds entering THORChain with a memo that says what to do;
 * `TransferOut` / `TransferOutAndCall` are THORChain's vaults paying out, with a memo `OUT:<inbound tx
 * hash>` (or `REFUND:<inbound tx hash>`) that names the inbound exactly: that hash is the link.
 */
import type { ReadLog } from './abi.js';
import { addr, evmAsset, uint } from './abi.js';
import { thorchainDestination } from './chains.js';
import { normalizeTxId, parseThorchainMemo, type ThorMemo } from './thorchainMemo.js';
import type { BridgeDestination, DecodedBridgeLog } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BOUNCE = 'a native payout the recipient refuses goes back to the vault and the event still fires: the value transfer of the same transaction says which';

/** The link key both sides of one THORChain crossing share: the inbound transaction hash. */
export function thorchainLinkKey(txHash: string): string {
  return `thorchain:${normalizeTxId(txHash)}`;
}

/** The memo bytes as text, parsed; bytes that are not UTF-8 are an unknown memo, kept as hex. */
function memoOf(v: unknown): ThorMemo {
  const hex = String(v);
  const bytes = Buffer.from(hex.slice(2), 'hex');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'unknown', memo: hex, reason: 'memo bytes are not UTF-8 (kept as hex)' };
  }
  return parseThorchainMemo(text);
}

/** Router `Deposit(to, asset, amount, memo)`: an exit whatever the memo, since the funds left. */
export function decodeThorchainDeposit(r: ReadLog): DecodedBridgeLog {
  const memo = memoOf(r.args.get('memo'));
  const chainId = r.at.chainId;
  const paid = { asset: evmAsset(chainId, addr(r.args.get('asset'))), amount: uint(r.args.get('amount')) };
  const link = { kind: 'exact' as const, key: thorchainLinkKey(r.at.txHash), txHash: normalizeTxId(r.at.txHash) };
  const caveats: string[] = [];
  if (memo.kind !== 'swap') {
    const why = memo.kind === 'unknown' ? `memo not understood: ${memo.reason}` : `memo is ${memo.kind === 'other' ? memo.type : memo.kind}, not a swap`;
    caveats.push(`${why}; THORChain refunds an invalid memo with REFUND:<this tx hash>`);
    return {
      kind: 'exit',
      exit: {
        protocol: 'thorchain', event: 'Deposit', source: r.at, sender: null, paid,
        destination: { kind: 'unknown', protocolCode: 'THOR', reason: why },
        recipient: { kind: 'unknown', text: '' },
        promised: { asset: null, amount: null, amountKind: 'none' },
        link, deadline: null, memo, caveats,
      },
    };
  }
  const destination: BridgeDestination =
    memo.asset.form === 'layer1' ? thorchainDestination(memo.asset.chainCode) : thorchainDestination('THOR');
  if (memo.asset.abbreviated) caveats.push(`asset ${memo.asset.notation} is abbreviated: THORChain matches it to its deepest pool at swap time`);
  if (memo.asset.form !== 'layer1') caveats.push(`asset ${memo.asset.notation} is a ${memo.asset.form} asset: it stays on THORChain`);
  if (memo.destination.kind === 'thorname') caveats.push(`destination ${memo.destination.name} is a THORName, resolved by THORChain's state at swap time`);
  if (memo.destination.kind === 'sender') caveats.push("no destination: THORChain pays the inbound transaction's sender");
  if (memo.limit !== null) caveats.push('amount is a trade limit in 1e8 units: THORChain refunds if it cannot pay at least this');
  if (memo.streamInterval !== null && memo.streamInterval > 0n) caveats.push('streaming swap: paid out in several outbounds');
  return {
    kind: 'exit',
    exit: {
      protocol: 'thorchain', event: 'Deposit', source: r.at, sender: null, paid,
      destination, recipient: memo.destination,
      promised: { asset: memo.asset, amount: memo.limit, amountKind: memo.limit === null ? 'none' : 'minimum' },
      link, deadline: null, memo, caveats,
    },
  };
}

/** Router `TransferOut` / `TransferOutAndCall`: an arrival when the memo is `OUT:` or `REFUND:`. */
export function decodeThorchainTransferOut(r: ReadLog, event: 'TransferOut' | 'TransferOutAndCall'): DecodedBridgeLog {
  const memo = memoOf(r.args.get('memo'));
  if (memo.kind !== 'outbound' && memo.kind !== 'refund') {
    const why = memo.kind === 'unknown' ? `memo not understood: ${memo.reason}` : `memo is ${memo.kind === 'other' ? memo.type : memo.kind}`;
    return { kind: 'ignored', protocol: 'thorchain', event, reason: `${why}; only OUT:/REFUND: name an inbound` };
  }
  const chainId = r.at.chainId;
  const link = { kind: 'exact' as const, key: `thorchain:${memo.txId}`, txHash: memo.txId };
  if (event === 'TransferOut') {
    const asset = evmAsset(chainId, addr(r.args.get('asset')));
    return {
      kind: 'arrival',
      arrival: {
        protocol: 'thorchain', event, at: r.at, recipient: addr(r.args.get('to')),
        asset, amount: uint(r.args.get('amount')), amountKind: 'exact',
        link, origin: null, originSender: null, refund: memo.kind === 'refund',
        // THORChain_Router.transferOut: a refused native send goes back to the vault, and the event still fires.
        caveats: asset.kind === 'native' ? [BOUNCE] : [],
      },
    };
  }
  return {
    kind: 'arrival',
    arrival: {
      protocol: 'thorchain', event, at: r.at, recipient: addr(r.args.get('to')),
      asset: evmAsset(chainId, addr(r.args.get('finalAsset'))), amount: uint(r.args.get('amountOutMin')), amountKind: 'minimum',
      link, origin: null, originSender: null, refund: memo.kind === 'refund',
      caveats: [
        `paid through aggregator ${addr(r.args.get('target'))}: ${uint(r.args.get('amount'))} of the chain's coin swapped into the final asset; the amount is the swap's floor`,
        // THORChain_Router.transferOutAndCall: a failed swap sends the coin itself to `to`, or back to the vault.
        "if the aggregator's swap failed, the recipient got the chain's coin instead (or the vault took it back), and the event still fires",
      ],
    },
  };
}
