#!/usr/bin/env node
// Produce/consume driver for kafkajs 2.2.4, the same CLI as tests/clients/produce_consume.py:
//
//   node produce_consume.js produce --bootstrap B --topic T --messages FILE.jsonl
//        --compression {none,gzip,snappy,lz4,zstd} [--acks 1|-1|0] [--report FILE]
//        [--timeout S] [--client kafkajs]
//     FILE.jsonl: {"partition": int|null, "key": b64|null, "value": b64|null,
//                  "headers": [[name, b64|null], ...]} per line.
//     Messages go out in file order, in chunks (one producer.send() at a time, each at most
//     2,000 messages / 512 KiB, so per-partition order is the file order and no batch
//     nears message.max.bytes). Prints one JSON summary line (same fields as the Python
//     driver); --report writes [partition, offset, error|null] per message (offset = the
//     partition's baseOffset from the Produce response + the message's position in its
//     batch; -1 with acks=0, which has no response).
//     Codecs: gzip is built into kafkajs; snappy comes from the kafkajs-snappy plugin (pure
//     JS, raw snappy blocks); lz4 and zstd have no pure-JS kafkajs codec (kafkajs-lz4 needs
//     the native `lz4` module, @kafkajs/zstd the native `cppzst`), so those exit 3.
//     Headers: kafkajs takes them as an object {name: value | [values]}, so a message's
//     header list must group equal names together and must not rely on the order of
//     integer-like names (JavaScript orders those first); kafkajs 2.2.4 also throws on a
//     null header value (Buffer.byteLength(null) in its record encoder). Such messages are
//     refused up front with exit 3 and the reason, rather than sent reordered.
//     Messages with "partition": null get the partition kafkajs's DefaultPartitioner picks
//     (asked here, with the same metadata, so the report can name it).
//
//   node produce_consume.js consume --bootstrap B --topic T --count N --timeout S
//        [--from-beginning] [--client kafkajs]
//     kafkajs's Consumer needs consumer groups (JoinGroup/SyncGroup/...), which the broker
//     does not implement yet. So this uses kafkajs's own cluster/broker layer below the
//     Consumer: the Kafka client's private cluster factory (the one its Consumer uses),
//     Metadata, optionally ListOffsets (--from-beginning; otherwise explicit offset 0),
//     then Broker.fetch() (Fetch v11 against a broker advertising it) in a loop, with
//     kafkajs's Batch class dropping records below the fetch offset and control records,
//     exactly as its Consumer does. Prints N JSON lines
//     {"partition","offset","key","value","headers"} (base64). Header order as received
//     is lost where kafkajs's decoder folds headers into an object (same rules as above).
//     Decoding has the same codecs as producing (lz4/zstd batches cannot be read: kafkajs
//     logs "... compression not implemented" and the consumer times out).
//     Exit: 0 after N, 2 on timeout (printed what it had), 1 on a client error,
//     3 if this kafkajs build does not expose what is needed.
'use strict'

const fs = require('fs')
const path = require('path')
const {
  Kafka, logLevel, CompressionTypes, CompressionCodecs, Partitioners,
} = require('kafkajs')

const EXIT = { OK: 0, FAILED: 1, TIMEOUT: 2, UNSUPPORTED: 3, USAGE: 64 }
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

function err (msg) {
  process.stderr.write(`produce_consume.js: ${msg}\n`)
}

function usage (msg) {
  err(msg)
  process.stderr.write('usage: produce_consume.js produce|consume --bootstrap B --topic T ...\n')
  process.exit(EXIT.USAGE)
}

function parseArgs (argv) {
  const cmd = argv[0]
  if (cmd !== 'produce' && cmd !== 'consume') usage(`unknown command ${cmd}`)
  const a = { cmd, acks: '1', compression: 'none', timeout: 120, fromBeginning: false }
  for (let i = 1; i < argv.length; i++) {
    const k = argv[i]
    const v = () => {
      if (i + 1 >= argv.length) usage(`${k} needs a value`)
      return argv[++i]
    }
    switch (k) {
      case '--client': if (v() !== 'kafkajs') usage('--client must be kafkajs'); break
      case '--bootstrap': a.bootstrap = v(); break
      case '--topic': a.topic = v(); break
      case '--messages': a.messages = v(); break
      case '--compression': a.compression = v(); break
      case '--acks': a.acks = v(); break
      case '--report': a.report = v(); break
      case '--timeout': a.timeout = parseFloat(v()); break
      case '--count': a.count = parseInt(v(), 10); break
      case '--from-beginning': a.fromBeginning = true; break
      default: usage(`unknown option ${k}`)
    }
  }
  if (!a.bootstrap || !a.topic) usage('--bootstrap and --topic are required')
  if (cmd === 'produce' && !a.messages) usage('--messages is required')
  if (cmd === 'consume' && !(a.count >= 0)) usage('--count is required')
  if (!CODECS.includes(a.compression)) usage(`bad --compression ${a.compression}`)
  if (a.acks === 'all') a.acks = '-1'
  if (!['0', '1', '-1'].includes(a.acks)) usage(`bad --acks ${a.acks}`)
  return a
}

