// Live interop: the JavaScript node (src/) against `validator devnet` run as a
// separate process. It never skips: whatever it needs and cannot find fails it.

import '../src/polyfill.js'
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, writeFileSync, readFileSync, rmSync, createWriteStream, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { getAddress } from 'ethers'
import { NodeKey } from '../src/identity.js'
import { ValidatorNode } from '../src/node.js'
import { readActive } from '../src/registry.js'
import * as E from '../src/envelope.js'
import { decodeHeartbeat } from '../src/heartbeat.js'
import { utf8, hex } from '../src/bytes.js'

const execFileP = promisify(execFile)
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const env = (k, d) => Number(process.env[k] ?? d)
const RPC_PORT = env('INTEROP_RPC_PORT', 18545)
const P2P_PORT = env('INTEROP_P2P_PORT', 19000)
const API_PORT = env('INTEROP_API_PORT', 17400)
const JS_PORT = env('INTEROP_JS_PORT', 19100)
const VALIDATORS = 3
const RPC = `http://127.0.0.1:${RPC_PORT}`
const REGISTRY = '0x40712079633F346B83a7aA7bB248a1ab8ac2eEE5'
const NETWORK = 'devnet'
const STATUS_VERSION = 'interop-js/0.1.0'
const api = (i) => `http://127.0.0.1:${API_PORT + i}`

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor (what, fn, { timeoutMs = 20_000, everyMs = 250 } = {}) {
  const end = Date.now() + timeoutMs
  let last
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (err) { last = err }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`)
    await sleep(everyMs)
  }
}

async function getJSON (url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) })
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`)
  return r.json()
}

// The value of one Prometheus series (0 if absent), e.g. metric('x_total', { topic: 'jobs' }).
async function metric (i, name, labels = {}) {
  const r = await fetch(`${api(i)}/metrics`, { signal: AbortSignal.timeout(5000) })
  const text = await r.text()
  let sum = 0
  let seen = false
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const ls = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]))
    if (Object.entries(labels).every(([k, v]) => ls[k] === v)) { sum += Number(m[4]); seen = true }
  }
  if (!seen && !text.includes(`# TYPE ${name} `)) throw new Error(`validator ${i} exports no metric ${name}`)
  return sum
}

// A server-sent event subscription to /v1/subscribe/{topic} on validator i.
function subscribeSSE (i, topic) {
  const ctrl = new AbortController()
  const events = []
  const ready = (async () => {
    const r = await fetch(`${api(i)}/v1/subscribe/${topic}`, { signal: ctrl.signal })
    if (!r.ok) throw new Error(`subscribe on validator ${i}: ${r.status}`)
    return r.body.getReader()
  })()
  const done = ready.then(async (reader) => {
    const dec = new TextDecoder()
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buf += dec.decode(value, { stream: true })
      let k
      while ((k = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, k); buf = buf.slice(k + 2)
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n')
        if (data) events.push(JSON.parse(data))
      }
    }
  }).catch((err) => { if (!ctrl.signal.aborted) events.error = err })
  return { events, ready, close: () => { ctrl.abort(); return done } }
}

const payloadOf = (ev) => Buffer.from(ev.payload_base64, 'base64').toString('utf8')

