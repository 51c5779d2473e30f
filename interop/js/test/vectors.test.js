// Conformance vectors (testdata/vectors/*.json, docs/protocol.md section 12),
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
import { computeAddress, getAddress, id } from 'ethers'
import * as E from '../src/envelope.js'
import * as snappy from '../src/snappy.js'
import { encodeStatus, decodeStatus, judgeRequest, statusProtocol, STATUS_MAX_BYTES } from '../src/status.js'
import { encodeHeartbeat, encodeHeartbeatRaw, decodeHeartbeat, MAX_ADDRS, MAX_ADDR_BYTES, MAX_VERSION_BYTES } from '../src/heartbeat.js'
import { popDigest, popSign, popEncoded, popVerify, POP_DOMAIN } from '../src/pop.js'
import { splitResponse, reportDigest, recoverReportSigner, parseQuery, verifyResponse, EVIDENCE_DOMAIN, REQUEST_MAX_BYTES } from '../src/evidence.js'
import { requestFrame } from '../src/reqresp.js'
import * as A from '../src/attestation.js'
import { NodeKey, nodeIdFromPublicKey } from '../src/identity.js'
import { fromHex, hex0x, utf8 } from '../src/bytes.js'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../testdata/vectors')
const load = (name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8'))
const keyFromSeed = (seed) => keccak_256(utf8(seed))
const lc = (s) => s.toLowerCase()

test('the vector directory holds envelopes.json and only files this test knows', () => {
  assert.ok(existsSync(path.join(dir, 'envelopes.json')), `${dir}/envelopes.json is missing`)
  const known = new Set(['envelopes.json', 'status.json', 'heartbeats.json', 'evidence.json', 'pop.json', 'attestations.json'])
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
    maxAgeMs: f.max_age_ms === undefined ? undefined : BigInt(f.max_age_ms),
    maxSkewMs: f.max_skew_ms === undefined ? undefined : BigInt(f.max_skew_ms)
  }
}

const seedsByAddress = (f) => {
  const m = new Map()
  for (const [name, seed] of Object.entries(f.key_seeds)) m.set(lc(new NodeKey(keyFromSeed(seed)).address), { name, seed })
  return m
}

// Checks one vector in the envelopes.json format against the file f it is in.
function checkEnvelopeVector (v, f, { checkHeartbeat }) {
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
    const fl = v.fields
    assert.equal(decoded.network, fl.network)
    assert.equal(decoded.topic, fl.topic)
    assert.equal(decoded.sender, fl.sender)
    assert.equal(decoded.timestamp, BigInt(fl.timestamp_ms))
    assert.equal(hex0x(decoded.payload), lc(fl.payload))
    assert.equal(hex0x(decoded.signature), lc(v.signature))
    assert.equal(decoded.encoding, BigInt(fl.encoding ?? 0), 'encoding')
    const fields = { network: fl.network, topic: fl.topic, sender: fl.sender, timestamp: BigInt(fl.timestamp_ms), payload: fromHex(fl.payload), encoding: BigInt(fl.encoding ?? 0) }
    if (fl.content_length !== undefined) {
      // Decompressed here with interop/js's own snappy decoder.
      const content = snappy.decode(fromHex(fl.payload))
      assert.equal(content.length, fl.content_length, 'decompressed length')
      if (fl.content !== undefined) assert.equal(hex0x(content), lc(fl.content), 'decompressed payload')
    }
    assert.equal(hex0x(E.signingDigest(fields)), lc(v.signing_hash), 'signing digest')
    assert.equal(hex0x(E.encodeEnvelope(fields, fromHex(v.signature))), lc(v.envelope), 're-encoding from the fields')
    // Where the signature is a proper one by the sender's seed key, signing
    // again (RFC 6979, low s) gives the same 64 bytes.
    const who = seedsByAddress(f).get(lc(fl.sender))
    if (v.result === 'accept' || v.reason === 'unknown_sender' || v.reason === 'not_coordinator' || v.reason === 'bad_heartbeat') {
      assert.ok(who, `sender ${fl.sender} has no seed`)
      assert.equal(hex0x(E.signDigest(E.signingDigest(fields), keyFromSeed(who.seed))), lc(v.signature), 'signature made again from the seed key')
      assert.ok(E.verifySignature(E.signingDigest(fields), fromHex(v.signature), new NodeKey(keyFromSeed(who.seed)).publicKeyXY))
    }
  }
  const got = E.validate(bytes, v.topic, { ...ctxOf(f), checkHeartbeat })
  assert.deepEqual({ result: got.result, reason: got.reason }, { result: v.result, reason: v.reason }, 'verdict')
}