// kafkajs logs through console.* by default, i.e. partly to stdout; keep stdout for JSON.
const stderrLogCreator = () => ({ namespace, level, label, log }) => {
  const { message, ...extra } = log
  process.stderr.write(`kafkajs ${label} [${namespace}] ${message} ${JSON.stringify(extra)}\n`)
}

function newKafka (a) {
  return new Kafka({
    clientId: 'kb-dp-kafkajs',
    brokers: a.bootstrap.split(','),
    logLevel: logLevel.ERROR,
    logCreator: stderrLogCreator,
    connectionTimeout: 10000,
    requestTimeout: 60000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
  })
}

const b64d = s => (s === null || s === undefined ? null : Buffer.from(s, 'base64'))
const b64e = b => (b === null || b === undefined ? null : Buffer.from(b).toString('base64'))

function codecFor (name) {
  switch (name) {
    case 'none': return CompressionTypes.None
    case 'gzip': return CompressionTypes.GZIP
    case 'snappy': {
      let SnappyCodec
      try {
        SnappyCodec = require('kafkajs-snappy')
      } catch (e) {
        return { unsupported: 'the kafkajs-snappy plugin is not installed (npm ci in tests/clients/js)' }
      }
      CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
      return CompressionTypes.Snappy
    }
    case 'lz4':
      return { unsupported: 'kafkajs has no pure-JS lz4 codec (kafkajs-lz4 needs the native lz4 module)' }
    case 'zstd':
      return { unsupported: 'kafkajs has no pure-JS zstd codec (@kafkajs/zstd needs the native cppzst module)' }
  }
  return { unsupported: `unknown codec ${name}` }
}

// [[name, value|null], ...] -> kafkajs's header object, or a reason it cannot be expressed.
function headersObject (list) {
  const obj = {}
  const seen = []
  for (const [name, value] of list) {
    if (value === null) return { bad: `null value for header ${JSON.stringify(name)} (kafkajs 2.2.4 throws on it)` }
    if (Object.prototype.hasOwnProperty.call(obj, name)) {
      if (seen[seen.length - 1] !== name) return { bad: `header ${JSON.stringify(name)} repeated with others in between` }
      obj[name] = Array.isArray(obj[name]) ? obj[name].concat([value]) : [obj[name], value]
    } else {
      obj[name] = value
      seen.push(name)
    }
  }
  const order = Object.keys(obj)
  if (order.join('\u0000') !== seen.join('\u0000')) return { bad: `header names ${JSON.stringify(seen)} would be reordered to ${JSON.stringify(order)}` }
  return { obj }
}

function loadMessages (file) {
  const text = fs.readFileSync(file, 'utf8')
  const out = []
  let n = 0
  for (const line of text.split('\n')) {
    n++
    if (!line.trim()) continue
    const d = JSON.parse(line)
    const headers = (d.headers || []).map(([k, v]) => [k, b64d(v)])
    out.push({ partition: d.partition === null || d.partition === undefined ? null : d.partition, key: b64d(d.key), value: b64d(d.value), headers, line: n })
  }
  return out
}

