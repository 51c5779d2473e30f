// Conformance vectors (testdata/vectors/*.json, docs/protocol.md section 11),
// each recomputed in JavaScript from its inputs with src/, never compared with
// the file itself.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { blake2b } from '@noble/hashes/blake2.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { getAddress } from 'ethers'
import * as E from '../src/envelope.js'
import { encodeStatus, decodeStatus } from '../src/status.js'
import { encodeHeartbeat, decodeHeartbeat } from '../src/heartbeat.js'
import { popDigest, popSign, popEncoded } from '../src/pop.js'
import { splitResponse, reportDigest, recoverReportSigner, encodeQuery } from '../src/evidence.js'
import { NodeKey, nodeIdFromPublicKey } from '../src/identity.js'
import { fromHex, hex0x, utf8 } from '../src/bytes.js'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../testdata/vectors')
const load = (name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8'))
const keyFromSeed = (seed) => keccak_256(utf8(seed))
const lc = (s) => s.toLowerCase()

test('the vector directory holds envelopes.json and only files this test knows', () => {
  assert.ok(existsSync(path.join(dir, 'envelopes.json')), `${dir}/envelopes.json is missing`)
  const known = new Set(['envelopes.json', 'status.json', 'heartbeats.json', 'evidence.json', 'pop.json'])
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    assert.ok(known.has(f), `testdata/vectors/${f}: interop/js/test/vectors.test.js does not check it; add a checker`)
  }
})

// --- envelopes.json -------------------------------------------------------

const env = existsSync(path.join(dir, 'envelopes.json')) ? load('envelopes.json') : null

test('envelopes.json: limits are the protocol defaults, members derive from their seeds', () => {
  assert.ok(env, 'envelopes.json is missing')
  assert.equal(BigInt(env.max_age_ms), E.MAX_AGE_MS)
  assert.equal(BigInt(env.max_skew_ms), E.MAX_SKEW_MS)
  assert.equal(env.max_size.heartbeats, E.HEARTBEAT_MAX_BYTES)
  assert.equal(env.max_size.default, E.MAX_MESSAGE_BYTES)
  assert.deepEqual([...env.coordinator_only].sort(), [...E.COORDINATOR_ONLY].sort())
  for (const m of env.members) {
    const seed = env.key_seeds[m.name]
    assert.ok(seed, `member ${m.name} has no key seed`)
    const k = new NodeKey(keyFromSeed(seed))
    assert.equal(hex0x(Uint8Array.of(4, ...k.publicKeyXY)), lc(m.public_key), `member ${m.name}: public key`)
    assert.equal(nodeIdFromPublicKey(fromHex(m.public_key)), m.address, `member ${m.name}: address (EIP-55)`)
  }
})

function ctxOf (f) {
  const members = new Map(f.members.map((m) => [lc(m.address), { publicKey: fromHex(m.public_key), coordinator: m.coordinator }]))
  return {
    network: f.network,
    nowMs: BigInt(f.now_ms),
    members,
    maxSize: f.max_size,
    coordinatorOnly: f.coordinator_only,
    maxAgeMs: BigInt(f.max_age_ms),
    maxSkewMs: BigInt(f.max_skew_ms),
    // The vectors' payloads are not heartbeats: their verdicts are checks 0-9 (section 11).
    checkHeartbeat: false
  }
}

const addrToSeed = () => {
  const m = new Map()
  for (const [name, seed] of Object.entries(env.key_seeds)) m.set(lc(new NodeKey(keyFromSeed(seed)).address), { name, seed })
  return m
}

for (const v of env?.vectors ?? []) {
  test(`envelopes.json: ${v.name}`, () => {
    const bytes = fromHex(v.envelope)
    assert.equal(hex0x(E.messageId(bytes)), lc(v.message_id), 'message ID')
    // The message ID is BLAKE2b-256 truncated, never a truncated BLAKE2b-512.
    assert.equal(hex0x(blake2b(bytes, { dkLen: 32 }).subarray(0, 20)), lc(v.message_id))

    let decoded = null
    try { decoded = E.decodeEnvelope(bytes) } catch {}
    if (v.fields == null) {
      assert.equal(decoded, null, 'decodes, but the file lists no fields')
    } else {
      assert.ok(decoded, 'does not decode, but the file lists fields')
      const f = v.fields
      assert.equal(decoded.network, f.network)
      assert.equal(decoded.topic, f.topic)
      assert.equal(decoded.sender, f.sender)
      assert.equal(decoded.timestamp, BigInt(f.timestamp_ms))
      assert.equal(hex0x(decoded.payload), lc(f.payload))
      assert.equal(hex0x(decoded.signature), lc(v.signature))
      const fields = { network: f.network, topic: f.topic, sender: f.sender, timestamp: BigInt(f.timestamp_ms), payload: fromHex(f.payload) }
      assert.equal(hex0x(E.signingDigest(fields)), lc(v.signing_hash), 'signing digest')
      assert.equal(hex0x(E.encodeEnvelope(fields, fromHex(v.signature))), lc(v.envelope), 're-encoding from the fields')
      // Where the signature is a proper one by the sender's seed key, signing
      // again (RFC 6979, low s) gives the same 64 bytes.
      const who = addrToSeed().get(lc(f.sender))
      if (v.result === 'accept' || v.name === 'unknown_sender' || v.name === 'not_coordinator') {
        assert.ok(who, `sender ${f.sender} has no seed`)
        assert.equal(hex0x(E.signDigest(E.signingDigest(fields), keyFromSeed(who.seed))), lc(v.signature), 'signature made again from the seed key')
        assert.ok(E.verifySignature(E.signingDigest(fields), fromHex(v.signature), new NodeKey(keyFromSeed(who.seed)).publicKeyXY))
      }
    }
    const got = E.validate(bytes, v.topic, ctxOf(env))
    assert.deepEqual({ result: got.result, reason: got.reason }, { result: v.result, reason: v.reason }, 'verdict')
  })
}

