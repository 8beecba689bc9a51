// Single message transforms and predicates by Kafka's class names (`$Key`/`$Value` variants apart).

import type { PredicatePlugin, TransformPlugin } from '../runtime/plugins.ts'

export const transformPlugins: TransformPlugin[] = []

export const predicatePlugins: PredicatePlugin[] = []