async function produce (a) {
  const msgs = loadMessages(a.messages)
  const codec = codecFor(a.compression)
  if (codec && codec.unsupported) {
    err(codec.unsupported)
    return EXIT.UNSUPPORTED
  }
  const kmsgs = []
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]
    const h = headersObject(m.headers)
    if (h.bad) {
      err(`message ${i} (line ${m.line}) cannot be expressed with kafkajs: ${h.bad}`)
      return EXIT.UNSUPPORTED
    }
    const km = { key: m.key, value: m.value }
    if (m.headers.length) km.headers = h.obj
    km.partition = m.partition
    kmsgs.push(km)
  }
  const acks = parseInt(a.acks, 10)
  const kafka = newKafka(a)
  const t0 = Date.now()
  const deadline = t0 + a.timeout * 1000
  const report = msgs.map(() => [null, -1, 'not sent'])
  let delivered = 0
  const parts = {}
  const errors = []
  let rc = EXIT.OK
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  try {
    if (kmsgs.some(m => m.partition === null)) {
      // The partition kafkajs's DefaultPartitioner would pick, so the report can name it.
      const admin = kafka.admin()
      await admin.connect()
      const md = await admin.fetchTopicMetadata({ topics: [a.topic] })
      await admin.disconnect()
      const partitionMetadata = md.topics[0].partitions
      const partitioner = Partitioners.DefaultPartitioner()
      for (const m of kmsgs) {
        if (m.partition === null) m.partition = partitioner({ topic: a.topic, partitionMetadata, message: m })
      }
    }
    let i = 0
    while (i < kmsgs.length) {
      if (Date.now() > deadline) {
        err(`timeout after ${a.timeout}s with ${i} of ${kmsgs.length} messages sent`)
        rc = EXIT.TIMEOUT
        break
      }
      const start = i
      let bytes = 0
      while (i < kmsgs.length && i - start < 2000 && (bytes < 512 * 1024 || i === start)) {
        const m = kmsgs[i]
        bytes += (m.key ? m.key.length : 0) + (m.value ? m.value.length : 0) + 32
        i++
      }
      const chunk = kmsgs.slice(start, i)
      let res
      try {
        res = await producer.send({ topic: a.topic, acks, compression: codec, timeout: 30000, messages: chunk })
      } catch (e) {
        const s = `${e.name}: ${e.message}`
        errors.push(s)
        for (let j = start; j < i; j++) report[j] = [kmsgs[j].partition, -1, s]
        continue
      }
      const base = {}
      for (const r of res || []) {
        if (r.topicName === a.topic) base[r.partition] = r
      }
      const pos = {}
      for (let j = start; j < i; j++) {
        const p = kmsgs[j].partition
        const k = pos[p] || 0
        pos[p] = k + 1
        let off = -1
        if (acks !== 0) {
          const r = base[p]
          if (!r) {
            report[j] = [p, -1, 'no partition response']
            errors.push('no partition response')
            continue
          }
          if (r.errorCode) {
            report[j] = [p, -1, `error code ${r.errorCode}`]
            errors.push(`error code ${r.errorCode}`)
            continue
          }
          off = Number(BigInt(r.baseOffset) + BigInt(k))
        }
        report[j] = [p, off, null]
        delivered++
        const ps = parts[p] || (parts[p] = { count: 0, first_offset: null, last_offset: null })
        ps.count++
        if (off >= 0) {
          if (ps.first_offset === null) ps.first_offset = off
          ps.last_offset = off
        }
      }
    }
  } finally {
    await producer.disconnect()
  }
  const elapsed = (Date.now() - t0) / 1000
  if (rc === EXIT.OK && errors.length) rc = EXIT.FAILED
  if (a.report) fs.writeFileSync(a.report, report.map(r => JSON.stringify(r)).join('\n') + (report.length ? '\n' : ''))
  let nbytes = 0
  for (const m of msgs) {
    nbytes += (m.key ? m.key.length : 0) + (m.value ? m.value.length : 0)
    for (const [k, v] of m.headers) nbytes += Buffer.byteLength(k) + (v ? v.length : 0)
  }
  const samples = [...new Set(errors)].slice(0, 10)
  process.stdout.write(JSON.stringify({
    client: 'kafkajs', topic: a.topic, compression: a.compression, acks: a.acks, messages: msgs.length,
    delivered, errors: report.filter(r => r[2] !== null && r[2] !== 'not sent').length,
    undelivered: report.filter(r => r[2] === 'not sent').length, error_samples: samples, partitions: parts,
    elapsed_s: elapsed, msgs_per_s: elapsed > 0 ? Math.round(msgs.length / elapsed * 10) / 10 : null, bytes: nbytes, exit: rc,
  }) + '\n')
  return rc
}

// ---------------------------------------------------------------------------------------------

function privateClusterFactory (kafka) {
  const sym = Object.getOwnPropertySymbols(kafka).find(s => s.description === 'private:Kafka:createCluster')
  return sym ? kafka[sym] : null
}

function headersList (obj) {
  const out = []
  for (const k of Object.keys(obj || {})) {
    const v = obj[k]
    if (Array.isArray(v)) for (const x of v) out.push([k, b64e(x)])
    else out.push([k, b64e(v)])
  }
  return out
}