describe('live interop with validator devnet', { timeout: 150_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'interop-js-'))
  let devnet = null
  let devnetLog = ''
  const jsKey = NodeKey.random()
  let js = null
  let stranger = null
  let view = null // { members } from the registry, validators and the JS node
  const validators = [] // { i, id, peerId }

  async function cli (...args) {
    try {
      const { stdout } = await execFileP(bin, args, { timeout: 60_000 })
      return stdout
    } catch (err) {
      throw new Error(`validator ${args.join(' ')}: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`)
    }
  }
  let bin = process.env.VALIDATOR_BIN

  before(async () => {
    if (!bin) {
      bin = path.join(tmp, 'validator')
      try {
        await execFileP('go', ['build', '-o', bin, './cmd/validator'], { cwd: repo, timeout: 300_000 })
      } catch (err) {
        throw new Error(`build the validator binary (go build ./cmd/validator in ${repo}; or set VALIDATOR_BIN): ${err.message}\n${err.stderr ?? ''}`)
      }
    }
    assert.ok(existsSync(bin), `no validator binary at ${bin}`)

    // The devnet, in its own process group so that everything it starts dies with it.
    const log = createWriteStream(path.join(tmp, 'devnet.log'))
    devnet = spawn(bin, ['devnet', '--validators', String(VALIDATORS), '--rpc', `127.0.0.1:${RPC_PORT}`,
      '--p2p-port', String(P2P_PORT), '--api-port', String(API_PORT), '--dir', path.join(tmp, 'devnet')],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const onData = (d) => { devnetLog += d; log.write(d) }
    devnet.stdout.on('data', onData); devnet.stderr.on('data', onData)
    const exited = new Promise((resolve) => devnet.on('exit', (code, sig) => resolve(`exited (${code ?? sig})`)))
    const up = waitFor('"devnet running" from validator devnet', () => devnetLog.includes('Press Ctrl-C to stop.'), { timeoutMs: 60_000, everyMs: 100 })
    const r = await Promise.race([up, exited])
    if (typeof r === 'string') throw new Error(`validator devnet ${r} before it was up (ports ${RPC_PORT}, ${P2P_PORT}+, ${API_PORT}+ taken?):\n${devnetLog.slice(-3000)}`)
    for (let i = 0; i < VALIDATORS; i++) {
      const st = await getJSON(`${api(i)}/v1/status`)
      validators.push({ i, id: getAddress(st.node_id), peerId: st.peer_id })
    }

    // The JS node key, registered with our CLI: init, replace node.key with the
    // JS key (docs/protocol.md section 1 format), fund, register.
    const dir = path.join(tmp, 'js')
    writeFileSync(path.join(tmp, 'pass'), 'interop passphrase\n')
    await cli('init', '--dir', dir, '--passphrase-file', path.join(tmp, 'pass'), '--p2p-port', String(JS_PORT), '--api-port', String(API_PORT + 100))
    writeFileSync(path.join(dir, 'node.key'), jsKey.toFile(), { mode: 0o600 })
    assert.equal(NodeKey.fromFile(readFileSync(path.join(dir, 'node.key'), 'utf8')).address, jsKey.address)
    const operator = getAddress('0x' + JSON.parse(readFileSync(path.join(dir, 'operator.json'), 'utf8')).address)

    // Listen before registering, so a validator that learns of us can dial at once.
    view = await readActive(RPC, REGISTRY)
    js = new ValidatorNode({
      key: jsKey, network: NETWORK, chainId: view.chainId, registry: REGISTRY, registryBlock: view.block,
      version: STATUS_VERSION, members: new Map(view.members), listen: [`/ip4/127.0.0.1/tcp/${JS_PORT}`]
    })
    await js.start()

    await cli('devnet', 'fund', '--rpc', RPC, '--to', operator, '--eth', '33')
    const out = await cli('register', '--config', path.join(dir, 'validator.toml'), '--rpc-url', RPC, '--stake', '32',
      '--addr', `/ip4/127.0.0.1/tcp/${JS_PORT}`)
    assert.match(out + '', new RegExp(jsKey.address.slice(2, 10), 'i'), `register did not name the JS node ID:\n${out}`)

    view = await readActive(RPC, REGISTRY)
    assert.ok(view.members.has(jsKey.address.toLowerCase()), 'the JS node is not active in the registry after register')
    const me = view.members.get(jsKey.address.toLowerCase())
    assert.equal(me.peerId, js.peerId.toString(), 'the registered key gives another peer ID')
    for (const [k, m] of view.members) js.members.set(k, m)
    js.opts.registryBlock = view.block
    await waitFor(`every validator's registry view to hold ${VALIDATORS + 1} nodes`, async () => {
      for (const v of validators) {
        const st = await getJSON(`${api(v.i)}/v1/status`)
        if (st.registry.nodes < VALIDATORS + 1) return false
      }
      return true
    })
  })

  after(async () => {
    await stranger?.stop().catch(() => {})
    await js?.stop().catch(() => {})
    if (devnet && devnet.exitCode === null) {
      const gone = new Promise((resolve) => devnet.once('exit', resolve))
      try { process.kill(-devnet.pid, 'SIGTERM') } catch {}
      const t = setTimeout(() => { try { process.kill(-devnet.pid, 'SIGKILL') } catch {} }, 10_000)
      await gone
      clearTimeout(t)
    }
    if (process.env.INTEROP_KEEP) console.log(`kept ${tmp}`)
    else rmSync(tmp, { recursive: true, force: true })
  })

  const peerEntry = async (i, peerId) => (await getJSON(`${api(i)}/v1/peers`)).find((p) => p.peer_id === peerId)

  it('handshake as requester: the JS node dials validator 0 and each side sees the other\'s status', async () => {
    const v0 = validators[0]
    const { status } = await js.dial(`/ip4/127.0.0.1/tcp/${P2P_PORT}/p2p/${v0.peerId}`)
    assert.equal(status.network, NETWORK)
    assert.equal(status.chainId, 1337n)
    assert.equal(status.registry, REGISTRY)
    const rec = js.peerStatus.get(v0.peerId).find((r) => r.role === 'requester')
    assert.ok(rec && rec.compatible && rec.direction === 'outbound')
    // The validator shows the version from our Status (identify's agent version is another string).
    const e = await waitFor('validator 0 to show the JS node connected with its status version', async () => {
      const p = await peerEntry(0, js.peerId.toString())
      return p?.connected && p.version === STATUS_VERSION && p
    })
    assert.equal(getAddress(e.node_id), jsKey.address)
    // It pings us (/ipfs/ping/1.0.0) and we answer.
    await waitFor('validator 0 to see the JS node responsive (answering pings)', async () =>
      (await peerEntry(0, js.peerId.toString()))?.state === 'responsive', { timeoutMs: 30_000 })
  })

  it('handshake as responder: a validator dials the JS node and each side sees the other\'s status', async () => {
    const rec = await waitFor('a validator to dial the JS node and send its status', () => {
      for (const v of validators) {
        const r = js.peerStatus.get(v.peerId)?.find((x) => x.role === 'responder')
        if (r) return { v, r }
      }
      return null
    }, { timeoutMs: 40_000 })
    assert.equal(rec.r.direction, 'inbound')
    assert.ok(rec.r.compatible)
    assert.equal(rec.r.status.network, NETWORK)
    assert.equal(rec.r.status.chainId, 1337n)
    assert.equal(rec.r.status.registry, REGISTRY)
    await waitFor(`validator ${rec.v.i} to show the JS node with its status version`, async () => {
      const p = await peerEntry(rec.v.i, js.peerId.toString())
      return p?.connected && p.version === STATUS_VERSION
    })
    assert.deepEqual(js.handshakeErrors, [], 'status exchanges failed')
  })

  // receiveFromValidator publishes want on jobs through validator v's API
  // until the JS node receives it (gossip needs the validator to know of our
  // subscription first), and returns the message as received.
  async function receiveFromValidator (v, want) {
    let got = null
    const off = js.onMessage((m) => { if (m.topic === 'jobs' && Buffer.from(m.envelope.content).toString() === want) got = m })
    try {
      await waitFor(`the JS node to receive the message published on validator ${v.i}`, async () => {
        if (got) return true
        const r = await fetch(`${api(v.i)}/v1/publish/jobs`, { method: 'POST', body: want, signal: AbortSignal.timeout(5000) })
        assert.equal(r.status, 202, `publish on validator ${v.i}: ${r.status} ${await r.text()}`)
        await sleep(1500)
        return got
      }, { timeoutMs: 30_000, everyMs: 0 })
    } finally { off() }
    return got
  }

  it('receives a message published through a validator\'s API and verifies it against the registered key', async () => {
    const pub = validators[1]
    const registered = view.members.get(pub.id.toLowerCase())
    assert.ok(registered, 'validator 1 not in the registry view')
    const want = `from-validator-1 ${randomBytes(6).toString('hex')}`
    const got = await receiveFromValidator(pub, want)
    // The ID gossipsub gave it is the protocol's message ID (section 5).
    assert.equal(js.gossipIds.get(hex(got.bytes)), hex(E.messageId(got.bytes)), 'gossipsub message ID')
    const e = E.decodeEnvelope(got.bytes)
    assert.equal(e.sender, pub.id)
    assert.equal(e.network, NETWORK)
    assert.equal(e.topic, 'jobs')
    const digest = E.signingDigest({ network: e.network, topic: e.topic, sender: e.senderBytes, timestamp: e.timestamp, payload: e.payload, encoding: e.encoding })
    assert.equal(e.signature.length, 64)
    assert.ok(E.verifySignature(digest, e.signature, registered.publicKey), 'signature does not verify against the registered key')
    assert.ok(!E.verifySignature(digest, e.signature, view.members.get(validators[0].id.toLowerCase()).publicKey), 'verifies against another key too')
    // Heartbeats from the validators arrived and decoded too.
    const hb = js.messages.find((m) => m.topic === 'heartbeats')
    if (hb) assert.ok(decodeHeartbeat(hb.envelope.content).addrs.length > 0)
  })

  it('receives a payload the validator sent snappy-compressed, decompresses it and verifies the signature over the compressed bytes', async () => {
    // Devnet validators compress payloads of 256 bytes and more (gossip.compress_min_bytes).
    const pub = validators[2]
    const registered = view.members.get(pub.id.toLowerCase())
    const want = JSON.stringify({ job: randomBytes(6).toString('hex'), items: Array.from({ length: 40 }, (_, k) => ({ k, state: 'queued', owner: pub.id })) })
    assert.ok(want.length >= 1024)
    const got = await receiveFromValidator(pub, want)
    const e = E.decodeEnvelope(got.bytes)
    assert.equal(e.encoding, E.ENCODING_SNAPPY, 'the validator sent the payload raw')
    assert.ok(e.payload.length < want.length / 2, `compressed payload ${e.payload.length} bytes for ${want.length}`)
    assert.equal(E.snappyDecodedLength(e.payload), want.length)
    const digest = E.signingDigest({ network: e.network, topic: e.topic, sender: e.senderBytes, timestamp: e.timestamp, payload: e.payload, encoding: e.encoding })
    assert.ok(E.verifySignature(digest, e.signature, registered.publicKey), 'signature over the compressed payload does not verify against the registered key')
  })

  it('publishes a valid envelope that arrives on another validator\'s SSE stream; a forged one arrives nowhere and is counted', async () => {
    const streams = validators.map((v) => subscribeSSE(v.i, 'jobs'))
    try {
      await Promise.all(streams.map((s) => s.ready))
      await waitFor('gossipsub peers on jobs', () => js.subscribers('jobs').length > 0)
      const rejectedBefore = await Promise.all(validators.map((v) => metric(v.i, 'validator_p2p_messages_total', { topic: 'jobs', result: 'bad_signature' })))

      const valid = `from-js ${randomBytes(6).toString('hex')}`
      const { id } = await js.publish('jobs', utf8(valid))
      const ev = await waitFor('the JS node\'s valid message on validator 2\'s SSE stream', () =>
        streams[2].events.find((ev) => payloadOf(ev) === valid && getAddress(ev.sender) === jsKey.address))
      assert.equal(ev.id, hex(id), 'the Go node\'s message ID (SSE id) is not ours')

      // Forged: sender is the JS node, the signature another key's.
      const forgedPayload = `forged ${randomBytes(6).toString('hex')}`
      const f = { network: NETWORK, topic: 'jobs', sender: jsKey.address, timestamp: BigInt(Date.now()), payload: utf8(forgedPayload) }
      const sig = E.signDigest(E.signingDigest(f), NodeKey.random().privateKey)
      const forged = E.encodeEnvelope(f, sig)
      assert.equal(E.validate(forged, 'jobs', { network: NETWORK, nowMs: Date.now(), members: view.members }).reason, 'bad_signature')
      await js.publishRaw('jobs', forged)
      await waitFor('a validator to count the forged envelope as bad_signature', async () => {
        const now = await Promise.all(validators.map((v) => metric(v.i, 'validator_p2p_messages_total', { topic: 'jobs', result: 'bad_signature' })))
        return now.some((n, k) => n > rejectedBefore[k])
      })
      // And, a moment later, the valid one reached every stream and the forged one none.
      const marker = `after-forged ${randomBytes(6).toString('hex')}`
      await js.publish('jobs', utf8(marker))
      await waitFor('the marker after the forged envelope on every SSE stream', () => streams.every((s) => s.events.some((ev) => payloadOf(ev) === marker)))
      for (const [k, s] of streams.entries()) {
        assert.ok(!s.events.error, `SSE on validator ${k}: ${s.events.error?.message}`)
        assert.ok(s.events.some((ev) => payloadOf(ev) === valid), `validator ${k}'s stream missed the valid message`)
        assert.ok(!s.events.some((ev) => payloadOf(ev) === forgedPayload), `validator ${k}'s stream delivered the forged message`)
      }
    } finally {
      await Promise.all(streams.map((s) => s.close()))
    }
  })

  it('publishes a heartbeat whose addresses a validator takes', async () => {
    const extra = `/ip4/127.0.0.9/tcp/${JS_PORT}`
    const before = await Promise.all(validators.map((v) => metric(v.i, 'validator_p2p_messages_total', { topic: 'heartbeats', result: 'bad_heartbeat' })))
    await waitFor('gossipsub peers on heartbeats', () => js.subscribers('heartbeats').length > 0)
    await js.publishHeartbeat([`/ip4/127.0.0.1/tcp/${JS_PORT}`, extra])
    // Each validator keeps the heartbeat addresses of every other node, now the JS node's too.
    await waitFor(`every validator's heartbeat address book to hold ${VALIDATORS} peers`, async () => {
      const n = await Promise.all(validators.map((v) => metric(v.i, 'validator_p2p_addrbook_entries')))
      return n.every((x) => x === VALIDATORS)
    })
    const after = await Promise.all(validators.map((v) => metric(v.i, 'validator_p2p_messages_total', { topic: 'heartbeats', result: 'bad_heartbeat' })))
    assert.deepEqual(after, before, 'a validator rejected the heartbeat')
  })

  it('queries validator 0 for its signed evidence about validator 1 and verifies it', async () => {
    const v0 = validators[0]
    const conn = js.libp2p.getConnections(js.peerFromString(v0.peerId)).find((c) => c.status === 'open')
    assert.ok(conn, 'no connection to validator 0')
    const to = new Date()
    const from = new Date(to.getTime() - 3600_000)
    const { report, signer } = await js.queryEvidence(conn, v0.id, { peer: validators[1].id, from: from.toISOString(), to: to.toISOString() })
    assert.equal(signer, v0.id)
    assert.equal(report.version, 1)
    assert.equal(report.network, NETWORK)
    assert.equal(getAddress(report.peer), validators[1].id)
    assert.ok(Array.isArray(report.transitions) && Array.isArray(report.summaries))
  })

  it('refuses an unregistered peer: no status exchange, no messages, counted by the gate', async () => {
    const before = await metric(0, 'validator_p2p_connections_refused_total', { direction: 'inbound' })
    const strangerKey = NodeKey.random()
    stranger = new ValidatorNode({
      key: strangerKey, network: NETWORK, chainId: view.chainId, registry: REGISTRY, registryBlock: view.block,
      version: STATUS_VERSION, members: new Map(view.members), listen: ['/ip4/127.0.0.1/tcp/0']
    })
    await stranger.start()
    const v0 = validators[0]
    await assert.rejects(stranger.dial(`/ip4/127.0.0.1/tcp/${P2P_PORT}/p2p/${v0.peerId}`), 'the unregistered peer completed a status exchange')
    await waitFor('validator 0 to count the refused inbound connection', async () =>
      (await metric(0, 'validator_p2p_connections_refused_total', { direction: 'inbound' })) > before)
    // Some gossip, to show it would not reach the stranger.
    const r = await fetch(`${api(0)}/v1/publish/jobs`, { method: 'POST', body: 'not for strangers', signal: AbortSignal.timeout(5000) })
    assert.equal(r.status, 202)
    await sleep(2000)
    assert.equal(stranger.peerStatus.size, 0, 'the unregistered peer saw a status')
    assert.equal(stranger.messages.length, 0, 'the unregistered peer got gossip')
    assert.equal(stranger.libp2p.getConnections().length, 0, 'the unregistered peer is still connected')
    assert.ok(!(await peerEntry(0, strangerKey.peerIdString)), 'validator 0 lists the unregistered peer')
  })
})
