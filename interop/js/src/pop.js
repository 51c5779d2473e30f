// Section 9 of docs/protocol.md: the registration proof of possession.

import { AbiCoder, id, keccak256, SigningKey, getBytes } from 'ethers'

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