async function consume (a) {
  codecFor('snappy') // registers the kafkajs-snappy codec for decoding, when installed
  const kafka = newKafka(a)
  const createCluster = privateClusterFactory(kafka)
  let Batch
  try {
    Batch = require(path.join(path.dirname(require.resolve('kafkajs')), 'src', 'consumer', 'batch'))
  } catch (e) {
    Batch = null
  }
  if (!createCluster || !Batch) {
    err('kafkajs consume needs consumer groups (this kafkajs build does not expose its cluster layer)')
    return EXIT.UNSUPPORTED
  }
  const deadline = Date.now() + a.timeout * 1000
  const cluster = createCluster({ metadataMaxAge: 300000, allowAutoTopicCreation: false, isolationLevel: 1 })
  const reported = new Set()
  const report = s => {
    if (!reported.has(s)) {
      reported.add(s)
      err(s)
    }
  }
  let got = 0
  try {
    await cluster.connect()
    let partitions = []
    while (true) {
      try {
        await cluster.addTargetTopic(a.topic)
        await cluster.refreshMetadata()
        partitions = cluster.findTopicPartitionMetadata(a.topic).map(p => p.partitionId).sort((x, y) => x - y)
        if (partitions.length) break
      } catch (e) {
        report(`metadata: ${e.name}: ${e.message}`)
      }
      if (Date.now() > deadline) {
        err(`no metadata for ${a.topic}`)
        return EXIT.TIMEOUT
      }
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    const next = {}
    if (a.fromBeginning) {
      const r = await cluster.fetchTopicsOffset([{ topic: a.topic, fromBeginning: true, partitions: partitions.map(partition => ({ partition })) }])
      for (const p of r[0].partitions) next[p.partition] = String(p.offset)
    } else {
      for (const p of partitions) next[p] = '0'
    }
    while (got < a.count) {
      if (Date.now() > deadline) {
        err(`timeout: ${got} of ${a.count} messages after ${a.timeout}s`)
        return EXIT.TIMEOUT
      }
      const byLeader = cluster.findLeaderForPartitions(a.topic, partitions)
      for (const nodeId of Object.keys(byLeader)) {
        let resp
        try {
          const broker = await cluster.findBroker({ nodeId })
          resp = await broker.fetch({
            maxWaitTime: 100,
            minBytes: 1,
            maxBytes: 10485760,
            isolationLevel: 1,
            topics: [{ topic: a.topic, partitions: byLeader[nodeId].map(p => ({ partition: p, fetchOffset: next[p], maxBytes: 1048576 })) }],
          })
        } catch (e) {
          report(`fetch: ${e.name}: ${e.message}`)
          try {
            await cluster.refreshMetadata()
          } catch (e2) {}
          await new Promise(resolve => setTimeout(resolve, 100))
          continue
        }
        const lines = []
        for (const t of resp.responses) {
          for (const pd of t.partitions) {
            const batch = new Batch(a.topic, next[pd.partition], pd)
            if (batch.isEmptyIncludingFiltered()) {
              if (batch.isEmptyDueToLogCompactedMessages()) {
                const last = [...batch.rawMessages].pop()
                next[pd.partition] = (BigInt(last.offset) + 1n).toString()
              }
              continue
            }
            for (const m of batch.messages) {
              if (got + lines.length >= a.count) break
              lines.push(JSON.stringify({ partition: pd.partition, offset: Number(m.offset), key: b64e(m.key), value: b64e(m.value), headers: headersList(m.headers) }))
            }
            next[pd.partition] = (BigInt(batch.lastOffset()) + 1n).toString()
          }
        }
        if (lines.length) {
          got += lines.length
          process.stdout.write(lines.join('\n') + '\n')
        }
        if (got >= a.count) break
      }
    }
    return EXIT.OK
  } catch (e) {
    err(`consume failed: ${e.name}: ${e.message}`)
    return EXIT.FAILED
  } finally {
    try {
      await cluster.disconnect()
    } catch (e) {}
  }
}

async function main () {
  const a = parseArgs(process.argv.slice(2))
  const guard = setTimeout(() => {
    err(`overall guard: still running ${a.timeout + 30}s after start`)
    process.exit(EXIT.TIMEOUT)
  }, (a.timeout + 30) * 1000)
  let rc
  try {
    rc = a.cmd === 'produce' ? await produce(a) : await consume(a)
  } catch (e) {
    err(`${e.name}: ${e.message}`)
    rc = EXIT.FAILED
  }
  clearTimeout(guard)
  // stdout may be a pipe: exit only after it drained.
  process.stdout.write('', () => process.exit(rc))
}

main()
