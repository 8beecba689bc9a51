# Sends old Produce and Fetch versions with kafka-python's own protocol classes and record
# builders (kafka.protocol.produce / kafka.protocol.fetch / kafka.record), for legacy-formats.test.ts.
# Usage: legacy_protocol.py <host> <port> <operations.json>; prints one JSON list of results.
# Operations:
#   {"op": "produce", "version": 0-8, "topic", "partition", "magic": 0-2, "codec": 0-4,
#    "records": [{"key", "value", "timestamp", "headers": [[k, v]]}]}
#     -> {"error_code", "offset"}
#   {"op": "fetch", "version": 0-4 or 10, "topic", "partition", "offset"}
#     -> {"error_code", "high_watermark", "records": [{"magic", "codec" (of the batch or wrapper
#         message holding the record), "offset", "key", "value", "timestamp", "timestamp_type", "headers"}]}
import json
import socket
import sys
import time

from kafka.conn import BrokerConnection
from kafka.protocol.fetch import FetchRequest
from kafka.protocol.produce import ProduceRequest
from kafka.record import MemoryRecords, MemoryRecordsBuilder


def text(value):
    return None if value is None else value.decode('utf-8')


def binary(value):
    return None if value is None else value.encode('utf-8')


def connect(host, port):
    conn = BrokerConnection(host, port, socket.AF_INET, api_version=(2, 4, 0), request_timeout_ms=15000)
    deadline = time.monotonic() + 15
    while not conn.connected():
        if time.monotonic() > deadline:
            raise RuntimeError('could not connect to %s:%s' % (host, port))
        conn.connect()
        time.sleep(0.01)
    return conn


def call(conn, request):
    future = conn.send(request, blocking=True)
    deadline = time.monotonic() + 20
    while not future.is_done:
        if time.monotonic() > deadline:
            raise RuntimeError('no response to %s' % type(request).__name__)
        for response, response_future in conn.recv():
            response_future.success(response)
        time.sleep(0.005)
    if future.failed():
        raise future.exception
    return future.value


def produce(conn, operation):
    builder = MemoryRecordsBuilder(operation['magic'], operation['codec'], 1 << 20)
    for record in operation['records']:
        headers = [(k, binary(v)) for k, v in record.get('headers', [])]
        builder.append(record.get('timestamp'), binary(record['key']), binary(record['value']), headers)
    builder.close()
    version = operation['version']
    topics = [(operation['topic'], [(operation.get('partition', 0), builder.buffer())])]
    if version >= 3:
        request = ProduceRequest[version](transactional_id=None, required_acks=-1, timeout=10000, topics=topics)
    else:
        request = ProduceRequest[version](required_acks=-1, timeout=10000, topics=topics)
    response = call(conn, request)
    partition = response.topics[0][1][0]
    return {'error_code': partition[1], 'offset': partition[2]}


def fetch(conn, operation):
    version = operation['version']
    partition, offset = operation.get('partition', 0), operation['offset']
    if version <= 2:
        request = FetchRequest[version](-1, 100, 1, [(operation['topic'], [(partition, offset, 1 << 20)])])
    elif version == 3:
        request = FetchRequest[version](-1, 100, 1, 10 << 20, [(operation['topic'], [(partition, offset, 1 << 20)])])
    elif version == 4:
        request = FetchRequest[version](-1, 100, 1, 10 << 20, 0, [(operation['topic'], [(partition, offset, 1 << 20)])])
    elif version == 10:
        topics = [(operation['topic'], [(partition, -1, offset, -1, 1 << 20)])]
        request = FetchRequest[version](-1, 100, 1, 10 << 20, 0, 0, -1, topics, [])
    else:
        raise ValueError('Fetch v%d is not wired here' % version)
    response = call(conn, request)
    partition = response.topics[0][1][0]
    error_code, high_watermark, message_set = partition[1], partition[2], partition[-1]
    records = []
    batches = MemoryRecords(message_set)
    while batches.has_next():
        batch = batches.next_batch()
        magic = batch.magic if hasattr(batch, 'magic') else batch._magic
        for record in batch:
            records.append({
                'magic': magic,
                'codec': batch.compression_type,
                'offset': record.offset,
                'key': text(record.key),
                'value': text(record.value),
                'timestamp': record.timestamp,
                'timestamp_type': record.timestamp_type,
                'headers': [[k, text(v)] for k, v in record.headers],
            })
    return {'error_code': error_code, 'high_watermark': high_watermark, 'records': records}


def main():
    host, port, operations_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(operations_path, encoding='utf-8') as operations_file:
        operations = json.load(operations_file)
    conn = connect(host, port)
    results = []
    for operation in operations:
        handler = produce if operation['op'] == 'produce' else fetch
        results.append(handler(conn, operation))
    conn.close()
    print(json.dumps(results))


main()
