# confluent-kafka (librdkafka) driver for the data-path tests. Usage:
#   confluent_driver.py <command> <bootstrap> <spec.json>
# Commands (each prints one JSON document as its last line):
#   create-topics  spec: {"topics": [{"name", "partitions", "replication", "configs"}]}
#                  -> {"<name>": {"code": int, "name": str}}  (code 0 on success)
#   produce        spec: {"topic", "compression", "records": [{"partition", "key", "value",
#                  "headers": [[k, v]], "timestamp"}], "acks"}
#                  -> {"delivered": [[partition, offset], ...] in record order, "errors": [...]}
#   consume        spec: {"topics": {"<name>": {"partitions": n, "count": expected}},
#                  "start": "zero" | "beginning", "timeout_s": s}
#                  -> {"<name>": [record, ...] in delivery order}
# Text is UTF-8; a record is {"partition", "offset", "key", "value", "headers", "timestamp"}.
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic


def text(value):
    return None if value is None else value.decode('utf-8')


def create_topics(bootstrap, spec):
    admin = AdminClient({'bootstrap.servers': bootstrap, 'socket.timeout.ms': 10000})
    new_topics = [
        NewTopic(t['name'], num_partitions=t['partitions'], replication_factor=t.get('replication', 1),
                 config=t.get('configs', {}))
        for t in spec['topics']
    ]
    results = {}
    for name, future in admin.create_topics(new_topics, operation_timeout=10, request_timeout=15).items():
        try:
            future.result(timeout=20)
            results[name] = {'code': 0, 'name': 'NO_ERROR'}
        except KafkaException as error:
            kafka_error = error.args[0]
            results[name] = {'code': kafka_error.code(), 'name': kafka_error.name()}
    return results


def produce(bootstrap, spec):
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'compression.type': spec.get('compression', 'none'),
        'acks': spec.get('acks', 'all'),
        'linger.ms': 5,
        'enable.idempotence': False,
        'message.timeout.ms': 30000,
    })
    records = spec['records']
    delivered = [None] * len(records)
    errors = []

    def report(index):
        def on_delivery(error, message):
            if error is not None:
                errors.append({'index': index, 'code': error.code(), 'error': str(error)})
            else:
                delivered[index] = [message.partition(), message.offset()]
        return on_delivery

    for index, record in enumerate(records):
        while True:
            try:
                producer.produce(
                    spec['topic'],
                    value=None if record['value'] is None else record['value'].encode('utf-8'),
                    key=None if record['key'] is None else record['key'].encode('utf-8'),
                    partition=record['partition'],
                    timestamp=record['timestamp'],
                    headers=[(k, None if v is None else v.encode('utf-8')) for k, v in record['headers']],
                    on_delivery=report(index),
                )
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(60)
    return {'delivered': delivered, 'errors': errors, 'undelivered': remaining}


def consume(bootstrap, spec):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': 'streamline-data-path',
        'enable.auto.commit': False,
        'enable.auto.offset.store': False,
        'auto.offset.reset': 'error',
        'fetch.wait.max.ms': 100,
    })
    start = 0 if spec.get('start', 'zero') == 'zero' else OFFSET_BEGINNING
    wanted = spec['topics']
    consumer.assign([
        TopicPartition(name, partition, start)
        for name, topic in wanted.items()
        for partition in range(topic['partitions'])
    ])
    results = {name: [] for name in wanted}
    total = sum(topic['count'] for topic in wanted.values())
    seen = 0
    deadline = time.monotonic() + spec.get('timeout_s', 60)
    errors = []
    while seen < total and time.monotonic() < deadline:
        for message in consumer.consume(num_messages=1000, timeout=0.5):
            if message.error() is not None:
                errors.append(str(message.error()))
                continue
            results[message.topic()].append({
                'partition': message.partition(),
                'offset': message.offset(),
                'key': text(message.key()),
                'value': text(message.value()),
                'headers': [[k, text(v)] for k, v in (message.headers() or [])],
                'timestamp': message.timestamp()[1],
            })
            seen += 1
    consumer.close()
    if errors:
        results['__errors__'] = errors[:20]
    return results


def main():
    command, bootstrap, spec_path = sys.argv[1:4]
    with open(spec_path, encoding='utf-8') as spec_file:
        spec = json.load(spec_file)
    handler = {'create-topics': create_topics, 'produce': produce, 'consume': consume}[command]
    print(json.dumps(handler(bootstrap, spec)))


main()