for (const v of env?.vectors ?? []) {
  // The vectors' payloads are not heartbeats: their verdicts are checks 0-9 (section 12).
  test(`envelopes.json: ${v.name}`, () => checkEnvelopeVector(v, env, { checkHeartbeat: false }))
}

test('envelopes.json: every standard topic has an accepted vector, every refusal reason a vector', () => {
  assert.ok(env, 'envelopes.json is missing')
  const accepted = new Set(env.vectors.filter((v) => v.reason === 'ok').map((v) => v.topic))
  for (const t of E.TOPICS) assert.ok(accepted.has(t), `no accepted vector on ${t}`)
  const reasons = new Set(env.vectors.map((v) => v.reason))
  for (const r of ['oversized', 'undecodable', 'bad_compression', 'too_large_decompressed', 'wrong_network', 'wrong_topic', 'stale', 'future', 'unknown_sender', 'not_coordinator', 'bad_signature']) {
    assert.ok(reasons.has(r), `no vector for ${r}`)
  }
})

// The doc's own worked examples, recomputed (section 1, 4, 6, 7, 8, 9, 10).
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
  // Section 9: devnet node 2 attests node 1 offline 900 s in window 490895.
  const k2 = new NodeKey(keyFromSeed('validator/devnet/node/2'))
  assert.equal(k2.address, '0xBbC903a76895aab2751918C512b06aE9fd42D0E9')
  assert.equal(A.attestDigest(1337n, reg, k.address, 490895n, 900n), '0x2e6e0d08e3a629b2beec76e376a09b37b154b5dd740eaa60d3c1b0e6a458e49d')
  const att = A.attestSign(k2.privateKey, 1337n, reg, k.address, 490895n, 900n)
  assert.equal(hex0x(att), '0x278addd01f774f4bbf01a11bab95d6ae467f5cfc5cb745dfd2954a46ea1d16d71a9f6a743a44f50f3eee454a5275b7fd88f24a8045a02312fdcadd2921cdbaf41c')
  assert.equal(hex0x(A.encodeAttestation({ node: k.address, window: 490895n, offlineSeconds: 900n, signature: att })),
    '0xf85f943c238ceaa96ba73196febc9ae21ee33e13a4943883077d8f820384b841278addd01f774f4bbf01a11bab95d6ae467f5cfc5cb745dfd2954a46ea1d16d71a9f6a743a44f50f3eee454a5275b7fd88f24a8045a02312fdcadd2921cdbaf41c')
  assert.equal(A.COMMITTEE_DOMAIN, '0xdfba94a4af864fcfa5bb0b0705df772a597f124163669a6e5034e1d457649e3e')
  assert.equal(A.ATTEST_DOMAIN, '0x4447ebd607388e80741853d40424a5178fe8c3953f2f44e462e9b71420e16c54')
})

// --- status.json: the listener's verdict on a dialer's request (sections 3, 4) --

function withFile (name, fn) {
  const file = path.join(dir, name)
  test(`${name} exists`, () => assert.ok(existsSync(file), `testdata/vectors/${name} is missing`))
  if (existsSync(file)) fn(load(name))
}

const statusOf = (o) => ({ network: o.network, chainId: BigInt(o.chain_id), registry: o.registry, registryBlock: BigInt(o.registry_block), version: o.version })

