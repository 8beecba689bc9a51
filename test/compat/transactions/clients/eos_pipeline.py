# An exactly-once consume-transform-produce pipeline with confluent-kafka (librdkafka). It reads the
# input topic from the group's committed offsets (read_committed) and, per transaction, writes each
# record to the same partition of the output topic (key kept, value "out|" + input value) and commits
# the consumed offsets with send_offsets_to_transaction. On any error it aborts if it can, then
# re-creates producer and consumer (the new producer's init_transactions fences the old one and
# aborts its open transaction) and resumes from the committed offsets. It ends when the committed
# offsets reach the input's end offsets (the input is complete before it starts).
# The consumer is assigned every partition (no subscription), so a restart needs no rebalance.
# Prints JSON events: {"event": "committed", "records": N} after each commit (N: records the
# committed offsets cover in total), {"event": "error", ...} per recovery, and at the end
# {"event": "done", "transactions": T, "recoveries": R}.
# Usage: eos_pipeline.py BOOTSTRAP INPUT OUTPUT PARTITIONS GROUP [BATCH] [DEADLINE_S]
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

bootstrap, input_topic, output_topic = sys.argv[1], sys.argv[2], sys.argv[3]
partitions, group = int(sys.argv[4]), sys.argv[5]
batch_size = int(sys.argv[6]) if len(sys.argv) > 6 else 500
deadline = time.time() + (float(sys.argv[7]) if len(sys.argv) > 7 else 120)
call_timeout_s = 15


def event(**fields):
    print(json.dumps(fields), flush=True)


def make_clients():
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': 'eos-pipeline',
        'transaction.timeout.ms': 30000,
        'message.timeout.ms': 30000,
        'linger.ms': 5,
        'reconnect.backoff.max.ms': 500,
    })
    producer.init_transactions(call_timeout_s)
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'isolation.level': 'read_committed',
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'reconnect.backoff.max.ms': 500,
    })
    committed = consumer.committed([TopicPartition(input_topic, p) for p in range(partitions)],
                                   timeout=call_timeout_s)
    for tp in committed:
        if tp.error:
            raise KafkaException(tp.error)
        if tp.offset < 0:
            tp.offset = 0
    consumer.assign(committed)
    return producer, consumer, {tp.partition: tp.offset for tp in committed}


def end_offsets(consumer):
    return {p: consumer.get_watermark_offsets(TopicPartition(input_topic, p), timeout=call_timeout_s)[1]
            for p in range(partitions)}


transactions = 0
recoveries = 0
producer = consumer = None
positions = None
ends = None
while True:
    if time.time() > deadline:
        raise SystemExit('deadline passed: positions %s, ends %s' % (positions, ends))
    try:
        if producer is None:
            producer, consumer, positions = make_clients()
            ends = end_offsets(consumer)
        if all(positions[p] >= ends[p] for p in range(partitions)):
            break
        messages = consumer.consume(num_messages=batch_size, timeout=1)
        records = []
        for message in messages:
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(message.error())
            records.append(message)
        if not records:
            continue
        producer.begin_transaction()
        next_positions = dict(positions)
        for message in records:
            producer.produce(output_topic, key=message.key(), value=b'out|' + message.value(),
                             partition=message.partition())
            next_positions[message.partition()] = message.offset() + 1
        offsets = [TopicPartition(input_topic, p, o) for p, o in next_positions.items()]
        producer.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata(), call_timeout_s)
        producer.commit_transaction(call_timeout_s)
        positions = next_positions
        transactions += 1
        event(event='committed', records=sum(positions.values()))
    except KafkaException as exception:
        error = exception.args[0]
        recoveries += 1
        event(event='error', name=error.name(), fatal=error.fatal(),
              abortable=error.txn_requires_abort(), retriable=error.retriable(), message=error.str())
        if producer is not None and not error.fatal():
            try:
                producer.abort_transaction(call_timeout_s)
            except KafkaException:
                pass  # the new producer's init_transactions fences this one and aborts for it
        for client in (consumer,):
            if client is not None:
                client.close()
        producer = consumer = None
        time.sleep(0.2)
consumer.close()
event(event='done', transactions=transactions, recoveries=recoveries)