test('envelopes.json: every standard topic has an accepted vector, every refusal reason a vector', () => {
  assert.ok(env, 'envelopes.json is missing')
  const accepted = new Set(env.vectors.filter((v) => v.reason === 'ok').map((v) => v.topic))
  for (const t of E.TOPICS) assert.ok(accepted.has(t), `no accepted vector on ${t}`)
  const reasons = new Set(env.vectors.map((v) => v.reason))
  for (const r of ['oversized', 'undecodable', 'wrong_network', 'wrong_topic', 'stale', 'future', 'unknown_sender', 'not_coordinator', 'bad_signature']) {
    assert.ok(reasons.has(r), `no vector for ${r}`)
  }
})

// The doc's own worked examples, recomputed (section 1, 4, 6, 7, 8, 9).
test('docs/protocol.md worked examples', () => {
  const k = new NodeKey(fromHex('3f34f074d8638277ddede6f881408f6dba721fee0483bd31b9dfab2238a37ee9'))
  assert.equal(k.peerIdString, '16Uiu2HAmP1eCmLdGYWreFhjgnLEmvykfFt2p3c4qLRDebyUjFNH6')
  assert.equal(k.libp2pKey().peerId.toString(), '16Uiu2HAmP1eCmLdGYWreFhjgnLEmvykfFt2p3c4qLRDebyUjFNH6')
  assert.equal(k.address, '0x3C238cEAa96bA73196febC9aE21ee33E13a49438')
  assert.equal(hex0x(encodeStatus({ network: 'devnet', chainId: 1337, registry: '0x40712079633F346B83a7aA7bB248a1ab8ac2eEE5', registryBlock: 42, version: 'v1.0.0' })),
    '0xe7866465766e65748205399440712079633f346b83a7aa7bb248a1ab8ac2eee52a8676312e302e30')
  const f = { network: 'devnet', topic: 'jobs', sender: k.address, timestamp: 1767225600000n, payload: utf8('hello') }
  const { bytes } = E.signEnvelope(f, k.privateKey)
  assert.equal(hex0x(E.signingDigest(f)), '0x1fba088e3dc49ccc32266658aba65463a06b0dff8827cbde5332fb749fd584aa')
  assert.equal(hex0x(E.messageId(bytes)), '0xf6cdce713dfb8a47c7f0e4627f50eca136a95522')
  assert.equal(hex0x(blake2b(new Uint8Array(0), { dkLen: 32 })), '0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8')
  assert.equal(hex0x(encodeHeartbeat({ addrs: ['/ip4/192.0.2.1/udp/9000/quic-v1', '/ip4/192.0.2.1/tcp/9000'], version: 'v1.0.0' })),
    '0xf841f8389f2f6970342f3139322e302e322e312f7564702f393030302f717569632d7631972f6970342f3139322e302e322e312f7463702f393030308676312e302e30')
  const op = '0x391AfE06Fb5dcAaF9d904e02b1F1c182bE7616Fc'; const reg = '0x40712079633F346B83a7aA7bB248a1ab8ac2eEE5'
  assert.equal(popDigest(1337n, reg, op), '0x6933a0264520e0d5f5c51da695a4660b355c3c3ad51151acf7b7e8eadee1e583')
  assert.equal(hex0x(popSign(k.privateKey, 1337n, reg, op)),
    '0x44fdc9f107b0504de813b91d51bbcb5303de560c05d23a558b4136d403bfbd2629604d48eb4b4ff3d9475d8a789720bf8579b03099cbb736e03cd76d1f99ecf81b')
})

// --- the files another change adds (status, heartbeats, evidence, pop) ------
// Each has a "vectors" array; the checkers below recompute what each entry
// states from its inputs and fail on a field they do not understand rather
// than pass without checking it.

function eachVector (file, fn) {
  const f = load(file)
  assert.ok(Array.isArray(f.vectors) && f.vectors.length > 0, `${file}: no "vectors" array`)
  for (const v of f.vectors) fn(v, f)
}

