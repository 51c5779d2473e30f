// Section 10 of docs/protocol.md: the registration proof of possession.

import { AbiCoder, id, keccak256, SigningKey, getBytes, hexlify, recoverAddress, Signature } from 'ethers'
import { nodeIdFromPublicKey } from './identity.js'

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

export const POP_DOMAIN = id('validator.NodeRegistry.register.v1')

export function popEncoded (chainId, registry, operator) {
  return AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256', 'address', 'address'], [POP_DOMAIN, chainId, registry, operator])
}

export function popDigest (chainId, registry, operator) {
  return keccak256(popEncoded(chainId, registry, operator))
}

// 65 bytes r || s || v with v = 27/28, over the raw digest (no EIP-191 prefix).
export function popSign (nodePrivateKey, chainId, registry, operator) {
  const sk = new SigningKey(nodePrivateKey)
  return getBytes(sk.sign(popDigest(chainId, registry, operator)).serialized)
}

// What the contract decides (section 10): 'accept' or 'BadProof'. pubKey is the
// 64-byte X || Y.
export function popVerify (signature, chainId, registry, operator, pubKey) {
  signature = getBytes(signature)
  if (signature.length !== 65) return 'BadProof'
  let v = signature[64]
  if (v < 27) v += 27
  if (v !== 27 && v !== 28) return 'BadProof'
  const r = hexlify(signature.subarray(0, 32)); const s = hexlify(signature.subarray(32, 64))
  if (BigInt(s) > HALF_N || BigInt(s) === 0n || BigInt(r) === 0n) return 'BadProof'
  let signer
  try { signer = recoverAddress(popDigest(chainId, registry, operator), Signature.from({ r, s, v })) } catch { return 'BadProof' }
  return signer === nodeIdFromPublicKey(getBytes(pubKey)) ? 'accept' : 'BadProof'
}
