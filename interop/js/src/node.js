// A js-libp2p node that speaks wire protocol v1 (docs/protocol.md): TCP +
// Noise + Yamux, identify, ping, the status handshake as requester and
// responder, a registry gate, and gossipsub with StrictNoSign, the BLAKE2b
// message ID and envelope validation.

import './polyfill.js'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import * as E from './envelope.js'
import { encodeStatus, decodeStatus, incompatibility, statusProtocol, STATUS_MAX_BYTES } from './status.js'
import { request, respond } from './reqresp.js'
import { encodeHeartbeat } from './heartbeat.js'
import { evidenceProtocol, encodeQuery, verifyResponse, REQUEST_MAX_BYTES, RESPONSE_MAX_BYTES } from './evidence.js'
import { hex } from './bytes.js'

export const STATUS_TIMEOUT_MS = 5000
export const HANDSHAKE_GRACE_MS = 6000
export const MISMATCH_CLOSE_DELAY_MS = 100
export const BAN_MISMATCH_MS = 60_000
export const BAN_ERROR_MS = 5000
// max(largest envelope cap + 1,024, 111,088)
export const MAX_RPC_BYTES = Math.max(E.MAX_MESSAGE_BYTES + 1024, 111_088)

// libp2p streams may reject with events (a StreamCloseEvent), not Errors.
function asError (e) {
  if (e instanceof Error) return e
  const err = new Error(e?.error?.message ?? `stream ${e?.type ?? 'failed'}`)
  err.cause = e
  return err
}

const VERDICT = { accept: TopicValidatorResult.Accept, reject: TopicValidatorResult.Reject, ignore: TopicValidatorResult.Ignore }

export class ValidatorNode {
  // opts: { key: NodeKey, network, chainId, registry, registryBlock?, version?,
  //         members: Map (see registry.js), listen: [multiaddr strings],
  //         gate?: boolean (default true) }
  constructor (opts) {
    this.opts = opts
    this.key = opts.key
    this.network = opts.network
    this.members = opts.members ?? new Map()
    this.peerStatus = new Map() // peer ID string -> [{ direction, role: 'requester'|'responder', status, at }]
    this.handshakeErrors = []
    this.bans = new Map() // peer ID string -> until (ms)
    this.verdicts = [] // { topic, result, reason, from }
    this.messages = [] // accepted { topic, envelope, bytes, from }
    this.listeners = new Set()
    this.gossipIds = new Map() // hex of message data -> the message ID gossipsub gave it
  }

  ourStatus () {
    return {
      network: this.network,
      chainId: BigInt(this.opts.chainId),
      registry: this.opts.registry,
      registryBlock: BigInt(this.opts.registryBlock ?? 0),
      version: this.opts.version ?? 'interop-js/0.1.0'
    }
  }

  memberByPeer (peerId) {
    const s = peerId.toString()
    for (const m of this.members.values()) if (m.peerId === s) return m
    return null
  }

  admitted (peerId) {
    if (this.opts.gate === false) return true
    const until = this.bans.get(peerId.toString())
    if (until && until > Date.now()) return false
    return this.memberByPeer(peerId) !== null
  }

  ban (peerId, ms) { this.bans.set(peerId.toString(), Date.now() + ms) }

  recordStatus (peerId, rec) {
    const k = peerId.toString()
    if (!this.peerStatus.has(k)) this.peerStatus.set(k, [])
    this.peerStatus.get(k).push({ ...rec, at: Date.now() })
  }

