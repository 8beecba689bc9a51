# A kafka-python group member in its own process, so a test can close it cleanly or SIGKILL it.
# Usage: kafka_python_member.py '<spec json>'
#   spec: {"bootstrap", "group", "topic", "client_id", "config": {KafkaConsumer keyword arguments}}
# Prints the same JSON events as confluent_member.py ("started", "assigned"/"revoked" with "owned",
# "record", "state", "error", "closed"); kafka-python rebalances eagerly. Commands on stdin: "close"
# (consumer.close(), which sends LeaveGroup) and "state". Offsets are committed synchronously after
# every poll that returned records (at-least-once).
import json
import sys
import threading

from kafka import KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener

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
owned = set()


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        owned.clear()
        emit({'event': 'revoked', 'partitions': sorted(tp.partition for tp in revoked), 'owned': [],
              'protocol': 'EAGER'})

    def on_partitions_assigned(self, assigned):
        owned.clear()
        owned.update(tp.partition for tp in assigned)
        emit({'event': 'assigned', 'partitions': sorted(owned), 'owned': sorted(owned), 'protocol': 'EAGER'})


def text(value):
    return None if value is None else value.decode('utf-8')


options = {
    'bootstrap_servers': spec['bootstrap'],
    'group_id': spec['group'],
    'client_id': spec['client_id'],
    'session_timeout_ms': 6000,
    'heartbeat_interval_ms': 500,
    'max_poll_interval_ms': 20000,
    'auto_offset_reset': 'earliest',
    'enable_auto_commit': False,
    'metadata_max_age_ms': 2000,
}
options.update(spec.get('config', {}))
consumer = KafkaConsumer(**options)
consumer.subscribe(topics=[spec['topic']], listener=Listener())
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
        generation = consumer._coordinator._generation  # the client's own view of its membership
        emit({'event': 'state', 'generation': generation.generation_id, 'member_id': generation.member_id,
              'owned': sorted(owned)})
    batches = consumer.poll(timeout_ms=100)
    for tp, messages in batches.items():
        for message in messages:
            emit({
                'event': 'record',
                'partition': message.partition,
                'offset': message.offset,
                'key': text(message.key),
                'value': text(message.value),
                'headers': [[k, text(v)] for k, v in (message.headers or [])],
                'timestamp': message.timestamp,
            })
    if batches:
        try:
            consumer.commit()
        except Exception as error:  # a commit refused during a rebalance is retried by the next poll
            emit({'event': 'error', 'message': 'commit: %r' % (error,)})
