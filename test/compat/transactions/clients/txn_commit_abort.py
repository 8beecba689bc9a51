# A confluent-kafka transactional producer writes four transactions of 3 records to each of 2
# partitions: t1 committed, t2 aborted, t3 committed, t4 left open. Prints {"event": "open"} when t4
# is open, waits until the file named by argv[3] exists (the test has read the topic), commits t4,
# and prints {"event": "done"}.
# Usage: txn_commit_abort.py BOOTSTRAP TOPIC GO_FILE
import json
import os
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, go_file = sys.argv[1], sys.argv[2], sys.argv[3]
producer = Producer({
    'bootstrap.servers': bootstrap,
    'transactional.id': 'confluent-txn',
    'transaction.timeout.ms': 60000,
    'linger.ms': 5,
})
producer.init_transactions(30)


def transaction(number):
    producer.begin_transaction()
    for partition in range(2):
        for index in range(3):
            producer.produce(topic, key='k%d' % index, value='t%d-p%d-%d' % (number, partition, index),
                             partition=partition)
    producer.flush(30)


transaction(1)
producer.commit_transaction(30)
transaction(2)
producer.abort_transaction(30)
transaction(3)
producer.commit_transaction(30)
transaction(4)
print(json.dumps({'event': 'open'}))
deadline = time.time() + 60
while not os.path.exists(go_file):
    if time.time() > deadline:
        raise SystemExit('the test never said go')
    time.sleep(0.05)
producer.commit_transaction(30)
print(json.dumps({'event': 'done'}))