  async start () {
    const opts = this.opts
    const { privateKey } = this.key.libp2pKey()
    const deny = (peerId) => !this.admitted(peerId)
    this.libp2p = await createLibp2p({
      start: false,
      privateKey,
      addresses: { listen: this.opts.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: deny,
        denyInboundEncryptedConnection: deny,
        denyOutboundEncryptedConnection: deny
      },
      services: {
        // The agent version differs from the Status version on purpose: the live
        // test tells by it which of the two a validator shows.
        identify: identify({ agentVersion: `js-libp2p interop/js (${this.ourStatus().version})` }),
        ping: ping(),
        pubsub: gossipsub({
          globalSignaturePolicy: 'StrictNoSign',
          msgIdFn: (msg) => E.messageId(msg.data),
          fastMsgIdFn: (msg) => hex(E.messageId(msg.data ?? new Uint8Array(0))),
          msgIdToStrFn: (id) => hex(id),
          seenTTL: Number(E.MAX_AGE_MS + E.MAX_SKEW_MS),
          D: 6,
          Dlo: 5,
          Dhi: 12,
          Dlazy: 6,
          heartbeatInterval: 1000,
          mcacheLength: 5,
          mcacheGossip: 3,
          fanoutTTL: 60_000,
          pruneBackoff: 60_000,
          floodPublish: true,
          doPX: false,
          // Section 5, "Scoring": only P4 (invalid messages) can go negative,
          // −20 × count², decaying to 1 % in an hour; thresholds −400/−800/−1600;
          // no PX; broken promises and IP colocation never penalise; scores
          // kept 10 minutes after a disconnect.
          scoreParams: {
            IPColocationFactorWeight: 0,
            behaviourPenaltyWeight: 0,
            retainScore: 10 * 60_000,
            topics: Object.fromEntries(E.TOPICS.map((name) => [E.topicName(opts.network, name), {
              topicWeight: 1,
              timeInMeshWeight: 0,
              firstMessageDeliveriesWeight: 0,
              meshMessageDeliveriesWeight: 0,
              meshFailurePenaltyWeight: 0,
              invalidMessageDeliveriesWeight: -20,
              invalidMessageDeliveriesDecay: 0.01 ** (1 / 3600)
            }]))
          },
          scoreThresholds: { gossipThreshold: -400, publishThreshold: -800, graylistThreshold: -1600, acceptPXThreshold: Number.POSITIVE_INFINITY },
          maxInboundDataLength: MAX_RPC_BYTES,
          idontwantMinDataSize: 1024,
          idontwantMaxMessages: 1000,
          allowPublishToZeroTopicPeers: false,
          emitSelf: false
        })
      }
    })

    // The status handler is registered before the node accepts connections.
    await this.libp2p.handle(statusProtocol(this.network), (stream, connection) => this.serveStatus(stream, connection))
    this.libp2p.addEventListener('connection:open', (evt) => this.onConnection(evt.detail))

    const ps = this.libp2p.services.pubsub
    ps.addEventListener('gossipsub:message', (evt) => this.gossipIds.set(hex(evt.detail.msg.data), evt.detail.msgId))
    for (const name of E.TOPICS) {
      const full = E.topicName(this.network, name)
      ps.topicValidators.set(full, (from, msg) => {
        const v = E.validate(msg.data, name, { network: this.network, nowMs: BigInt(Date.now()), members: this.members })
        this.verdicts.push({ topic: name, result: v.result, reason: v.reason, from: from.toString() })
        if (v.result === 'accept') {
          const rec = { topic: name, envelope: v.envelope, bytes: msg.data, from: from.toString() }
          this.messages.push(rec)
          for (const l of this.listeners) l(rec)
        }
        return VERDICT[v.result]
      })
    }
    await this.libp2p.start()
    for (const name of E.TOPICS) ps.subscribe(E.topicName(this.network, name))
    return this
  }

  get peerId () { return this.libp2p.peerId }
  get addrs () { return this.libp2p.getMultiaddrs() }

  // Responder side of section 4.
  async serveStatus (stream, connection) {
    const peer = connection.remotePeer
    let theirs = null
    try {
      await respond(stream, { reqCap: STATUS_MAX_BYTES, timeoutMs: STATUS_TIMEOUT_MS }, async (body) => {
        try { theirs = decodeStatus(body) } catch (err) {
          this.handshakeErrors.push({ peer: peer.toString(), role: 'responder', error: `undecodable status: ${err.message}` })
          this.ban(peer, BAN_MISMATCH_MS)
          connection.abort(new Error('undecodable status'))
          throw err
        }
        return { body: encodeStatus(this.ourStatus()) }
      })
    } catch (err) {
      if (!theirs) this.handshakeErrors.push({ peer: peer.toString(), role: 'responder', error: asError(err).message })
      return
    }
    const diff = incompatibility(this.ourStatus(), theirs)
    this.recordStatus(peer, { direction: connection.direction, role: 'responder', status: theirs, compatible: diff === null })
    connection.handshaken = diff === null
    if (diff !== null) {
      this.ban(peer, BAN_MISMATCH_MS)
      setTimeout(() => connection.close().catch(() => {}), MISMATCH_CLOSE_DELAY_MS)
    }
  }

