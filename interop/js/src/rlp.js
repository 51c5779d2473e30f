// RLP in the canonical form docs/protocol.md ("RLP, canonical form") requires.
// An item is a Uint8Array (a byte string) or an array of items (a list).

import { concat, uintBytes, bytesToBigInt } from './bytes.js'

function lengthPrefix (len, short, long) {
  if (len < 56) return Uint8Array.of(short + len)
  const lb = uintBytes(len)
  return concat(Uint8Array.of(long + lb.length), lb)
}

export function encode (item) {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0] < 0x80) return item.slice()
    return concat(lengthPrefix(item.length, 0x80, 0xb7), item)
  }
  if (Array.isArray(item)) {
    const body = concat(...item.map(encode))
    return concat(lengthPrefix(body.length, 0xc0, 0xf7), body)
  }
  throw new TypeError('rlp: item must be a Uint8Array or an array')
}

export class RlpError extends Error {}

// Decodes one item at buf[pos]; returns [item, next position].
function decodeAt (buf, pos, end) {
  if (pos >= end) throw new RlpError('rlp: unexpected end of input')
  const p = buf[pos]
  if (p < 0x80) return [buf.subarray(pos, pos + 1), pos + 1]
  let isList, len, start
  if (p <= 0xb7 || (p >= 0xc0 && p <= 0xf7)) {
    isList = p >= 0xc0
    len = p - (isList ? 0xc0 : 0x80)
    start = pos + 1
  } else {
    isList = p >= 0xf8
    const ll = p - (isList ? 0xf7 : 0xb7)
    if (pos + 1 + ll > end) throw new RlpError('rlp: length runs past the end')
    const lb = buf.subarray(pos + 1, pos + 1 + ll)
    if (lb[0] === 0) throw new RlpError('rlp: length with a leading zero byte')
    const l = bytesToBigInt(lb)
    if (l < 56n) throw new RlpError('rlp: long form for a length below 56')
    if (l > BigInt(end)) throw new RlpError('rlp: length runs past the end')
    len = Number(l)
    start = pos + 1 + ll
  }
  if (start + len > end) throw new RlpError('rlp: value runs past the end')
  if (!isList) {
    const s = buf.subarray(start, start + len)
    if (len === 1 && s[0] < 0x80) throw new RlpError('rlp: single byte below 0x80 written as a string')
    return [s, start + len]
  }
  const items = []
  let q = start
  while (q < start + len) {
    const [it, next] = decodeAt(buf, q, start + len)
    items.push(it)
    q = next
  }
  return [items, start + len]
}

// Decodes exactly one item spanning all of buf (no trailing bytes).
export function decode (buf) {
  const [item, next] = decodeAt(buf, 0, buf.length)
  if (next !== buf.length) throw new RlpError('rlp: trailing bytes')
  return item
}

// Helpers for typed fields.
export function asBytes (item, what, { max, exact } = {}) {
  if (!(item instanceof Uint8Array)) throw new RlpError(`${what}: a list where a string belongs`)
  if (exact !== undefined && item.length !== exact) throw new RlpError(`${what}: ${item.length} bytes, want ${exact}`)
  if (max !== undefined && item.length > max) throw new RlpError(`${what}: ${item.length} bytes, at most ${max}`)
  return item
}

export function asUint64 (item, what) {
  asBytes(item, what, { max: 8 })
  if (item.length > 0 && item[0] === 0) throw new RlpError(`${what}: integer with a leading zero byte`)
  return bytesToBigInt(item)
}

export function asList (item, what, n) {
  if (!Array.isArray(item)) throw new RlpError(`${what}: a string where a list belongs`)
  if (n !== undefined && item.length !== n) throw new RlpError(`${what}: ${item.length} items, want ${n}`)
  return item
}
