# A confluent-kafka (librdkafka) group member in its own process, so a test can close it cleanly or
# SIGKILL it. Usage: confluent_member.py '<spec json>'
#   spec: {"bootstrap", "group", "topic", "client_id", "config": {librdkafka settings}}
# Prints one JSON event per line on stdout:
#   {"event": "started"}
#   {"event": "assigned"|"revoked", "partitions": [changed], "owned": [after the change],
#    "protocol": "EAGER"|"COOPERATIVE"}
#   {"event": "record", "partition", "offset", "key", "value", "headers", "timestamp"}
#   {"event": "state", "generation": int|null, "member_id": str|null, "owned": [...]}  (after "state")
#   {"event": "error", "message"}     {"event": "closed"}
# Reads commands, one per line, on stdin: "close" (consumer.close(), which leaves the group, then exit)
# and "state". Offsets are committed synchronously after every record handed out (at-least-once).
import json
import struct
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException

spec = json.loads(sys.argv[1])
commands = []
lock = threading.Lock()


def emit(event):
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


def read_commands():
    for line in sys.stdin:
        with lock:
            commands.append(line.strip())


threading.Thread(target=read_commands, daemon=True).start()

config = {
    'bootstrap.servers': spec['bootstrap'],
    'group.id': spec['group'],
    'client.id': spec['client_id'],
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
    'max.poll.interval.ms': 20000,
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': False,
    'topic.metadata.refresh.interval.ms': 2000,
}
config.update(spec.get('config', {}))
owned = set()


def rebalance_protocol(consumer):
    strategy = config.get('partition.assignment.strategy', 'range,roundrobin')
    return 'COOPERATIVE' if strategy == 'cooperative-sticky' else 'EAGER'


def on_assign(consumer, partitions):
    changed = sorted(p.partition for p in partitions)
    protocol = rebalance_protocol(consumer)
    if protocol == 'EAGER':
        owned.clear()
    owned.update(changed)
    emit({'event': 'assigned', 'partitions': changed, 'owned': sorted(owned), 'protocol': protocol})


def on_revoke(consumer, partitions):
    changed = sorted(p.partition for p in partitions)
    protocol = rebalance_protocol(consumer)
    if protocol == 'EAGER':
        owned.clear()
    else:
        owned.difference_update(changed)
    emit({'event': 'revoked', 'partitions': changed, 'owned': sorted(owned), 'protocol': protocol})


def group_state(consumer):
    # librdkafka's serialized consumer group metadata (rd_kafka_consumer_group_metadata_write):
    # "CGMDv2:", the generation id as a native int32, then NUL-terminated group id and member id.
    try:
        data = consumer.consumer_group_metadata()
        if not isinstance(data, (bytes, bytearray)) or not data.startswith(b'CGMDv2:'):
            emit({'event': 'error', 'message': 'consumer_group_metadata: unexpected %r' % (data,)})
            return None, None
        (generation,) = struct.unpack_from('=i', data, 7)
        fields = bytes(data[11:]).split(b'\0')
        return generation, fields[1].decode('utf-8')
    except Exception as error:  # report it; the test decides
        emit({'event': 'error', 'message': 'consumer_group_metadata: %s' % error})
        return None, None


def text(value):
    return None if value is None else value.decode('utf-8')


consumer = Consumer(config)
consumer.subscribe([spec['topic']], on_assign=on_assign, on_revoke=on_revoke)
emit({'event': 'started'})
while True:
    with lock:
        pending = list(commands)
        commands.clear()
    if 'close' in pending:
        consumer.close()
        emit({'event': 'closed'})
        sys.exit(0)
    if 'state' in pending:
        generation, member_id = group_state(consumer)
        emit({'event': 'state', 'generation': generation, 'member_id': member_id, 'owned': sorted(owned)})
    message = consumer.poll(0.1)
    if message is None:
        continue
    if message.error() is not None:
        emit({'event': 'error', 'message': str(message.error())})
        continue
    timestamp_type, timestamp = message.timestamp()
    emit({
        'event': 'record',
        'partition': message.partition(),
        'offset': message.offset(),
        'key': text(message.key()),
        'value': text(message.value()),
        'headers': [[k, text(v)] for k, v in (message.headers() or [])],
        'timestamp': timestamp,
    })
    try:
        consumer.commit(message=message, asynchronous=False)
    except KafkaException as error:
        emit({'event': 'error', 'message': 'commit: %s' % error})
