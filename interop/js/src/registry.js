// Reading the NodeRegistry's active set (contracts/NodeRegistry.sol views) with ethers.

import { Contract, JsonRpcProvider, getAddress, getBytes } from 'ethers'
import { nodeIdFromPublicKey, peerIdString, compress } from './identity.js'

export const REGISTRY_ABI = [
  'function nodeCount() view returns (uint256)',
  'function getNodes(uint256 offset, uint256 limit) view returns (tuple(address id, address operator, bytes pubKey, string[] multiaddrs, string metadata, uint256 stake, uint8 role, uint8 status, uint64 registeredAt, uint64 withdrawableAt, uint64 activeSince, uint64 jailedUntil)[])'
]

// Returns { block, chainId, members: Map<lowercase node ID, member> } where a
// member is { id, operator, publicKey (64 bytes X || Y), peerId, multiaddrs, coordinator }.
export async function readActive (rpcUrl, registryAddress, { provider } = {}) {
  provider ??= new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true })
  const reg = new Contract(registryAddress, REGISTRY_ABI, provider)
  const block = await provider.getBlockNumber()
  const { chainId } = await provider.getNetwork()
  const members = new Map()
  for (let offset = 0; ; offset += 1000) {
    const page = await reg.getNodes(offset, 1000, { blockTag: block })
    for (const n of page) {
      const publicKey = getBytes(n.pubKey)
      const id = getAddress(n.id)
      if (nodeIdFromPublicKey(publicKey) !== id) throw new Error(`registry node ${id}: public key is another address`)
      members.set(id.toLowerCase(), {
        id,
        operator: getAddress(n.operator),
        publicKey,
        peerId: peerIdString(compress(publicKey)),
        multiaddrs: [...n.multiaddrs],
        coordinator: Number(n.role) === 1
      })
    }
    if (page.length < 1000) break
  }
  return { block, chainId, members }
}
