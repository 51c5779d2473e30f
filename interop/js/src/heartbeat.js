// Section 7 of docs/protocol.md: the heartbeat payload.

import { multiaddr } from '@multiformats/multiaddr'
import * as rlp from './rlp.js'
import { utf8, fromUtf8 } from './bytes.js'

export const MAX_ADDRS = 16
export const MAX_ADDR_BYTES = 256
export const MAX_VERSION_BYTES = 64

export function encodeHeartbeat ({ addrs, version }) {
  if (addrs.length > MAX_ADDRS) throw new Error(`heartbeat: ${addrs.length} addresses, at most ${MAX_ADDRS}`)
  const items = addrs.map((a) => utf8(String(a)))
  return rlp.encode([items, utf8(version)])
}

export function decodeHeartbeat (bytes) {
  const l = rlp.asList(rlp.decode(bytes), 'heartbeat', 2)
  const addrItems = rlp.asList(l[0], 'heartbeat addrs')
  if (addrItems.length > MAX_ADDRS) throw new rlp.RlpError(`heartbeat: ${addrItems.length} addresses, at most ${MAX_ADDRS}`)
  const addrs = addrItems.map((it, i) => {
    const s = fromUtf8(rlp.asBytes(it, `heartbeat addr ${i}`, { max: MAX_ADDR_BYTES }))
    multiaddr(s) // throws if invalid
    return s
  })
  const version = fromUtf8(rlp.asBytes(l[1], 'heartbeat version', { max: MAX_VERSION_BYTES }))
  return { addrs, version }
}