withFile('status.json', (f) => {
  test('status.json: the listener', () => {
    assert.equal(f.protocol, statusProtocol('devnet'))
    assert.equal(f.max_frame_bytes, STATUS_MAX_BYTES)
    assert.equal(hex0x(encodeStatus(statusOf(f.listener))), lc(f.listener_rlp))
  })
  for (const v of f.vectors) {
    test(`status.json: ${v.name}`, () => {
      const request = fromHex(v.request)
      if (v.body !== undefined) {
        const body = fromHex(v.body)
        if (v.name !== 'timeout_truncated_frame') assert.equal(hex0x(requestFrame(body)), lc(v.request), 'request frame from the body')
        if (v.status) assert.equal(hex0x(encodeStatus(statusOf(v.status))), lc(v.body), 'body from the status fields')
        let decoded = null
        try { decoded = decodeStatus(body) } catch {}
        if (v.result === 'ok' || v.result === 'mismatch') {
          assert.ok(decoded, 'body does not decode')
          assert.deepEqual(decoded, { ...statusOf(v.status), registry: getAddress(v.status.registry) })
        }
      }
      const got = judgeRequest(request, statusOf(f.listener))
      assert.equal(got.result, v.result, 'result')
      assert.equal(got.field, v.field, 'mismatching field')
      assert.equal(got.banMs, v.ban_ms, 'ban')
      assert.equal(hex0x(got.response), lc(v.response || '0x'), 'response')
    })
  }
})

// --- heartbeats.json: payloads (section 7) and whole heartbeat envelopes ---

withFile('heartbeats.json', (f) => {
  test('heartbeats.json: limits', () => {
    assert.equal(f.max_addrs, MAX_ADDRS); assert.equal(f.max_addr_bytes, MAX_ADDR_BYTES); assert.equal(f.max_version_bytes, MAX_VERSION_BYTES)
  })
  for (const v of f.payloads) {
    test(`heartbeats.json: payload ${v.name}`, () => {
      const bytes = fromHex(v.payload)
      if (v.fields) assert.equal(hex0x(encodeHeartbeatRaw(v.fields)), lc(v.payload), 'payload from the fields')
      let decoded = null
      try { decoded = decodeHeartbeat(bytes) } catch {}
      const verdict = decoded ? { result: 'accept', reason: 'ok' } : { result: 'reject', reason: 'bad_heartbeat' }
      assert.deepEqual(verdict, { result: v.result, reason: v.reason }, 'verdict')
      if (decoded) assert.deepEqual(decoded, v.fields)
    })
  }
  for (const v of f.envelopes) {
    test(`heartbeats.json: envelope ${v.name}`, () => checkEnvelopeVector(v, f, { checkHeartbeat: true }))
  }
})

// --- evidence.json: queries and signed reports (section 8) ---------------

withFile('evidence.json', (f) => {
  test('evidence.json: domain and cap', () => {
    assert.equal(hex0x(utf8(f.domain)), hex0x(EVIDENCE_DOMAIN))
    assert.equal(f.max_query_bytes, REQUEST_MAX_BYTES)
  })
  for (const v of f.queries) {
    test(`evidence.json: query ${v.name}`, () => {
      const body = utf8(v.request)
      assert.equal(hex0x(requestFrame(body)), lc(v.frame), 'frame')
      let q = null; let err = null
      try { q = parseQuery(body) } catch (e) { err = e }
      assert.equal(q ? 'accept' : 'refuse', v.result, `verdict (${err?.message})`)
      if (q) assert.deepEqual(q, v.query)
    })
  }
  for (const v of f.reports) {
    test(`evidence.json: report ${v.name}`, () => {
      const { reportBytes, signature } = splitResponse(utf8(v.response))
      assert.equal(new TextDecoder().decode(reportBytes), v.report, 'report bytes as received')
      assert.equal(hex0x(signature), lc(v.signature))
      assert.equal(hex0x(reportDigest(reportBytes)), lc(v.digest), 'digest')
      let recovered = null
      try { recovered = recoverReportSigner(reportBytes, signature) } catch {}
      assert.equal(recovered, v.recovered ? getAddress(v.recovered) : null, 'recovered signer')
      const seed = f.key_seeds[v.signer_key]
      assert.ok(seed, `no seed for ${v.signer_key}`)
      if (recovered && recovered === new NodeKey(keyFromSeed(seed)).address) {
        const sig = secp256k1.sign(reportDigest(reportBytes), keyFromSeed(seed), { prehash: false, format: 'recovered' })
        // noble's recovered format is v || r || s; the protocol's is r || s || v.
        assert.equal(hex0x(Uint8Array.of(...sig.subarray(1), sig[0])), lc(v.signature), 'signature made again from the seed key')
      }
      let res = null
      try { res = verifyResponse(utf8(v.response)) } catch {}
      assert.equal(res ? 'accept' : 'refuse', v.result, 'verdict')
      if (res) assert.equal(res.signer, getAddress(v.observer))
    })
  }
})

