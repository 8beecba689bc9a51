# kafka-python driver for the data-path tests; same commands, specs and output as
# confluent_driver.py (see there). Usage: kafka_python_driver.py <command> <bootstrap> <spec.json>
# The consumer has no group (group_id=None): it assigns every partition and seeks.
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError


def text(value):
    return None if value is None else value.decode('utf-8')


def create_topics(bootstrap, spec):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    results = {}
    for topic in spec['topics']:
        new_topic = NewTopic(topic['name'], topic['partitions'], topic.get('replication', 1),
                             topic_configs=topic.get('configs', {}))
        try:
            admin.create_topics([new_topic], timeout_ms=10000)
            results[topic['name']] = {'code': 0, 'name': 'NoError'}
        except KafkaError as error:
            results[topic['name']] = {'code': getattr(error, 'errno', -1), 'name': type(error).__name__}
    admin.close()
    return results


def produce(bootstrap, spec):
    compression = spec.get('compression', 'none')
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        compression_type=None if compression == 'none' else compression,
        acks=spec.get('acks', 'all'),
        linger_ms=5,
        request_timeout_ms=30000,
    )
    futures = []
    for record in spec['records']:
        futures.append(producer.send(
            spec['topic'],
            value=None if record['value'] is None else record['value'].encode('utf-8'),
            key=None if record['key'] is None else record['key'].encode('utf-8'),
            partition=record['partition'],
            timestamp_ms=record['timestamp'],
            headers=[(k, None if v is None else v.encode('utf-8')) for k, v in record['headers']],
        ))
    producer.flush(60)
    delivered = []
    errors = []
    for index, future in enumerate(futures):
        try:
            metadata = future.get(timeout=30)
            delivered.append([metadata.partition, metadata.offset])
        except KafkaError as error:
            delivered.append(None)
            errors.append({'index': index, 'code': getattr(error, 'errno', -1), 'error': repr(error)})
    producer.close(10)
    return {'delivered': delivered, 'errors': errors, 'undelivered': 0}


def consume(bootstrap, spec):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
        auto_offset_reset='none',
    )
    wanted = spec['topics']
    partitions = [TopicPartition(name, p) for name, topic in wanted.items() for p in range(topic['partitions'])]
    consumer.assign(partitions)
    if spec.get('start', 'zero') == 'zero':
        for partition in partitions:
            consumer.seek(partition, 0)
    else:
        consumer.seek_to_beginning(*partitions)
    results = {name: [] for name in wanted}
    total = sum(topic['count'] for topic in wanted.values())
    seen = 0
    deadline = time.monotonic() + spec.get('timeout_s', 60)
    while seen < total and time.monotonic() < deadline:
        for partition_records in consumer.poll(timeout_ms=500, max_records=2000).values():
            for message in partition_records:
                results[message.topic].append({
                    'partition': message.partition,
                    'offset': message.offset,
                    'key': text(message.key),
                    'value': text(message.value),
                    'headers': [[k, text(v)] for k, v in (message.headers or [])],
                    'timestamp': message.timestamp,
                })
                seen += 1
    consumer.close()
    return results


def main():
    command, bootstrap, spec_path = sys.argv[1:4]
    with open(spec_path, encoding='utf-8') as spec_file:
        spec = json.load(spec_file)
    handler = {'create-topics': create_topics, 'produce': produce, 'consume': consume}[command]
    print(json.dumps(handler(bootstrap, spec)))


main()
