// Byte helpers shared by the protocol modules.

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })

export function utf8 (s) { return enc.encode(s) }
export function fromUtf8 (b) { return dec.decode(b) }

export function concat (...parts) {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

export function equal (a, b) {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function hex (b) { return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex') }
export function hex0x (b) { return '0x' + hex(b) }

export function fromHex (s) {
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2)
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`invalid hex ${JSON.stringify(s.slice(0, 20))}`)
  return new Uint8Array(Buffer.from(s, 'hex'))
}

// Unsigned big-endian bytes of a bigint, no leading zeros (zero is empty).
export function uintBytes (v) {
  v = BigInt(v)
  if (v < 0n) throw new Error('negative integer')
  if (v === 0n) return new Uint8Array(0)
  let h = v.toString(16)
  if (h.length % 2) h = '0' + h
  return fromHex(h)
}

export function bytesToBigInt (b) {
  return b.length === 0 ? 0n : BigInt('0x' + hex(b))
}
