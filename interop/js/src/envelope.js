// Section 6 of docs/protocol.md: the envelope, its signing digest, signature,
// message ID (section 5) and validation order.

import { keccak_256 } from '@noble/hashes/sha3.js'
import { blake2b } from '@noble/hashes/blake2.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { getAddress } from 'ethers'
import * as rlp from './rlp.js'
import { concat, utf8, fromUtf8, uintBytes, bytesToBigInt, hex, fromHex } from './bytes.js'
import { decodeHeartbeat } from './heartbeat.js'
import * as snappy from './snappy.js'

export const DOMAIN = utf8('validator/envelope/v1')
export const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
export const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

export const TOPICS = ['heartbeats', 'jobs', 'storage', 'scheduling', 'sync']
export const COORDINATOR_ONLY = ['scheduling']
export const MAX_AGE_MS = 120_000n
export const MAX_SKEW_MS = 10_000n
export const HEARTBEAT_MAX_BYTES = 4096
export const MAX_MESSAGE_BYTES = 65536
// The optional seventh item: 1 = the payload is a snappy block.
export const ENCODING_SNAPPY = 1n
// No snappy element expands more than 64/3 times: a header claiming more
// than 22 times the block's length is a decompression bomb.
export const SNAPPY_MAX_RATIO = 22

export function topicName (network, name) { return `/validator/${network}/${name}/1` }

// fields: { network: string, topic: string, sender: 20-byte Uint8Array or 0x address,
//           timestamp: bigint|number (Unix ms), payload: Uint8Array (as sent),
//           encoding?: 1n|1 for a snappy payload (absent or 0 for raw) }
function senderBytes (sender) {
  const b = typeof sender === 'string' ? fromHex(sender) : sender
  if (b.length !== 20) throw new Error('sender must be 20 bytes')
  return b
}

function unsignedItems (f) {
  const items = [utf8(f.network), utf8(f.topic), senderBytes(f.sender), uintBytes(f.timestamp), f.payload]
  return f.encoding ? [...items, uintBytes(f.encoding)] : items
}

export function signingDigest (f) {
  return keccak_256(concat(DOMAIN, rlp.encode(unsignedItems(f))))
}

export function encodeEnvelope (f, signature) {
  const items = unsignedItems(f)
  return f.encoding ? rlp.encode([...items.slice(0, 5), signature, items[5]]) : rlp.encode([...items, signature])
}

// 64 bytes r || s, low s, RFC 6979 deterministic; digest used as is.
export function signDigest (digest, privateKey) {
  return secp256k1.sign(digest, privateKey, { prehash: false, lowS: true, format: 'compact' })
}

export function signEnvelope (f, privateKey) {
  const sig = signDigest(signingDigest(f), privateKey)
  return { signature: sig, bytes: encodeEnvelope(f, sig) }
}

// Verifies a 64-byte r || s against a public key (64-byte X || Y, or 65 with 04).
export function verifySignature (digest, signature, publicKey) {
  if (signature.length !== 64) return false
  const r = bytesToBigInt(signature.subarray(0, 32))
  const s = bytesToBigInt(signature.subarray(32))
  if (r < 1n || r >= N || s < 1n || s > HALF_N) return false
  const pub = publicKey.length === 64 ? concat(Uint8Array.of(0x04), publicKey) : publicKey
  try {
    return secp256k1.verify(signature, digest, pub, { prehash: false, lowS: false, format: 'compact' })
  } catch {
    return false
  }
}

// Message ID: the first 20 bytes of BLAKE2b-256 of the message data.
export function messageId (data) {
  return blake2b(data, { dkLen: 32 }).subarray(0, 20)
}

// Decodes the wire bytes per validation step 2; throws rlp.RlpError. A
// seventh item, encoding, must be 1 (snappy); a raw envelope has six.
export function decodeEnvelope (bytes) {
  const l = rlp.asList(rlp.decode(bytes), 'envelope')
  if (l.length !== 6 && l.length !== 7) throw new rlp.RlpError(`envelope: ${l.length} items, want 6 or 7`)
  let encoding = 0n
  if (l.length === 7) {
    encoding = rlp.asUint64(l[6], 'encoding')
    if (encoding !== ENCODING_SNAPPY) throw new rlp.RlpError(`encoding: ${encoding}, want 1 (snappy) or absent`)
  }
  const network = rlp.asBytes(l[0], 'network', { max: 32 })
  const topic = rlp.asBytes(l[1], 'topic', { max: 64 })
  const sender = rlp.asBytes(l[2], 'sender', { exact: 20 })
  const timestamp = rlp.asUint64(l[3], 'timestamp')
  const payload = rlp.asBytes(l[4], 'payload')
  const signature = rlp.asBytes(l[5], 'signature')
  let networkStr, topicStr
  try { networkStr = fromUtf8(network); topicStr = fromUtf8(topic) } catch { networkStr = null; topicStr = null }
  return {
    network: networkStr,
    networkBytes: network,
    topic: topicStr,
    topicBytes: topic,
    sender: getAddress('0x' + hex(sender)),
    senderBytes: sender,
    timestamp,
    payload,
    signature,
    encoding
  }
}