// --- pop.json: registration proofs of possession (section 10) --------------

withFile('pop.json', (f) => {
  test('pop.json: domain', () => {
    assert.equal(id(f.domain_tag), lc(f.domain)); assert.equal(POP_DOMAIN, lc(f.domain))
  })
  for (const v of f.vectors) {
    test(`pop.json: ${v.name}`, () => {
      const chainId = BigInt(v.chain_id)
      const node = new NodeKey(keyFromSeed(v.node_key_seed))
      assert.equal(hex0x(node.publicKeyXY), lc(v.node_public_key))
      assert.equal(node.address, v.node_address)
      assert.equal(new NodeKey(keyFromSeed(v.operator_key_seed)).address, getAddress(v.operator) === v.operator ? v.operator : getAddress(v.operator))
      assert.equal(popEncoded(chainId, v.registry, v.operator), lc(v.abi_encoded), 'abi.encode')
      assert.equal(popDigest(chainId, v.registry, v.operator), lc(v.digest), 'digest')
      if (v.result === 'accept' && !v.name.includes('v_0_or_1')) {
        assert.equal(hex0x(popSign(node.privateKey, chainId, v.registry, v.operator)), lc(v.signature), 'signature made again')
      }
      assert.equal(popVerify(v.signature, chainId, v.registry, v.operator, node.publicKeyXY), v.result, 'the contract\'s verdict')
    })
  }
})

// --- attestations.json: offline attestations (section 9) ------------------

