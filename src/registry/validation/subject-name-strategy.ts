// Confluent's subject name strategies (io.confluent.kafka.serializers.subject.*), as the topic configs
// `confluent.key/value.subject.name.strategy` name them (class name or short name): the subject a
// record's key or value must be registered under.

export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy'

/** The strategy a config value names (topic-config.ts only lets these three through). */
export function subjectNameStrategyOf(configValue: string): SubjectNameStrategy {
  const short = configValue.slice(configValue.lastIndexOf('.') + 1)
  if (short === 'RecordNameStrategy' || short === 'TopicRecordNameStrategy') return short
  return 'TopicNameStrategy'
}

/** Whether the strategy needs the schema's record name (and so the parsed schema). */
export function needsRecordName(strategy: SubjectNameStrategy): boolean {
  return strategy !== 'TopicNameStrategy'
}

/** The subject: `<topic>-key|value`, `<record name>` or `<topic>-<record name>`; null when the
 * strategy needs a record name the schema does not have. */
export function subjectFor(
  strategy: SubjectNameStrategy,
  topic: string,
  side: 'key' | 'value',
  recordName: string | null,
): string | null {
  switch (strategy) {
    case 'TopicNameStrategy':
      return `${topic}-${side}`
    case 'RecordNameStrategy':
      return recordName
    case 'TopicRecordNameStrategy':
      return recordName === null ? null : `${topic}-${recordName}`
  }
}
