// Node 20 lacks Promise.withResolvers (Node 22 has it), which libp2p 3 uses.
// Import this module before anything from libp2p.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