withFile('attestations.json', (f) => {
  const domain = { chainId: BigInt(f.chain_id), registry: f.registry, params: f.params }
  const nowS = BigInt(f.now_ms) / 1000n
  test('attestations.json: domains, topic, limits, clock', () => {
    assert.equal(id(f.domain_tag), lc(f.domain)); assert.equal(A.ATTEST_DOMAIN, lc(f.domain))
    assert.equal(id(f.committee_domain_tag), lc(f.committee_domain)); assert.equal(A.COMMITTEE_DOMAIN, lc(f.committee_domain))
    assert.equal(f.topic, A.TOPIC)
    assert.equal(f.max_payload_bytes, A.MAX_PAYLOAD)
    assert.equal(f.envelope_max_bytes, A.ENVELOPE_MAX_BYTES)
    assert.equal(A.windowAt(nowS, f.params), BigInt(f.now_window))
  })
  const ctx = {
    network: f.network,
    nowMs: BigInt(f.now_ms),
    members: new Map(f.members.map((m) => [lc(m.address), { publicKey: fromHex(m.public_key), coordinator: false }])),
    maxSize: { [A.TOPIC]: A.ENVELOPE_MAX_BYTES, default: E.MAX_MESSAGE_BYTES },
    checkHeartbeat: false
  }
  const reasons = new Set()
  for (const v of f.attestations) {
    test(`attestations.json: ${v.name}`, () => {
      const seed = f.key_seeds[v.attester_name]
      assert.ok(seed, `no seed for ${v.attester_name}`)
      const key = new NodeKey(keyFromSeed(seed))
      assert.equal(key.address, getAddress(v.attester), 'attester address from its seed')
      // The envelope (section 6) is valid and carries the payload, signed by the attester.
      const bytes = fromHex(v.envelope)
      const ev = E.validate(bytes, A.TOPIC, ctx)
      assert.equal(ev.reason, 'ok', 'envelope steps 0-9')
      assert.equal(ev.envelope.sender, key.address)
      assert.equal(hex0x(ev.envelope.payload), lc(v.payload))
      assert.equal(hex0x(E.messageId(bytes)), lc(v.message_id), 'message ID')
      // The payload check (step 11).
      const got = A.checkAttestation(v.attester, fromHex(v.payload), domain, nowS)
      assert.equal(got.result, v.result, `verdict (${got.error})`)
      assert.equal(got.reason, v.reason, `reason (${got.error})`)
      assert.equal(v.name.startsWith('valid_'), v.reason === 'ok', 'the name says the verdict')
      reasons.add(v.reason)
      if (!v.fields) {
        assert.notEqual(v.result, 'accept')
        return
      }
      const fl = v.fields
      assert.equal(hex0x(fromHex(A.attestEncoded(domain.chainId, f.registry, fl.node, fl.window, fl.offline_seconds))), lc(fl.abi_encoded), 'abi.encode')
      assert.equal(A.attestDigest(domain.chainId, f.registry, fl.node, fl.window, fl.offline_seconds), lc(fl.digest), 'digest')
      assert.equal(A.windowStart(fl.window, f.params), BigInt(fl.window_start))
      assert.equal(A.windowEnd(fl.window, f.params), BigInt(fl.window_end))
      assert.equal(A.windowDeadline(fl.window, f.params), BigInt(fl.deadline))
      const sig = fromHex(fl.signature)
      if (sig.length === A.SIGNATURE_LENGTH && (sig[64] === 27 || sig[64] === 28)) {
        // Plain ecrecover, high s too (noble; ethers' recoverAddress refuses a high s).
        let rec = null
        try { rec = computeAddress(hex0x(secp256k1.recoverPublicKey(Uint8Array.of(sig[64] - 27, ...sig.subarray(0, 64)), fromHex(fl.digest), { prehash: false }))) } catch {}
        assert.equal(rec, fl.recovered ? getAddress(fl.recovered) : null, 'recovered')
      }
      if (v.result === 'accept') {
        const a = got.attestation
        assert.deepEqual([a.node, a.window, a.offlineSeconds, hex0x(a.signature)],
          [getAddress(fl.node), BigInt(fl.window), BigInt(fl.offline_seconds), lc(fl.signature)])
        assert.equal(hex0x(A.attestSign(key.privateKey, domain.chainId, f.registry, fl.node, fl.window, fl.offline_seconds)), lc(fl.signature), 'signature made again')
        assert.equal(hex0x(A.encodeAttestation({ node: fl.node, window: fl.window, offlineSeconds: fl.offline_seconds, signature: sig })), lc(v.payload), 'payload encoded again')
      }
    })
  }
  test('attestations.json: every verdict is shown', () => {
    assert.deepEqual([...reasons].sort(), ['bad_payload', 'ignored_payload', 'ok'])
  })
  for (const c of f.committees) {
    test(`attestations.json: committee ${c.name}`, () => {
      if (c.hash) {
        assert.equal(A.committeeHash(domain.chainId, f.registry, c.node, c.window, c.observer), lc(c.hash), 'committee hash')
        assert.equal(BigInt(c.hash) % BigInt(c.observers), BigInt(c.hash_mod_observers))
      }
      assert.equal(A.inCommittee(domain.chainId, f.registry, c.node, c.window, c.observer, c.observers, c.committee_size), c.in_committee)
    })
  }
  test('attestations.json: quorums', () => {
    for (const q of f.quorums) {
      assert.equal(Math.min(q.observers, q.committee_size), q.committee)
      assert.equal(A.quorum(q.observers, q.committee_size), q.quorum, `${q.observers} observers, committees of ${q.committee_size}`)
    }
  })
})
