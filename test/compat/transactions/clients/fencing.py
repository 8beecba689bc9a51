# Fencing with confluent-kafka: producer A opens a transaction on partition 0 of the topic (one record
# "a-open"); producer B with the same transactional.id calls init_transactions, which fences A and
# aborts A's open transaction; B writes "b-committed" and commits. Then A tries, in turn, to commit,
# and (a fresh A' fenced the same way) to produce into a new transaction; each error is reported with
# its librdkafka name, code, and whether it is fatal.
# Usage: fencing.py BOOTSTRAP TOPIC
import json
import sys

from confluent_kafka import KafkaException, Producer

bootstrap, topic = sys.argv[1], sys.argv[2]


def producer():
    created = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'fenced-id',
                        'transaction.timeout.ms': 60000})
    created.init_transactions(30)
    return created


def error_of(call):
    try:
        call()
    except KafkaException as exception:
        error = exception.args[0]
        return {'name': error.name(), 'code': error.code(), 'fatal': error.fatal()}
    return None


result = {}
first = producer()
first.begin_transaction()
first.produce(topic, value='a-open', partition=0)
first.flush(30)
second = producer()
second.begin_transaction()
second.produce(topic, value='b-committed', partition=0)
second.commit_transaction(30)
result['commit'] = error_of(lambda: first.commit_transaction(10))

# A producer fenced while idle: its next transaction fails when it sends.
third = producer()
fourth = producer()


def produce_in_new_transaction():
    third.begin_transaction()
    third.produce(topic, value='c-fenced', partition=1)
    third.flush(10)
    third.commit_transaction(10)


result['produce'] = error_of(produce_in_new_transaction)
print(json.dumps(result))
