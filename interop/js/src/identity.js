// Section 1 of docs/protocol.md: one secp256k1 node key is the libp2p identity
// (peer ID), the node ID (Ethereum address) and the registered key.

import { SigningKey, computeAddress, getAddress, encodeBase58, randomBytes } from 'ethers'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { concat, fromHex, hex, equal } from './bytes.js'

const N = secp256k1.Point.CURVE().n

// The libp2p public key protobuf: PublicKey { Type = 2 (Secp256k1), Data = 33 bytes }.
export function publicKeyProtobuf (compressed) {
  if (compressed.length !== 33) throw new Error('compressed public key must be 33 bytes')
  return concat(Uint8Array.of(0x08, 0x02, 0x12, 0x21), compressed)
}

// The peer ID's bytes: the identity multihash (00 25) of the protobuf.
export function peerIdBytes (compressed) {
  return concat(Uint8Array.of(0x00, 0x25), publicKeyProtobuf(compressed))
}

export function peerIdString (compressed) {
  return encodeBase58(peerIdBytes(compressed))
}

// Node ID from the 64-byte X || Y (or 65 bytes with the 04 prefix).
export function nodeIdFromPublicKey (pub) {
  if (pub.length === 65 && pub[0] === 0x04) pub = pub.subarray(1)
  if (pub.length !== 64) throw new Error(`public key must be 64 bytes X || Y, got ${pub.length}`)
  return getAddress('0x' + hex(keccak_256(pub).subarray(12)))
}

export function compress (pub) {
  if (pub.length === 64) pub = concat(Uint8Array.of(0x04), pub)
  return secp256k1.Point.fromBytes(pub).toBytes(true)
}

export class NodeKey {
  // priv: 32-byte Uint8Array.
  constructor (priv) {
    if (!(priv instanceof Uint8Array) || priv.length !== 32) throw new Error('node key must be 32 bytes')
    const d = BigInt('0x' + hex(priv))
    if (d < 1n || d >= N) throw new Error('node key out of range 1 ≤ d < n')
    this.privateKey = priv
    this.signingKey = new SigningKey(priv)
    const uncompressed = fromHex(this.signingKey.publicKey) // 04 || X || Y
    this.publicKeyXY = uncompressed.subarray(1) // 64 bytes, as registered
    this.compressed = fromHex(this.signingKey.compressedPublicKey)
    this.address = computeAddress(this.signingKey.publicKey) // EIP-55
    if (this.address !== nodeIdFromPublicKey(this.publicKeyXY)) throw new Error('address derivation disagrees')
    this.peerIdString = peerIdString(this.compressed)
  }

  static random () { return new NodeKey(randomBytes(32)) }

  // node.key file format: exactly 64 hex digits, no 0x; up to two trailing \r/\n.
  static fromFile (text) {
    const m = /^([0-9a-fA-F]{64})[\r\n]{0,2}$/.exec(text)
    if (!m) throw new Error('node.key: want exactly 64 hexadecimal characters')
    return new NodeKey(fromHex(m[1]))
  }

  toFile () { return hex(this.privateKey) }

  // The libp2p private key and peer ID, checked against the doc's derivation.
  libp2pKey () {
    const pk = privateKeyFromRaw(this.privateKey)
    const pid = peerIdFromPrivateKey(pk)
    if (!equal(pid.toMultihash().bytes, peerIdBytes(this.compressed))) {
      throw new Error('libp2p peer ID disagrees with docs/protocol.md section 1')
    }
    return { privateKey: pk, peerId: pid }
  }
}
