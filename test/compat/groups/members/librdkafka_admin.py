# librdkafka's consumer-group Admin API (rd_kafka_ListConsumerGroups, DescribeConsumerGroups,
# DeleteGroups, ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets),
# called through ctypes on Debian's librdkafka.so.1 (2.0.2), the same library python3-confluent-kafka
# uses. confluent-kafka-python 1.7 (Debian's) predates its wrappers for these calls (they came in 2.0
# as list_consumer_groups, describe_consumer_groups, delete_consumer_groups,
# list_consumer_group_offsets, alter_consumer_group_offsets); the C functions they wrap are these.
# Every request is encoded and every response decoded by librdkafka; this file only moves values.
import ctypes
from ctypes import POINTER, Structure, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_void_p

lib = ctypes.CDLL('librdkafka.so.1')
ERRSTR_SIZE = 512
TIMEOUT_MS = 15000


class TopicPartition(Structure):
    _fields_ = [('topic', c_char_p), ('partition', c_int32), ('offset', c_int64), ('metadata', c_void_p),
                ('metadata_size', c_size_t), ('opaque', c_void_p), ('err', c_int), ('_private', c_void_p)]


class TopicPartitionList(Structure):
    _fields_ = [('cnt', c_int), ('size', c_int), ('elems', POINTER(TopicPartition))]