// The decoded length of a snappy payload, per steps 2a and 2b: throws
// snappy.SnappyError for a header that does not parse or that claims more
// than the block can hold (a bomb). Nothing is allocated.
export function snappyDecodedLength (payload) {
  const { length } = snappy.decodedLength(payload)
  if (length > SNAPPY_MAX_RATIO * payload.length) {
    throw new snappy.SnappyError(`header claims ${length} bytes from a ${payload.length}-byte block`)
  }
  return length
}

export const ACCEPT = 'accept'
export const REJECT = 'reject'
export const IGNORE = 'ignore'

// validate(bytes, arrivedShortTopic, ctx) -> { result, reason, envelope? }
// ctx: { network, nowMs (bigint|number), members: Map<lowercase address, { publicKey: Uint8Array(64|65), coordinator: bool }>,
//        maxSize?: { heartbeats, default }, coordinatorOnly?: string[], maxAgeMs?, maxSkewMs?,
//        checkHeartbeat?: boolean (default true) }
export function validate (bytes, arrived, ctx) {
  const caps = ctx.maxSize ?? { heartbeats: HEARTBEAT_MAX_BYTES, default: MAX_MESSAGE_BYTES }
  const cap = caps[arrived] ?? caps.default
  if (bytes.length > cap) return { result: IGNORE, reason: 'oversized' } // 1
  let e
  try { e = decodeEnvelope(bytes) } catch { return { result: REJECT, reason: 'undecodable' } } // 2
  if (e.encoding === ENCODING_SNAPPY) {
    let n
    try { n = snappyDecodedLength(e.payload) } catch { return { result: REJECT, reason: 'bad_compression', envelope: e } } // 2a
    if (n > cap) return { result: IGNORE, reason: 'too_large_decompressed', envelope: e } // 2b
  }
  if (e.network !== ctx.network) return { result: REJECT, reason: 'wrong_network', envelope: e } // 3
  if (e.topic !== arrived) return { result: REJECT, reason: 'wrong_topic', envelope: e } // 4
  const now = BigInt(ctx.nowMs)
  if (e.timestamp < now - BigInt(ctx.maxAgeMs ?? MAX_AGE_MS)) return { result: IGNORE, reason: 'stale', envelope: e } // 5
  if (e.timestamp > now + BigInt(ctx.maxSkewMs ?? MAX_SKEW_MS)) return { result: IGNORE, reason: 'future', envelope: e } // 6
  const m = ctx.members.get(e.sender.toLowerCase())
  if (!m) return { result: IGNORE, reason: 'unknown_sender', envelope: e } // 7
  if ((ctx.coordinatorOnly ?? COORDINATOR_ONLY).includes(arrived) && !m.coordinator) {
    return { result: IGNORE, reason: 'not_coordinator', envelope: e } // 8
  }
  const digest = signingDigest({ network: e.network, topic: e.topic, sender: e.senderBytes, timestamp: e.timestamp, payload: e.payload, encoding: e.encoding })
  if (!verifySignature(digest, e.signature, m.publicKey)) return { result: REJECT, reason: 'bad_signature', envelope: e } // 9
  // The application message: the payload, decompressed when compressed.
  e.content = e.payload
  if (e.encoding === ENCODING_SNAPPY) {
    try { e.content = snappy.decode(e.payload) } catch { return { result: REJECT, reason: 'bad_compression', envelope: e } } // 9a
  }
  if (arrived === 'heartbeats' && ctx.checkHeartbeat !== false) { // 10
    try { decodeHeartbeat(e.content) } catch { return { result: REJECT, reason: 'bad_heartbeat', envelope: e } }
  }
  return { result: ACCEPT, reason: 'ok', envelope: e }
}
