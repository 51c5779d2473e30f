// Section 9 of docs/protocol.md: offline attestations (the attestations topic's
// payload, its signing digest, the topic's payload check, committees and quorums).

import { AbiCoder, SigningKey, decodeRlp, encodeRlp, getAddress, getBytes, hexlify, id, keccak256, recoverAddress, toBeArray, Signature } from 'ethers'

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n
const MAX_UINT64 = (1n << 64n) - 1n

export const ATTEST_DOMAIN = id('validator.NodeRegistry.offline.v1')
export const COMMITTEE_DOMAIN = id('validator.NodeRegistry.committee.v1')
export const TOPIC = 'attestations'
export const MAX_PAYLOAD = 128
export const ENVELOPE_MAX_BYTES = 512
export const SIGNATURE_LENGTH = 65

// abi.encode(ATTEST_DOMAIN, chainId, registry, node, window, offlineSeconds).
export function attestEncoded (chainId, registry, node, window, offlineSeconds) {
  return AbiCoder.defaultAbiCoder().encode(
    ['bytes32', 'uint256', 'address', 'address', 'uint64', 'uint64'],
    [ATTEST_DOMAIN, chainId, registry, node, window, offlineSeconds])
}

export function attestDigest (chainId, registry, node, window, offlineSeconds) {
  return keccak256(attestEncoded(chainId, registry, node, window, offlineSeconds))
}

// 65 bytes r || s || v with v = 27/28, over the raw digest (no EIP-191 prefix).
export function attestSign (nodePrivateKey, chainId, registry, node, window, offlineSeconds) {
  return getBytes(new SigningKey(nodePrivateKey).sign(attestDigest(chainId, registry, node, window, offlineSeconds)).serialized)
}

// RLP [node, window, offlineSeconds, signature].
export function encodeAttestation ({ node, window, offlineSeconds, signature }) {
  return getBytes(encodeRlp([node, toBeArray(window), toBeArray(offlineSeconds), hexlify(signature)]))
}

export class AttestationError extends Error {}

function uint64 (item, what) {
  if (typeof item !== 'string') throw new AttestationError(`${what}: a list, not an integer`)
  const b = getBytes(item)
  if (b.length > 8) throw new AttestationError(`${what}: over 64 bits`)
  if (b.length > 0 && b[0] === 0) throw new AttestationError(`${what}: leading zero byte`)
  return b.length === 0 ? 0n : BigInt(item)
}

// Decodes a payload sent by attester (the envelope's sender) strictly: at most
// MAX_PAYLOAD bytes, canonical RLP, exactly four items, a 20-byte node, two
// uint64 and a 65-byte signature. Throws AttestationError.
export function decodeAttestation (attester, payload) {
  payload = getBytes(payload)
  if (payload.length > MAX_PAYLOAD) throw new AttestationError(`${payload.length} bytes, at most ${MAX_PAYLOAD}`)
  let l
  try { l = decodeRlp(payload) } catch (e) { throw new AttestationError(`not RLP: ${e.shortMessage ?? e.message}`) }
  // ethers' decoder reads non-minimal sizes too: the canonical form re-encodes to the same bytes.
  if (encodeRlp(l) !== hexlify(payload)) throw new AttestationError('not canonical RLP')
  if (!Array.isArray(l) || l.length !== 4) throw new AttestationError('not a list of four items')
  const [node, window, offlineSeconds, signature] = l
  if (typeof node !== 'string' || getBytes(node).length !== 20) throw new AttestationError('node is not 20 bytes')
  if (typeof signature !== 'string' || getBytes(signature).length !== SIGNATURE_LENGTH) {
    throw new AttestationError(`signature is not ${SIGNATURE_LENGTH} bytes`)
  }
  return {
    attester: getAddress(attester),
    node: getAddress(node),
    window: uint64(window, 'window'),
    offlineSeconds: uint64(offlineSeconds, 'offlineSeconds'),
    signature: getBytes(signature)
  }
}

// The window that contains Unix second t, and window w's start, end and report deadline.
export const windowAt = (t, p) => BigInt(t) / BigInt(p.reportWindow)
export const windowStart = (w, p) => BigInt(w) * BigInt(p.reportWindow)
export const windowEnd = (w, p) => windowStart(w, p) + BigInt(p.reportWindow)
export const windowDeadline = (w, p) => windowEnd(w, p) + BigInt(p.reportDeadline)

// The address an attestation's signature recovers to under the topic's rules
// (v 27 or 28, 0 < r, 0 < s <= n/2), or null.
export function recoverAttester (a, domain) {
  const sig = a.signature
  const v = sig[64]
  const r = hexlify(sig.subarray(0, 32)); const s = hexlify(sig.subarray(32, 64))
  if ((v !== 27 && v !== 28) || BigInt(s) > HALF_N || BigInt(s) === 0n || BigInt(r) === 0n) return null
  try {
    return recoverAddress(attestDigest(domain.chainId, domain.registry, a.node, a.window, a.offlineSeconds), Signature.from({ r, s, v }))
  } catch { return null }
}

// The attestations topic's payload check at Unix second now:
// { result: 'accept'|'reject'|'ignore', reason: 'ok'|'bad_payload'|'ignored_payload', error? }.
// domain: { chainId, registry, params: { reportWindow, offlineThreshold, reportDeadline } } (seconds).
export function checkAttestation (attester, payload, domain, now) {
  const bad = (error) => ({ result: 'reject', reason: 'bad_payload', error })
  const ignored = (error) => ({ result: 'ignore', reason: 'ignored_payload', error })
  let a
  try { a = decodeAttestation(attester, payload) } catch (e) { return bad(e.message) }
  const p = domain.params
  if (a.node === a.attester) return bad('self-attestation')
  if (a.offlineSeconds < BigInt(p.offlineThreshold) || a.offlineSeconds > BigInt(p.reportWindow)) {
    return bad('offline seconds outside [offlineThreshold, reportWindow]')
  }
  if (BigInt(now) < windowEnd(a.window, p)) return ignored('window not over')
  if (BigInt(now) > windowDeadline(a.window, p)) return ignored('window past its report deadline')
  if (recoverAttester(a, domain) !== a.attester) return bad('bad signature')
  return { result: 'accept', reason: 'ok', attestation: a }
}

// Whether observer sits in node's committee for window when there are
// observers possible observers (active nodes but node).
export function inCommittee (chainId, registry, node, window, observer, observers, committeeSize) {
  if (getAddress(observer) === getAddress(node) || observers <= 0) return false
  if (BigInt(observers) <= BigInt(committeeSize)) return true
  const h = BigInt(committeeHash(chainId, registry, node, window, observer))
  return h % BigInt(observers) < BigInt(committeeSize)
}

export function committeeHash (chainId, registry, node, window, observer) {
  return keccak256(AbiCoder.defaultAbiCoder().encode(
    ['bytes32', 'uint256', 'address', 'address', 'uint64', 'address'],
    [COMMITTEE_DOMAIN, chainId, registry, node, window, observer]))
}

// The attestations a report needs: more than two thirds of the committee's
// nominal size min(observers, committeeSize).
export function quorum (observers, committeeSize) {
  const c = Math.min(observers, Number(committeeSize))
  return Math.floor(2 * c / 3) + 1
}

// The submission rank key of attester for node's report of window:
// keccak256(node || uint64 big-endian window || attester).
export function rankKey (node, window, attester) {
  const w = new Uint8Array(8)
  new DataView(w.buffer).setBigUint64(0, BigInt(window) & MAX_UINT64)
  return keccak256(new Uint8Array([...getBytes(node), ...w, ...getBytes(attester)]))
}