  // Requester side of section 4: the dialer speaks first.
  async requestStatus (connection) {
    const peer = connection.remotePeer
    let body
    try {
      body = await request(connection, statusProtocol(this.network), encodeStatus(this.ourStatus()),
        { reqCap: STATUS_MAX_BYTES, respCap: STATUS_MAX_BYTES, timeoutMs: STATUS_TIMEOUT_MS })
    } catch (e) {
      const err = asError(e)
      this.handshakeErrors.push({ peer: peer.toString(), role: 'requester', error: err.message })
      const otherNetwork = err.errorText?.startsWith('other network: ') || /protocol selection failed|UnsupportedProtocol/i.test(err.message + err.name)
      this.ban(peer, otherNetwork ? BAN_MISMATCH_MS : BAN_ERROR_MS)
      await connection.close().catch(() => {})
      throw err
    }
    let theirs
    try { theirs = decodeStatus(body) } catch (err) {
      this.ban(peer, BAN_MISMATCH_MS)
      await connection.close().catch(() => {})
      throw err
    }
    const diff = incompatibility(this.ourStatus(), theirs)
    this.recordStatus(peer, { direction: connection.direction, role: 'requester', status: theirs, compatible: diff === null })
    if (diff !== null) {
      this.ban(peer, BAN_MISMATCH_MS)
      await connection.close().catch(() => {})
      throw new Error(`peer ${peer} is on another network: ${diff} differs`)
    }
    connection.handshaken = true
    return theirs
  }

  onConnection (connection) {
    if (connection.direction === 'outbound') {
      connection.statusDone = this.requestStatus(connection).then((status) => ({ status }), (error) => ({ error }))
    } else {
      // The dialer must complete the exchange within 5 s + 1 s.
      setTimeout(() => {
        if (!connection.handshaken && connection.status === 'open') {
          this.ban(connection.remotePeer, BAN_ERROR_MS)
          connection.close().catch(() => {})
        }
      }, HANDSHAKE_GRACE_MS).unref?.()
    }
  }

  // Dials addr on a new connection and waits for our status exchange on it.
  async dial (addr) {
    const conn = await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000), force: true })
    if (conn.direction !== 'outbound' || !conn.statusDone) throw new Error(`dial ${addr}: got no new outbound connection`)
    const { status, error } = await conn.statusDone
    if (error) throw error
    return { connection: conn, status }
  }

  peerFromString (s) { return peerIdFromString(s) }

  onMessage (fn) { this.listeners.add(fn); return () => this.listeners.delete(fn) }

  // Publishes envelope bytes as they are (gossipsub message data).
  async publishRaw (topic, bytes) {
    return this.libp2p.services.pubsub.publish(E.topicName(this.network, topic), bytes)
  }

  async publish (topic, payload, { timestamp = BigInt(Date.now()) } = {}) {
    const f = { network: this.network, topic, sender: this.key.address, timestamp, payload }
    const { bytes } = E.signEnvelope(f, this.key.privateKey)
    await this.publishRaw(topic, bytes)
    return { bytes, id: E.messageId(bytes) }
  }

  async publishHeartbeat (addrs) {
    return this.publish('heartbeats', encodeHeartbeat({ addrs, version: this.ourStatus().version }))
  }

  // Asks the peer on connection for its signed evidence about peer (section 8)
  // and verifies it: signed by the node asked, about the node asked about.
  async queryEvidence (connection, observer, { peer, from, to }) {
    const body = await request(connection, evidenceProtocol(this.network), encodeQuery({ peer, from, to }),
      { reqCap: REQUEST_MAX_BYTES, respCap: RESPONSE_MAX_BYTES, timeoutMs: 10_000 })
    return verifyResponse(body, { observer, peer })
  }

  subscribers (topic) { return this.libp2p.services.pubsub.getSubscribers(E.topicName(this.network, topic)).map(String) }

  async stop () { await this.libp2p?.stop() }
}
