#!/usr/bin/env node
// A kafkajs 2.2.4 consumer-group member for tests/integration/test_groups.py, with the same
// output lines as tests/clients/group_consume.py:
//
//   node group_consume.js --bootstrap B --topic T --group G [--name CLIENT_ID]
//        [--session-ms 6000] [--heartbeat-ms 500] [--max-s 120]
//
// Subscribes from the beginning with autoCommit off; each record is "processed" (its rec line
// written with fs.writeSync, unbuffered) and then committed (commitOffsets, offset + 1).
// Lines: info start PID | assigned P,.. (kafkajs's GROUP_JOIN event: the whole assignment of
// this generation) | rec P OFFSET | committed P NEXT | commit-failed P NEXT ERROR |
// summary records=N. Runs until SIGTERM (then disconnect(): the member leaves) or --max-s.
'use strict'

const fs = require('fs')
const { Kafka, logLevel } = require('kafkajs')

function out (line) {
  fs.writeSync(1, line + '\n')
}

function parseArgs (argv) {
  const a = { name: 'kb-group-member-js', sessionMs: 6000, heartbeatMs: 500, maxS: 120 }
  const names = {
    '--bootstrap': 'bootstrap', '--topic': 'topic', '--group': 'group', '--name': 'name',
    '--session-ms': 'sessionMs', '--heartbeat-ms': 'heartbeatMs', '--max-s': 'maxS',
  }
  for (let i = 0; i < argv.length; i += 2) {
    const k = names[argv[i]]
    if (!k || i + 1 >= argv.length) {
      process.stderr.write(`group_consume.js: bad argument ${argv[i]}\n`)
      process.exit(64)
    }
    a[k] = ['sessionMs', 'heartbeatMs', 'maxS'].includes(k) ? Number(argv[i + 1]) : argv[i + 1]
  }
  if (!a.bootstrap || !a.topic || !a.group) {
    process.stderr.write('usage: group_consume.js --bootstrap B --topic T --group G\n')
    process.exit(64)
  }
  return a
}

async function main () {
  const a = parseArgs(process.argv.slice(2))
  out(`info start ${process.pid}`)
  const kafka = new Kafka({
    clientId: a.name, brokers: a.bootstrap.split(','), logLevel: logLevel.WARN,
  })
  const consumer = kafka.consumer({
    groupId: a.group, sessionTimeout: a.sessionMs, heartbeatInterval: a.heartbeatMs,
    rebalanceTimeout: 20000, metadataMaxAge: 2000,
  })
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const parts = (e.payload.memberAssignment[a.topic] || []).slice().sort((x, y) => x - y)
    out(`assigned ${parts.join(',') || '-'}`)
  })
  let n = 0
  let stopping = false
  const stop = async (code) => {
    if (stopping) return
    stopping = true
    try {
      await consumer.disconnect()
    } finally {
      out(`summary records=${n}`)
      process.exit(code)
    }
  }
  process.on('SIGTERM', () => { stop(0) })
  setTimeout(() => { stop(0) }, a.maxS * 1000)
  await consumer.connect()
  await consumer.subscribe({ topic: a.topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      out(`rec ${partition} ${message.offset}`)
      n += 1
      const next = (BigInt(message.offset) + 1n).toString()
      try {
        await consumer.commitOffsets([{ topic: a.topic, partition, offset: next }])
        out(`committed ${partition} ${next}`)
      } catch (e) {
        out(`commit-failed ${partition} ${next} ${e.type || e.name}`)
      }
    },
  })
}

main().catch((e) => {
  out(`info fatal ${e && e.message}`)
  process.exit(1)
})
