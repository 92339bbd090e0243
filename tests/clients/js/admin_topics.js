#!/usr/bin/env node
// Usage: node admin_topics.js HOST:PORT[,...] TOPIC [timeout_ms]
//
// Drives kafkajs's admin client through a topic's life against the brokers and prints one
// JSON line per step on stdout: create (3 partitions, replication factor 2, a config),
// metadata, describeConfigs, alterConfigs, describeConfigs again, createPartitions (to 5),
// metadata, deleteTopics, listTopics. The caller checks the results (and ZooKeeper).
// Exit status: 0 when every step returned, 1 on a client error, 2 on the overall timeout.
'use strict'

const { Kafka, logLevel, ConfigResourceTypes } = require('kafkajs')

const [bootstrap, topic] = process.argv.slice(2, 4)
const timeoutMs = parseInt(process.argv[4] || '60000', 10)
if (!bootstrap || !topic) {
  process.stderr.write('usage: admin_topics.js HOST:PORT[,...] TOPIC [timeout_ms]\n')
  process.exit(64)
}
const guard = setTimeout(() => {
  process.stderr.write(`admin_topics: no answer within ${timeoutMs} ms\n`)
  process.exit(2)
}, timeoutMs)

function out (step, value) {
  process.stdout.write(JSON.stringify({ step, value }) + '\n')
}

function configValue (described, name) {
  const entries = described.resources[0].configEntries
  const e = entries.find(c => c.configName === name)
  return e ? e.configValue : null
}

async function main () {
  const kafka = new Kafka({
    clientId: 'kbroker-it-kafkajs',
    brokers: bootstrap.split(','),
    logLevel: logLevel.ERROR,
    connectionTimeout: 5000,
    retry: { retries: 5 }
  })
  const admin = kafka.admin()
  await admin.connect()
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    waitForLeaders: true
  })
  out('create', created)
  const md = await admin.fetchTopicMetadata({ topics: [topic] })
  out('metadata', md.topics[0].partitions.map(p => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })))
  const resource = { type: ConfigResourceTypes.TOPIC, name: topic }
  out('retention.ms', configValue(await admin.describeConfigs({ resources: [resource], includeSynonyms: false }), 'retention.ms'))
  await admin.alterConfigs({ validateOnly: false, resources: [{ ...resource, configEntries: [{ name: 'retention.ms', value: '7200000' }, { name: 'cleanup.policy', value: 'compact' }] }] })
  const after = await admin.describeConfigs({ resources: [resource], includeSynonyms: false })
  out('altered', { 'retention.ms': configValue(after, 'retention.ms'), 'cleanup.policy': configValue(after, 'cleanup.policy') })
  await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] })
  const md2 = await admin.fetchTopicMetadata({ topics: [topic] })
  out('partitions', md2.topics[0].partitions.length)
  await admin.deleteTopics({ topics: [topic], timeout: 10000 })
  out('deleted', (await admin.listTopics()).includes(topic) === false)
  await admin.disconnect()
}

main().then(() => {
  clearTimeout(guard)
  process.exit(0)
}, err => {
  process.stderr.write(`admin_topics: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
