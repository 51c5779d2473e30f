// Section 4 of docs/protocol.md: the Status message.

import * as rlp from './rlp.js'
import { utf8, fromUtf8, uintBytes, fromHex, hex, equal, concat } from './bytes.js'
import { uvarint } from './reqresp.js'
import { getAddress } from 'ethers'

export const STATUS_MAX_BYTES = 512

export function statusProtocol (network) { return `/validator/${network}/status/1` }

// s: { network, chainId, registry (0x address), registryBlock, version }
export function encodeStatus (s) {
  const reg = fromHex(s.registry)
  if (reg.length !== 20) throw new Error('registry must be 20 bytes')
  const out = rlp.encode([utf8(s.network), uintBytes(s.chainId), reg, uintBytes(s.registryBlock), utf8(s.version)])
  if (out.length > STATUS_MAX_BYTES) throw new Error(`status is ${out.length} bytes, at most ${STATUS_MAX_BYTES}`)
  return out
}

export function decodeStatus (bytes) {
  if (bytes.length > STATUS_MAX_BYTES) throw new rlp.RlpError('status over 512 bytes')
  const l = rlp.asList(rlp.decode(bytes), 'status', 5)
  return {
    network: fromUtf8(rlp.asBytes(l[0], 'network', { max: 32 })),
    chainId: rlp.asUint64(l[1], 'chain_id'),
    registry: getAddress('0x' + hex(rlp.asBytes(l[2], 'registry', { exact: 20 }))),
    registryBlock: rlp.asUint64(l[3], 'registry_block'),
    version: fromUtf8(rlp.asBytes(l[4], 'version', { max: 64 }))
  }
}

// Returns null when compatible, else the name of the first differing field.
export function incompatibility (ours, theirs) {
  if (ours.network !== theirs.network) return 'network'
  if (BigInt(ours.chainId) !== BigInt(theirs.chainId)) return 'chain_id'
  if (!equal(fromHex(ours.registry), fromHex(theirs.registry))) return 'registry'
  return null
}

export const BAN_MISMATCH_MS = 60_000
export const BAN_ERROR_MS = 5000

// The listener's side of section 4 over the whole byte stream a dialer wrote
// (then half-closed): { result: ok|mismatch|invalid|timeout, field?, banMs,
// response (bytes the listener writes; empty when it answers nothing) }.
export function judgeRequest (stream, ours) {
  // uvarint length; a length over the cap or a frame cut short gets no answer
  // (the stream is reset) and the exchange never completes: the 6 s timer.
  let len = 0; let mul = 1; let i = 0
  for (;; i++) {
    if (i >= stream.length || i >= 10) return { result: 'timeout', banMs: BAN_ERROR_MS, response: new Uint8Array(0) }
    len += (stream[i] & 0x7f) * mul
    mul *= 128
    if ((stream[i] & 0x80) === 0) break
  }
  const start = i + 1
  if (len > STATUS_MAX_BYTES || start + len > stream.length) return { result: 'timeout', banMs: BAN_ERROR_MS, response: new Uint8Array(0) }
  let theirs
  try { theirs = decodeStatus(stream.subarray(start, start + len)) } catch {
    return { result: 'invalid', banMs: BAN_MISMATCH_MS, response: new Uint8Array(0) }
  }
  const body = encodeStatus(ours)
  const response = concat(Uint8Array.of(0x00), uvarint(body.length), body)
  const field = incompatibility(ours, theirs)
  if (field) return { result: 'mismatch', field, banMs: BAN_MISMATCH_MS, response, status: theirs }
  return { result: 'ok', banMs: 0, response, status: theirs }
}
