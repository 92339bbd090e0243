#!/usr/bin/env node
// Usage: node describe_cluster.js HOST:PORT[,HOST:PORT...] [timeout_ms]
//
// Connects a kafkajs admin client to the given bootstrap servers, runs describeCluster()
// and prints its result as one line of JSON on stdout:
//   {"brokers":[{"nodeId":1,"host":"127.0.0.1","port":9092},...],"controller":null,"clusterId":"..."}
// Exit status: 0 on success, 1 on a client error (message on stderr), 2 on the overall timeout.
'use strict'

const { Kafka, logLevel } = require('kafkajs')

const bootstrap = process.argv[2]
const timeoutMs = parseInt(process.argv[3] || '30000', 10)
if (!bootstrap) {
  process.stderr.write('usage: describe_cluster.js HOST:PORT[,HOST:PORT...] [timeout_ms]\n')
  process.exit(64)
}

// Hard upper bound on the whole run, whatever the client's retry logic does.
const guard = setTimeout(() => {
  process.stderr.write(`describe_cluster: no answer within ${timeoutMs} ms\n`)
  process.exit(2)
}, timeoutMs)

async function main () {
  const kafka = new Kafka({
    clientId: 'kbroker-it-kafkajs',
    brokers: bootstrap.split(','),
    logLevel: logLevel.ERROR,
    connectionTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 }
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const result = await admin.describeCluster()
    process.stdout.write(JSON.stringify(result) + '\n')
  } finally {
    await admin.disconnect()
  }
}

main().then(
  () => { clearTimeout(guard); process.exit(0) },
  (err) => {
    clearTimeout(guard)
    process.stderr.write(`describe_cluster: ${err && err.stack ? err.stack : err}\n`)
    process.exit(1)
  }
)
