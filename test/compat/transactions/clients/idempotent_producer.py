# An idempotent confluent-kafka (librdkafka) producer (enable.idempotence=true, acks=all) writes
# COUNT records, value "m-<i>", record i to partition i % PARTITIONS, in chunks of 200 with a 20 ms
# pause between chunks, so the run spans a broker restart with requests in flight. Prints
# {"event": "acked", "count": N, "produced": P} after each chunk (N: delivery reports so far), and at the end
# {"event": "done", "acked": [[partition, offset, i], ...], "failed": [[i, error name], ...]}.
# Usage: idempotent_producer.py BOOTSTRAP TOPIC PARTITIONS COUNT
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, partitions, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
producer = Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': True,
    'acks': 'all',
    'message.timeout.ms': 60000,
    'linger.ms': 5,
    'reconnect.backoff.max.ms': 500,
})
acked = []
failed = []


def delivered(error, message):
    index = int(message.value().decode()[2:])
    if error is not None:
        failed.append([index, error.name()])
    else:
        acked.append([message.partition(), message.offset(), index])


chunk = 200
for start in range(0, count, chunk):
    for index in range(start, min(start + chunk, count)):
        while True:
            try:
                producer.produce(topic, value='m-%d' % index, partition=index % partitions,
                                 on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.1)
    producer.poll(0)
    print(json.dumps({'event': 'acked', 'count': len(acked) + len(failed),
                      'produced': min(start + chunk, count)}), flush=True)
    time.sleep(0.02)
remaining = producer.flush(90)
print(json.dumps({'event': 'done', 'acked': acked, 'failed': failed, 'unflushed': remaining}), flush=True)
