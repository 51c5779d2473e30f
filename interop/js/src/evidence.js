// Section 8 of docs/protocol.md: the evidence query and its signed report.

import { keccak_256 } from '@noble/hashes/sha3.js'
import { recoverAddress, Signature, getAddress } from 'ethers'
import { concat, utf8, fromUtf8, fromHex, hex0x } from './bytes.js'

export const EVIDENCE_DOMAIN = utf8('validator/evidence/v1')
export const REQUEST_MAX_BYTES = 256
export const RESPONSE_MAX_BYTES = 2_097_152

export function evidenceProtocol (network) { return `/validator/${network}/evidence/1` }

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
  const m = /,"signature":"(0x[0-9a-fA-F]{130})"}$/.exec(text)
  if (!m) throw new Error('evidence response does not end with ,"signature":"0x<130 hex>"}')
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
  if (signer !== getAddress(report.observer)) throw new Error(`report signed by ${signer}, observer is ${report.observer}`)
  if (observer && getAddress(observer) !== signer) throw new Error(`report from ${signer}, asked ${observer}`)
  if (peer && getAddress(peer) !== getAddress(report.peer)) throw new Error(`report about ${report.peer}, asked about ${peer}`)
  return { report, signer, reportBytes }
}