def _declare(name, restype, argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


P = c_void_p
_conf_new = _declare('rd_kafka_conf_new', P, [])
_conf_set = _declare('rd_kafka_conf_set', c_int, [P, c_char_p, c_char_p, c_char_p, c_size_t])
_new = _declare('rd_kafka_new', P, [c_int, P, c_char_p, c_size_t])
_destroy = _declare('rd_kafka_destroy', None, [P])
_queue_new = _declare('rd_kafka_queue_new', P, [P])
_queue_poll = _declare('rd_kafka_queue_poll', P, [P, c_int])
_event_error = _declare('rd_kafka_event_error', c_int, [P])
_event_error_string = _declare('rd_kafka_event_error_string', c_char_p, [P])
_event_destroy = _declare('rd_kafka_event_destroy', None, [P])
_err2name = _declare('rd_kafka_err2name', c_char_p, [c_int])
_error_code = _declare('rd_kafka_error_code', c_int, [P])
_options_new = _declare('rd_kafka_AdminOptions_new', P, [P, c_int])
_options_timeout = _declare('rd_kafka_AdminOptions_set_request_timeout', c_int, [P, c_int, c_char_p, c_size_t])
_options_states = _declare('rd_kafka_AdminOptions_set_match_consumer_group_states', P, [P, POINTER(c_int), c_size_t])
_tpl_new = _declare('rd_kafka_topic_partition_list_new', POINTER(TopicPartitionList), [c_int])
_tpl_add = _declare('rd_kafka_topic_partition_list_add', POINTER(TopicPartition),
                    [POINTER(TopicPartitionList), c_char_p, c_int32])
_state_name = _declare('rd_kafka_consumer_group_state_name', c_char_p, [c_int])
_state_code = _declare('rd_kafka_consumer_group_state_code', c_int, [c_char_p])
_node_id = _declare('rd_kafka_Node_id', c_int, [P])

_list_groups = _declare('rd_kafka_ListConsumerGroups', None, [P, P, P])
_list_groups_result = _declare('rd_kafka_event_ListConsumerGroups_result', P, [P])
_list_groups_valid = _declare('rd_kafka_ListConsumerGroups_result_valid', POINTER(P), [P, POINTER(c_size_t)])
_list_groups_errors = _declare('rd_kafka_ListConsumerGroups_result_errors', POINTER(P), [P, POINTER(c_size_t)])
_listing_group_id = _declare('rd_kafka_ConsumerGroupListing_group_id', c_char_p, [P])
_listing_simple = _declare('rd_kafka_ConsumerGroupListing_is_simple_consumer_group', c_int, [P])
_listing_state = _declare('rd_kafka_ConsumerGroupListing_state', c_int, [P])

_describe = _declare('rd_kafka_DescribeConsumerGroups', None, [P, POINTER(c_char_p), c_size_t, P, P])
_describe_result = _declare('rd_kafka_event_DescribeConsumerGroups_result', P, [P])
_describe_groups = _declare('rd_kafka_DescribeConsumerGroups_result_groups', POINTER(P), [P, POINTER(c_size_t)])
_desc_group_id = _declare('rd_kafka_ConsumerGroupDescription_group_id', c_char_p, [P])
_desc_error = _declare('rd_kafka_ConsumerGroupDescription_error', P, [P])
_desc_simple = _declare('rd_kafka_ConsumerGroupDescription_is_simple_consumer_group', c_int, [P])
_desc_assignor = _declare('rd_kafka_ConsumerGroupDescription_partition_assignor', c_char_p, [P])
_desc_state = _declare('rd_kafka_ConsumerGroupDescription_state', c_int, [P])
_desc_coordinator = _declare('rd_kafka_ConsumerGroupDescription_coordinator', P, [P])
_desc_member_count = _declare('rd_kafka_ConsumerGroupDescription_member_count', c_size_t, [P])
_desc_member = _declare('rd_kafka_ConsumerGroupDescription_member', P, [P, c_size_t])
_member_client_id = _declare('rd_kafka_MemberDescription_client_id', c_char_p, [P])
_member_instance_id = _declare('rd_kafka_MemberDescription_group_instance_id', c_char_p, [P])
_member_consumer_id = _declare('rd_kafka_MemberDescription_consumer_id', c_char_p, [P])
_member_host = _declare('rd_kafka_MemberDescription_host', c_char_p, [P])
_member_assignment = _declare('rd_kafka_MemberDescription_assignment', P, [P])
_assignment_partitions = _declare('rd_kafka_MemberAssignment_partitions', POINTER(TopicPartitionList), [P])

_delete_group_new = _declare('rd_kafka_DeleteGroup_new', P, [c_char_p])
_delete_groups = _declare('rd_kafka_DeleteGroups', None, [P, POINTER(P), c_size_t, P, P])
_delete_groups_result = _declare('rd_kafka_event_DeleteGroups_result', P, [P])
_delete_groups_groups = _declare('rd_kafka_DeleteGroups_result_groups', POINTER(P), [P, POINTER(c_size_t)])
_group_result_name = _declare('rd_kafka_group_result_name', c_char_p, [P])
_group_result_error = _declare('rd_kafka_group_result_error', P, [P])
_group_result_partitions = _declare('rd_kafka_group_result_partitions', POINTER(TopicPartitionList), [P])

_lcgo_new = _declare('rd_kafka_ListConsumerGroupOffsets_new', P, [c_char_p, POINTER(TopicPartitionList)])
_lcgo = _declare('rd_kafka_ListConsumerGroupOffsets', None, [P, POINTER(P), c_size_t, P, P])
_lcgo_result = _declare('rd_kafka_event_ListConsumerGroupOffsets_result', P, [P])
_lcgo_groups = _declare('rd_kafka_ListConsumerGroupOffsets_result_groups', POINTER(P), [P, POINTER(c_size_t)])
_acgo_new = _declare('rd_kafka_AlterConsumerGroupOffsets_new', P, [c_char_p, POINTER(TopicPartitionList)])
_acgo = _declare('rd_kafka_AlterConsumerGroupOffsets', None, [P, POINTER(P), c_size_t, P, P])
_acgo_result = _declare('rd_kafka_event_AlterConsumerGroupOffsets_result', P, [P])
_acgo_groups = _declare('rd_kafka_AlterConsumerGroupOffsets_result_groups', POINTER(P), [P, POINTER(c_size_t)])
_dcgo_new = _declare('rd_kafka_DeleteConsumerGroupOffsets_new', P, [c_char_p, POINTER(TopicPartitionList)])
_dcgo = _declare('rd_kafka_DeleteConsumerGroupOffsets', None, [P, POINTER(P), c_size_t, P, P])
_dcgo_result = _declare('rd_kafka_event_DeleteConsumerGroupOffsets_result', P, [P])
_dcgo_groups = _declare('rd_kafka_DeleteConsumerGroupOffsets_result_groups', POINTER(P), [P, POINTER(c_size_t)])


def _text(value):
    return None if value is None else value.decode('utf-8')


def _error_name(error):
    """(code, name) of an rd_kafka_error_t pointer; (0, 'NO_ERROR') for NULL."""
    if not error:
        return [0, 'NO_ERROR']
    code = _error_code(error)
    return [code, _text(_err2name(code))]


def _partitions(tpl, with_offsets=True):
    rows = []
    if not tpl:
        return rows
    for index in range(tpl.contents.cnt):
        element = tpl.contents.elems[index]
        row = [_text(element.topic), element.partition]
        if with_offsets:
            metadata = ctypes.string_at(element.metadata, element.metadata_size).decode('utf-8') \
                if element.metadata else None
            row += [element.offset, metadata, _text(_err2name(element.err))]
        rows.append(row)
    return sorted(rows)


class GroupAdmin:
    def __init__(self, bootstrap):
        conf = _conf_new()
        errstr = ctypes.create_string_buffer(ERRSTR_SIZE)
        for name, value in (('bootstrap.servers', bootstrap), ('client.id', 'librdkafka-admin')):
            if _conf_set(conf, name.encode(), value.encode(), errstr, ERRSTR_SIZE) != 0:
                raise RuntimeError(errstr.value.decode())
        self.rk = _new(0, conf, errstr, ERRSTR_SIZE)  # RD_KAFKA_PRODUCER: an admin-only handle
        if not self.rk:
            raise RuntimeError(errstr.value.decode())
        self.queue = _queue_new(self.rk)
        self._keep = []  # buffers referenced by partition lists

    def _options(self):
        options = _options_new(self.rk, 0)  # RD_KAFKA_ADMIN_OP_ANY
        errstr = ctypes.create_string_buffer(ERRSTR_SIZE)
        _options_timeout(options, TIMEOUT_MS, errstr, ERRSTR_SIZE)
        return options

    def _await(self):
        event = _queue_poll(self.queue, TIMEOUT_MS + 5000)
        if not event:
            raise RuntimeError('no admin result within the timeout')
        code = _event_error(event)
        if code != 0:
            message = _text(_event_error_string(event))
            _event_destroy(event)
            raise RuntimeError('%s: %s' % (_text(_err2name(code)), message))
        return event

    def _tpl(self, rows):
        """rows: [topic, partition] or [topic, partition, offset, metadata]."""
        tpl = _tpl_new(len(rows))
        for row in rows:
            element = _tpl_add(tpl, row[0].encode(), row[1])
            if len(row) > 2:
                element.contents.offset = row[2]
                if row[3] is not None:
                    data = ctypes.create_string_buffer(row[3].encode('utf-8'))
                    self._keep.append(data)
                    element.contents.metadata = ctypes.cast(data, c_void_p)
                    element.contents.metadata_size = len(row[3].encode('utf-8'))
        return tpl

    def list_groups(self, states=None):
        options = self._options()
        if states:
            codes = (c_int * len(states))(*[_state_code(s.encode()) for s in states])
            _options_states(options, codes, len(states))
        _list_groups(self.rk, options, self.queue)
        event = self._await()
        result = _list_groups_result(event)
        count = c_size_t()
        listings = _list_groups_valid(result, byref(count))
        groups = [[_text(_listing_group_id(listings[i])), _text(_state_name(_listing_state(listings[i]))),
                   bool(_listing_simple(listings[i]))] for i in range(count.value)]
        errors = _list_groups_errors(result, byref(count))
        failures = [_error_name(errors[i]) for i in range(count.value)]
        _event_destroy(event)
        return {'groups': sorted(groups), 'errors': failures}

    def describe_groups(self, group_ids):
        names = (c_char_p * len(group_ids))(*[g.encode() for g in group_ids])
        _describe(self.rk, names, len(group_ids), self._options(), self.queue)
        event = self._await()
        count = c_size_t()
        descriptions = _describe_groups(_describe_result(event), byref(count))
        out = {}
        for i in range(count.value):
            description = descriptions[i]
            members = []
            for m in range(_desc_member_count(description)):
                member = _desc_member(description, m)
                members.append({
                    'client_id': _text(_member_client_id(member)),
                    'group_instance_id': _text(_member_instance_id(member)),
                    'consumer_id': _text(_member_consumer_id(member)),
                    'host': _text(_member_host(member)),
                    'assignment': _partitions(_assignment_partitions(_member_assignment(member)), False),
                })
            coordinator = _desc_coordinator(description)
            out[_text(_desc_group_id(description))] = {
                'error': _error_name(_desc_error(description)),
                'is_simple': bool(_desc_simple(description)),
                'assignor': _text(_desc_assignor(description)),
                'state': _text(_state_name(_desc_state(description))),
                'coordinator': _node_id(coordinator) if coordinator else None,
                'members': sorted(members, key=lambda member: member['client_id'] or ''),
            }
        _event_destroy(event)
        return out

    def delete_groups(self, group_ids):
        requests = (P * len(group_ids))(*[_delete_group_new(g.encode()) for g in group_ids])
        _delete_groups(self.rk, requests, len(group_ids), self._options(), self.queue)
        event = self._await()
        count = c_size_t()
        results = _delete_groups_groups(_delete_groups_result(event), byref(count))
        out = {_text(_group_result_name(results[i])): _error_name(_group_result_error(results[i]))
               for i in range(count.value)}
        _event_destroy(event)
        return out

    def _group_offsets(self, new, call, result_of, groups_of, group_id, rows):
        tpl = self._tpl(rows) if rows is not None else None
        request = (P * 1)(new(group_id.encode(), tpl))
        call(self.rk, request, 1, self._options(), self.queue)
        event = self._await()
        count = c_size_t()
        results = groups_of(result_of(event), byref(count))
        group = results[0]
        out = {'group': _text(_group_result_name(group)), 'error': _error_name(_group_result_error(group)),
               'partitions': _partitions(_group_result_partitions(group))}
        _event_destroy(event)
        return out

    def list_offsets(self, group_id, partitions=None):
        return self._group_offsets(_lcgo_new, _lcgo, _lcgo_result, _lcgo_groups, group_id, partitions)

    def alter_offsets(self, group_id, offsets):
        return self._group_offsets(_acgo_new, _acgo, _acgo_result, _acgo_groups, group_id, offsets)

    def delete_offsets(self, group_id, partitions):
        return self._group_offsets(_dcgo_new, _dcgo, _dcgo_result, _dcgo_groups, group_id, partitions)
