// The request/response framing of docs/protocol.md section 3, shared by the
// status and evidence protocols, over js-libp2p 3 streams.
//
//   request  (opener → responder):  uvarint(len) || body
//   response (responder → opener):  status || uvarint(len) || body
//                                   status 0x00 response, 0x01 error text (≤ 256 bytes)

import { concat, utf8, fromUtf8 } from './bytes.js'

export const STATUS_OK = 0x00
export const STATUS_ERROR = 0x01
export const ERROR_TEXT_MAX = 256

export function uvarint (n) {
  const out = []
  do {
    let b = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}

export function requestFrame (body) { return concat(uvarint(body.length), body) }
export function responseFrame (status, body) { return concat(Uint8Array.of(status), uvarint(body.length), body) }

export class FrameError extends Error {}

// A pull reader over a stream's async iterator: reads exactly what it is
// asked for and never waits for the remote's half-close.
export class Reader {
  constructor (stream) {
    this.it = stream[Symbol.asyncIterator]()
    this.buf = new Uint8Array(0)
  }

  async fill (n) {
    while (this.buf.length < n) {
      const { value, done } = await this.it.next()
      if (done) throw new FrameError(`stream ended after ${this.buf.length} of ${n} bytes`)
      const chunk = value instanceof Uint8Array ? value : value.subarray()
      this.buf = concat(this.buf, chunk)
    }
  }

  async bytes (n) {
    await this.fill(n)
    const out = this.buf.subarray(0, n)
    this.buf = this.buf.subarray(n)
    return out
  }

  async byte () { return (await this.bytes(1))[0] }

  async uvarint () {
    let v = 0; let mul = 1
    for (let i = 0; i < 10; i++) {
      const b = await this.byte()
      v += (b & 0x7f) * mul
      if ((b & 0x80) === 0) {
        if (i > 0 && b === 0) throw new FrameError('uvarint not minimal')
        return v
      }
      mul *= 128
    }
    throw new FrameError('uvarint too long')
  }

  // One length-prefixed frame; a length over cap is refused before reading the body.
  async frame (cap) {
    const len = await this.uvarint()
    if (len > cap) throw new FrameError(`frame of ${len} bytes over the cap of ${cap}`)
    return this.bytes(len)
  }
}

function withDeadline (stream, ms) {
  const t = setTimeout(() => stream.abort(new Error(`deadline of ${ms} ms`)), ms)
  return () => clearTimeout(t)
}

// Opens protocol on connection, sends body, returns the response body; throws
// on an error text, a reset, a timeout or a response over respCap.
export async function request (connection, protocol, body, { reqCap, respCap, timeoutMs }) {
  if (body.length > reqCap) throw new FrameError(`request of ${body.length} bytes over the cap of ${reqCap}`)
  const signal = AbortSignal.timeout(timeoutMs)
  const stream = await connection.newStream(protocol, { signal })
  const clear = withDeadline(stream, timeoutMs)
  try {
    stream.send(requestFrame(body))
    await stream.close({ signal }) // half-close our write side
    const r = new Reader(stream)
    const status = await r.byte()
    if (status === STATUS_OK) return await r.frame(respCap)
    if (status === STATUS_ERROR) {
      const text = fromUtf8(await r.frame(ERROR_TEXT_MAX))
      const err = new FrameError(`peer answered with an error: ${text}`)
      err.errorText = text
      throw err
    }
    throw new FrameError(`unknown response status byte 0x${status.toString(16)}`)
  } catch (err) {
    stream.abort(err)
    throw err
  } finally {
    clear()
  }
}

// Serves one request on stream: handler(body) returns { body } or { error } or
// throws (the stream is then reset, no response).
export async function respond (stream, { reqCap, timeoutMs }, handler) {
  const clear = withDeadline(stream, timeoutMs)
  try {
    const r = new Reader(stream)
    const body = await r.frame(reqCap)
    const out = await handler(body)
    if (out.error !== undefined) {
      const t = utf8(out.error).subarray(0, ERROR_TEXT_MAX)
      stream.send(responseFrame(STATUS_ERROR, t))
    } else {
      stream.send(responseFrame(STATUS_OK, out.body))
    }
    await stream.close()
    return out
  } catch (err) {
    stream.abort(err)
    throw err
  } finally {
    clear()
  }
}