function pick (v, ...names) {
  for (const n of names) if (v[n] !== undefined) return v[n]
  return undefined
}

if (existsSync(path.join(dir, 'status.json'))) {
  test('status.json', () => eachVector('status.json', (v) => {
    const bytes = fromHex(pick(v, 'status', 'encoding', 'bytes', 'rlp'))
    const fields = v.fields
    let decoded = null
    try { decoded = decodeStatus(bytes) } catch {}
    if (fields == null) {
      assert.equal(decoded, null, `${v.name}: decodes, but the file lists no fields`)
      return
    }
    assert.ok(decoded, `${v.name}: does not decode`)
    const s = { network: fields.network, chainId: BigInt(fields.chain_id), registry: fields.registry, registryBlock: BigInt(fields.registry_block), version: fields.version }
    assert.equal(decoded.network, s.network); assert.equal(decoded.chainId, s.chainId)
    assert.equal(lc(decoded.registry), lc(s.registry)); assert.equal(decoded.registryBlock, s.registryBlock); assert.equal(decoded.version, s.version)
    assert.equal(hex0x(encodeStatus(s)), hex0x(bytes), `${v.name}: re-encoding`)
    const req = pick(v, 'request_frame', 'frame')
    if (req) assert.equal(hex0x(Uint8Array.of(bytes.length & 0x7f | (bytes.length > 127 ? 0x80 : 0), ...(bytes.length > 127 ? [bytes.length >> 7] : []), ...bytes)), lc(req), `${v.name}: request frame`)
  }))
}

if (existsSync(path.join(dir, 'heartbeats.json'))) {
  test('heartbeats.json', () => eachVector('heartbeats.json', (v) => {
    const bytes = fromHex(pick(v, 'payload', 'encoding', 'bytes', 'rlp'))
    let decoded = null
    try { decoded = decodeHeartbeat(bytes) } catch {}
    const valid = pick(v, 'valid')
    const fields = v.fields
    if (fields == null || valid === false) {
      assert.equal(decoded, null, `${v.name}: decodes as a valid heartbeat, the file says it is not`)
      return
    }
    assert.ok(decoded, `${v.name}: does not decode`)
    assert.deepEqual(decoded.addrs, fields.addrs); assert.equal(decoded.version, fields.version)
    assert.equal(hex0x(encodeHeartbeat(fields)), hex0x(bytes), `${v.name}: re-encoding`)
  }))
}

if (existsSync(path.join(dir, 'pop.json'))) {
  test('pop.json', () => eachVector('pop.json', (v, f) => {
    const chainId = BigInt(pick(v, 'chain_id') ?? f.chain_id)
    const registry = pick(v, 'registry') ?? f.registry
    const operator = v.operator
    const digest = popDigest(chainId, registry, operator)
    if (v.encoded ?? v.abi_encoded) assert.equal(popEncoded(chainId, registry, operator), lc(v.encoded ?? v.abi_encoded), `${v.name}: abi.encode`)
    assert.equal(digest, lc(v.digest), `${v.name}: digest`)
    const seed = pick(v, 'node_key_seed', 'seed')
    const priv = seed ? keyFromSeed(seed) : fromHex(pick(v, 'node_key', 'private_key'))
    assert.equal(hex0x(popSign(priv, chainId, registry, operator)), lc(v.signature), `${v.name}: signature`)
    if (v.node_id) assert.equal(new NodeKey(priv).address, getAddress(v.node_id))
  }))
}

if (existsSync(path.join(dir, 'evidence.json'))) {
  test('evidence.json', () => eachVector('evidence.json', (v) => {
    if (v.query !== undefined || v.request !== undefined) {
      const q = v.query ?? v.request
      const text = typeof q === 'string' ? q : JSON.stringify(q)
      const parsed = JSON.parse(text)
      assert.equal(new TextDecoder().decode(encodeQuery(parsed)), text, `${v.name}: query bytes`)
    }
    const resp = pick(v, 'response')
    if (resp !== undefined) {
      const bytes = utf8(typeof resp === 'string' ? resp : JSON.stringify(resp))
      const { reportBytes, report, signature } = splitResponse(bytes)
      if (v.digest) assert.equal(hex0x(reportDigest(reportBytes)), lc(v.digest), `${v.name}: digest`)
      assert.equal(recoverReportSigner(reportBytes, signature), getAddress(report.observer), `${v.name}: signer is the observer`)
      const seed = pick(v, 'observer_key_seed', 'seed')
      if (seed) {
        const sig = secp256k1.sign(reportDigest(reportBytes), keyFromSeed(seed), { prehash: false, format: 'recovered' })
        // noble's recovered format is v || r || s; the protocol's is r || s || v.
        assert.equal(hex0x(Uint8Array.of(...sig.subarray(1), sig[0])), hex0x(signature), `${v.name}: signature`)
      }
    }
  }))
}
