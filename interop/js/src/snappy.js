// A snappy block decoder (the block format, not the framed stream), written
// from the format description (google/snappy's format_description.txt) for
// docs/protocol.md section 6: compressed envelope payloads.
//
// A block is uvarint(decodedLength) || elements. Each element starts with a
// tag byte whose low two bits say what it is:
//   00 literal: length - 1 in the upper six bits (0..59), or 60..63 meaning
//      the length - 1 follows in 1..4 little-endian bytes; then the bytes.
//   01 copy, 1-byte offset: length 4 + bits 2..4, offset bits 5..7 << 8 | next byte.
//   10 copy, 2-byte offset: length 1 + bits 2..7, offset in 2 LE bytes.
//   11 copy, 4-byte offset: length 1 + bits 2..7, offset in 4 LE bytes.
// A copy repeats length bytes starting offset bytes back (they may overlap
// the bytes being written); offset 0 or past the start is corrupt.

export class SnappyError extends Error {}

// Reads the decoded length from the header: { length, headerLen }. Throws
// SnappyError for a header that is not a uvarint of at most 5 bytes and
// 2^32 - 1, as the Go decoder does.
export function decodedLength (src) {
  let v = 0
  for (let i = 0; i < 5 && i < src.length; i++) {
    const b = src[i]
    v += (b & 0x7f) * 2 ** (7 * i)
    if (b < 0x80) {
      if (v > 0xffffffff) throw new SnappyError('decoded length over 2^32 - 1')
      return { length: v, headerLen: i + 1 }
    }
  }
  throw new SnappyError('header is not a uvarint of at most 5 bytes')
}

// Decodes a whole block into exactly the length its header claims; the
// caller bounds that length (decodedLength) before calling.
export function decode (src) {
  const { length, headerLen } = decodedLength(src)
  const dst = new Uint8Array(length)
  let s = headerLen
  let d = 0
  const need = (n) => { if (s + n > src.length) throw new SnappyError('element cut short') }
  while (s < src.length) {
    const tag = src[s++]
    let len, off
    switch (tag & 3) {
      case 0: {
        len = tag >> 2
        if (len >= 60) {
          const n = len - 59
          need(n)
          len = 0
          for (let i = 0; i < n; i++) len += src[s + i] * 2 ** (8 * i)
          s += n
        }
        len += 1
        need(len)
        if (d + len > length) throw new SnappyError('literal past the decoded length')
        dst.set(src.subarray(s, s + len), d)
        s += len
        d += len
        continue
      }
      case 1:
        need(1)
        len = 4 + ((tag >> 2) & 7)
        off = ((tag & 0xe0) << 3) | src[s++]
        break
      case 2:
        need(2)
        len = 1 + (tag >> 2)
        off = src[s] | (src[s + 1] << 8)
        s += 2
        break
      default:
        need(4)
        len = 1 + (tag >> 2)
        off = (src[s] | (src[s + 1] << 8) | (src[s + 2] << 16)) + src[s + 3] * 2 ** 24
        s += 4
    }
    if (off === 0 || off > d) throw new SnappyError(`copy offset ${off} at output byte ${d}`)
    if (d + len > length) throw new SnappyError('copy past the decoded length')
    for (let i = 0; i < len; i++, d++) dst[d] = dst[d - off]
  }
  if (d !== length) throw new SnappyError(`decodes to ${d} bytes, header says ${length}`)
  return dst
}
