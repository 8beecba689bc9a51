# Reads every partition of a topic from offset 0 with confluent-kafka (librdkafka) at the given
# isolation level, until each partition reports end of partition (librdkafka: the last stable offset
# for read_committed, the high watermark for read_uncommitted), and prints the records as one JSON
# line: {"records": [[partition, offset, key, value], ...]}.
# Usage: read_topic.py BOOTSTRAP TOPIC PARTITIONS ISOLATION [TIMEOUT_S]
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, TopicPartition

bootstrap, topic, partitions, isolation = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
timeout_s = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0

consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': 'reader-' + uuid.uuid4().hex,
    'isolation.level': isolation,
    'enable.auto.commit': False,
    'enable.partition.eof': True,
})
consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
records = []
at_end = set()
deadline = time.time() + timeout_s
while len(at_end) < partitions:
    if time.time() > deadline:
        raise SystemExit('timed out: %d records, partitions at end %s' % (len(records), sorted(at_end)))
    message = consumer.poll(0.2)
    if message is None:
        continue
    if message.error():
        if message.error().code() == KafkaError._PARTITION_EOF:
            at_end.add(message.partition())
            continue
        raise SystemExit('consume error: %s' % message.error())
    at_end.discard(message.partition())
    key = message.key().decode() if message.key() is not None else None
    records.append([message.partition(), message.offset(), key, message.value().decode()])
consumer.close()
print(json.dumps({'records': records}))
