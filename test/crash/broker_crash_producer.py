# The librdkafka side of broker-sigkill-acks-all.test.ts (confluent-kafka on Debian's python3).
# Usage:
#   broker_crash_producer.py produce <bootstrap> <topic> <partitions> <duration_s> <acks.jsonl> [<stop file>]
#     Produces numbered values "<partition>:<seq>" round-robin over the partitions with acks=all
#     for duration_s seconds at most, or until <stop file> exists, appending one JSON line [partition, offset, value] to acks.jsonl for
#     every successful delivery report (flushed at once, so a line means "acknowledged"), then
#     flushes (bounded) and prints {"produced", "acknowledged", "failed", "errors"}.
#     About 5,000 records a second. max.in.flight 1 keeps acknowledged records in send order per partition even across retries.
#   broker_crash_producer.py read <bootstrap> <topic> <partitions>
#     Reads every partition from offset 0 to its end (partition EOF) and prints
#     {"<partition>": [[offset, value], ...]}.
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def produce(bootstrap, topic, partitions, duration_s, acks_path, stop_path=None):
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'acks': 'all',
        'enable.idempotence': False,
        'max.in.flight.requests.per.connection': 1,
        'linger.ms': 2,
        'message.timeout.ms': 8000,
        'retry.backoff.ms': 100,
        'reconnect.backoff.ms': 50,
        'reconnect.backoff.max.ms': 500,
        'socket.timeout.ms': 5000,
    })
    counts = {'produced': 0, 'acknowledged': 0, 'failed': 0}
    errors = {}
    with open(acks_path, 'a', encoding='utf-8') as acks:
        def on_delivery(error, message):
            if error is not None:
                counts['failed'] += 1
                errors[error.name()] = errors.get(error.name(), 0) + 1
                return
            counts['acknowledged'] += 1
            acks.write(json.dumps([message.partition(), message.offset(), message.value().decode('utf-8')]) + '\n')
            acks.flush()

        sequence = [0] * partitions
        deadline = time.monotonic() + duration_s
        partition = 0
        while time.monotonic() < deadline:
            if len(producer) >= 2000:
                producer.poll(0.02)
                continue
            if counts['produced'] % 50 == 0:
                producer.poll(0.01)  # about 5,000 records a second: enough batches, a log small enough to check
                if stop_path is not None and os.path.exists(stop_path):
                    break
            value = '%d:%d' % (partition, sequence[partition])
            try:
                producer.produce(topic, value=value.encode('utf-8'), partition=partition, on_delivery=on_delivery)
            except BufferError:
                producer.poll(0.05)
                continue
            sequence[partition] += 1
            counts['produced'] += 1
            partition = (partition + 1) % partitions
            producer.poll(0)
        producer.flush(20)
    counts['errors'] = errors
    print(json.dumps(counts))


def read(bootstrap, topic, partitions):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': 'streamline-crash-check',
        'enable.auto.commit': False,
        'enable.partition.eof': True,
        'auto.offset.reset': 'error',
    })
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    result = {str(p): [] for p in range(partitions)}
    at_end = set()
    deadline = time.monotonic() + 60
    while len(at_end) < partitions and time.monotonic() < deadline:
        for message in consumer.consume(num_messages=5000, timeout=0.5):
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    at_end.add(message.partition())
                    continue
                raise RuntimeError(str(error))
            result[str(message.partition())].append([message.offset(), message.value().decode('utf-8')])
    consumer.close()
    if len(at_end) < partitions:
        raise RuntimeError('partitions %s did not reach their end within 60 s' % sorted(set(range(partitions)) - at_end))
    print(json.dumps(result))


def main():
    command = sys.argv[1]
    if command == 'produce':
        bootstrap, topic, partitions, duration_s, acks_path = sys.argv[2:7]
        stop_path = sys.argv[7] if len(sys.argv) > 7 else None
        produce(bootstrap, topic, int(partitions), float(duration_s), acks_path, stop_path)
    else:
        bootstrap, topic, partitions = sys.argv[2:5]
        read(bootstrap, topic, int(partitions))


main()
