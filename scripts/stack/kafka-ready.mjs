// Waits until a freshly started broker really serves clients: the producer-id manager answers
// InitProducerId (idempotent and transactional producers), the transaction coordinator is loaded,
// and every partition of __consumer_offsets has a loaded group coordinator. Right after
// "Kafka Server started" these still answer COORDINATOR_LOAD_IN_PROGRESS / NOT_AVAILABLE for a
// moment (and on a new broker the internal topics do not exist yet), which clients log as errors.
// Usage: node kafka-ready.mjs HOST:PORT   (uses the project's kafkajs)
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** Repeats a step until it succeeds (kafkajs does not retry every coordinator error itself). */
let retries = 0;
async function until(what, step, deadline) {
  for (;;) {
    try {
      return await step();
    } catch (error) {
      retries++;
      if (Date.now() > deadline) throw new Error(`${what}: ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

async function main(broker) {
  const deadline = Date.now() + 90_000;
  const kafka = new Kafka({ clientId: 'stream-smarts-stack-ready', brokers: [broker], logLevel: logLevel.NOTHING });
  const topic = 'stream-smarts-stack-ready';
  const admin = kafka.admin();
  await until('connect', () => admin.connect(), deadline);
  try {
    await until('create topic', () => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }), deadline);
    await until('transactional produce', async () => {
      const producer = kafka.producer({ idempotent: true, transactionalId: 'stream-smarts-stack-ready', maxInFlightRequests: 1 });
      await producer.connect();
      try {
        const transaction = await producer.transaction();
        await transaction.send({ topic, messages: [{ value: 'ready' }] });
        await transaction.commit();
      } finally {
        await producer.disconnect();
      }
    }, deadline);
    // Group ids spread over the offsets topic's partitions: each lookup waits for its coordinator.
    for (let i = 0; i < 16; i++) {
      await until('group coordinator', () => admin.fetchOffsets({ groupId: `stream-smarts-stack-ready-${i}`, topics: [topic] }), deadline);
    }
    await until('delete topic', () => admin.deleteTopics({ topics: [topic] }), deadline);
  } finally {
    await admin.disconnect();
  }
}

main(process.argv[2]).then(() => console.log(`kafka readiness: coordinators ready (${retries} retries)`)).catch((error) => {
  console.error(`kafka readiness: ${error.message}`);
  process.exit(1);
});
