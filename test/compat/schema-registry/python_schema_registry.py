# Drives Debian's confluent_kafka.schema_registry (python3-confluent-kafka) against Streamline's
# registry and broker: JSON Schema and Protobuf serializers produce through the broker, the matching
# deserializers consume the values back. Prints one JSON line with what was consumed and the ids.
# Usage: python_schema_registry.py <bootstrap> <registry-url>
import json
import sys

from confluent_kafka import DeserializingConsumer, SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import StringDeserializer, StringSerializer
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

bootstrap, registry_url = sys.argv[1], sys.argv[2]
registry = SchemaRegistryClient({'url': registry_url})


def round_trip(topic, serializer, deserializer, values):
    producer = SerializingProducer({
        'bootstrap.servers': bootstrap,
        'key.serializer': StringSerializer('utf_8'),
        'value.serializer': serializer,
    })
    for index, value in enumerate(values):
        producer.produce(topic, key=str(index), value=value)
    assert producer.flush(30) == 0
    consumer = DeserializingConsumer({
        'bootstrap.servers': bootstrap,
        'group.id': topic + '-reader',
        'auto.offset.reset': 'earliest',
        'key.deserializer': StringDeserializer('utf_8'),
        'value.deserializer': deserializer,
    })
    consumer.subscribe([topic])
    received = []
    for _ in range(600):
        message = consumer.poll(0.1)
        if message is None:
            if len(received) == len(values):
                break
            continue
        if message.error():
            raise Exception(str(message.error()))
        received.append(message.value())
        if len(received) == len(values):
            break
    consumer.close()
    return received


# JSON Schema
json_schema = json.dumps({
    '$schema': 'http://json-schema.org/draft-07/schema#',
    'title': 'Visit',
    'type': 'object',
    'properties': {'page': {'type': 'string'}, 'seconds': {'type': 'number'}},
    'required': ['page'],
})
json_values = [{'page': '/home', 'seconds': 1.5}, {'page': '/cart', 'seconds': 30}]
json_received = round_trip(
    'py-visits',
    JSONSerializer(json_schema, registry, lambda value, ctx: value),
    JSONDeserializer(json_schema, lambda value, ctx: value),
    json_values,
)
json_id = registry.get_latest_version('py-visits-value').schema_id

# Protobuf: a message type built at run time (no protoc), importing a well-known type.
file_proto = descriptor_pb2.FileDescriptorProto(
    name='iot/reading.proto', package='iot', syntax='proto3', dependency=['google/protobuf/timestamp.proto'])
reading = file_proto.message_type.add(name='Reading')
reading.field.add(name='sensor', number=1, type=9, label=1)
reading.field.add(name='celsius', number=2, type=1, label=1)
reading.field.add(name='at', number=3, type=11, label=1, type_name='.google.protobuf.Timestamp')
pool = descriptor_pool.Default()
pool.Add(file_proto)
Reading = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName('iot.Reading'))
proto_values = [Reading(sensor='s1', celsius=20.5), Reading(sensor='s2', celsius=-1.0)]
proto_values[0].at.FromSeconds(1700000000)
proto_received = round_trip(
    'py-readings',
    ProtobufSerializer(Reading, registry),
    ProtobufDeserializer(Reading),
    proto_values,
)
proto_id = registry.get_latest_version('py-readings-value').schema_id

print(json.dumps({
    'json': json_received,
    'jsonId': json_id,
    'protobuf': [{'sensor': r.sensor, 'celsius': r.celsius, 'at': r.at.seconds} for r in proto_received],
    'protobufId': proto_id,
    'subjects': sorted(registry.get_subjects()),
}))
