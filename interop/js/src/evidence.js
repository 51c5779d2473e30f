// Section 8 of docs/protocol.md: the evidence query and its signed report.

import { keccak_256 } from '@noble/hashes/sha3.js'
import { recoverAddress, Signature, getAddress } from 'ethers'
import { concat, utf8, fromUtf8, fromHex, hex0x } from './bytes.js'

export const EVIDENCE_DOMAIN = utf8('validator/evidence/v1')
export const REQUEST_MAX_BYTES = 256
export const RESPONSE_MAX_BYTES = 2_097_152

export function evidenceProtocol (network) { return `/validator/${network}/evidence/1` }

// RFC 3339 (fractional seconds allowed) -> { sec: bigint (Unix), nanos: number }.
export function parseRfc3339 (t) {
  if (typeof t !== 'string') throw new Error('time is not a JSON string')
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(t)
  if (!m) throw new Error(`time ${JSON.stringify(t)} is not RFC 3339`)
  const [Y, Mo, D, h, mi, se] = m.slice(1, 7).map(Number)
  if (Mo < 1 || Mo > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || se > 59) throw new Error(`time ${JSON.stringify(t)} out of range`)
  const ms = Date.UTC(Y, Mo - 1, D, h, mi, se)
  if (new Date(ms).getUTCDate() !== D) throw new Error(`time ${JSON.stringify(t)}: no such day`)
  let sec = BigInt(ms / 1000)
  if (m[8] !== 'Z') {
    const off = (Number(m[10]) * 60 + Number(m[11])) * 60
    sec -= BigInt(m[9] === '+' ? off : -off)
  }
  return { sec, nanos: Number((m[7] ?? '').padEnd(9, '0')) }
}

// The UTC form with trailing zeros of the fraction dropped (2026-01-01T00:00:00.5Z).
export function formatUtc ({ sec, nanos }) {
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19)
  const frac = nanos ? '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') : ''
  return `${base}${frac}Z`
}

const cmpTime = (a, b) => (a.sec === b.sec ? a.nanos - b.nanos : (a.sec < b.sec ? -1 : 1))

// What a responder reads from a request body: { peer, from, to } (UTC), or throws
// the reason it answers 0x01.
export function parseQuery (bytes) {
  if (bytes.length > REQUEST_MAX_BYTES) throw new Error(`evidence query of ${bytes.length} bytes exceeds ${REQUEST_MAX_BYTES}`)
  const q = JSON.parse(fromUtf8(bytes))
  if (q === null || typeof q !== 'object' || Array.isArray(q)) throw new Error('evidence query is not a JSON object')
  for (const k of Object.keys(q)) if (!['peer', 'from', 'to'].includes(k)) throw new Error(`unknown field ${JSON.stringify(k)}`)
  for (const k of ['peer', 'from', 'to']) if (!(k in q)) throw new Error(`missing field ${k}`)
  if (typeof q.peer !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(q.peer)) throw new Error('peer is not 0x and 40 hex digits')
  const from = parseRfc3339(q.from)
  const to = parseRfc3339(q.to)
  if (cmpTime(to, from) < 0) throw new Error('to is before from')
  return { peer: getAddress(q.peer.toLowerCase()), from: formatUtc(from), to: formatUtc(to) }
}

const REPORT_FIELDS = ['version', 'network', 'observer', 'peer', 'from', 'to', 'generated_at', 'state', 'score', 'transitions', 'summaries', 'truncated']
const TRANSITION_FIELDS = ['at', 'from', 'to', 'reason']
const SUMMARY_FIELDS = ['start', 'end', 'pings_sent', 'pings_answered', 'rtt_min_ms', 'rtt_mean_ms', 'rtt_max_ms', 'offline_ms', 'rejected']

// Refuses a report with a field version 1 does not have (section 8, section 10).
export function checkReportFields (report) {
  const only = (o, allowed, what) => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`${what} is not an object`)
    for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`unknown field ${JSON.stringify(k)} in ${what}`)
  }
  only(report, REPORT_FIELDS, 'report')
  if (report.version !== 1) throw new Error(`report version ${report.version}, want 1`)
  for (const t of report.transitions ?? []) only(t, TRANSITION_FIELDS, 'transition')
  for (const s of report.summaries ?? []) only(s, SUMMARY_FIELDS, 'summary')
}

export function encodeQuery ({ peer, from, to }) {
  const out = utf8(JSON.stringify({ peer: peer.toLowerCase(), from, to }))
  if (out.length > REQUEST_MAX_BYTES) throw new Error('evidence query over 256 bytes')
  return out
}

export function reportDigest (reportBytes) {
  return keccak_256(concat(EVIDENCE_DOMAIN, reportBytes))
}

// Splits a response into the report's exact bytes and the signature, as the
// doc requires (the bytes between "report": and ,"signature").
export function splitResponse (bytes) {
  const text = fromUtf8(bytes)
  const head = '{"report":'
  if (!text.startsWith(head)) throw new Error('evidence response does not start with {"report":')
  const m = /,"signature":"(0x(?:[0-9a-fA-F]{2})*)"}$/.exec(text)
  if (!m) throw new Error('evidence response does not end with ,"signature":"0x<hex>"}')
  const reportText = text.slice(head.length, text.length - m[0].length)
  return { reportBytes: utf8(reportText), report: JSON.parse(reportText), signature: fromHex(m[1]) }
}

// Recovers the signer of a report (65 bytes r || s || v, v ∈ {0, 1}).
export function recoverReportSigner (reportBytes, signature) {
  if (signature.length !== 65 || signature[64] > 1) throw new Error('evidence signature must be 65 bytes with v 0 or 1')
  const sig = Signature.from({ r: hex0x(signature.subarray(0, 32)), s: hex0x(signature.subarray(32, 64)), v: 27 + signature[64] })
  return recoverAddress(hex0x(reportDigest(reportBytes)), sig)
}

// Verifies a response: the signer is report.observer (and the one asked, about
// the peer asked, when given).
export function verifyResponse (bytes, { observer, peer } = {}) {
  const { reportBytes, report, signature } = splitResponse(bytes)
  const signer = recoverReportSigner(reportBytes, signature)
  checkReportFields(report)
  if (signer !== getAddress(report.observer)) throw new Error(`report signed by ${signer}, observer is ${report.observer}`)
  if (observer && getAddress(observer) !== signer) throw new Error(`report from ${signer}, asked ${observer}`)
  if (peer && getAddress(peer) !== getAddress(report.peer)) throw new Error(`report about ${report.peer}, asked about ${peer}`)
  return { report, signer, reportBytes }
}
