// Section 7 of docs/protocol.md: the heartbeat payload.

import { multiaddr } from '@multiformats/multiaddr'
import * as rlp from './rlp.js'
import { utf8, fromUtf8 } from './bytes.js'

export const MAX_ADDRS = 16
export const MAX_ADDR_BYTES = 256
export const MAX_VERSION_BYTES = 64

// The RLP of [addrs, version], whatever the limits (vectors encode refused ones too).
export function encodeHeartbeatRaw ({ addrs, version }) {
  return rlp.encode([addrs.map((a) => utf8(String(a))), utf8(version)])
}

export function encodeHeartbeat (hb) {
  const out = encodeHeartbeatRaw(hb)
  decodeHeartbeat(out) // refuse to send what peers would reject
  return out
}

// A valid multiaddr in its text form (section 7); the empty one is not.
export function checkMultiaddr (s) {
  if (s === '' || s === '/') throw new rlp.RlpError('empty multiaddr')
  multiaddr(s) // throws if invalid
}

export function decodeHeartbeat (bytes) {
  const l = rlp.asList(rlp.decode(bytes), 'heartbeat', 2)
  const addrItems = rlp.asList(l[0], 'heartbeat addrs')
  if (addrItems.length > MAX_ADDRS) throw new rlp.RlpError(`heartbeat: ${addrItems.length} addresses, at most ${MAX_ADDRS}`)
  const addrs = addrItems.map((it, i) => {
    const s = fromUtf8(rlp.asBytes(it, `heartbeat addr ${i}`, { max: MAX_ADDR_BYTES }))
    checkMultiaddr(s)
    return s
  })
  const version = fromUtf8(rlp.asBytes(l[1], 'heartbeat version', { max: MAX_VERSION_BYTES }))
  return { addrs, version }
}
