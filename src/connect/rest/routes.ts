// Kafka Connect's REST API (connect.html, "REST API"), one table: method, path, handler.
//   GET / · GET /health
//   GET|POST /connectors (?expand=status|info) · GET|DELETE /connectors/{name}
//   GET|PUT|PATCH /connectors/{name}/config · GET /connectors/{name}/status
//   GET /connectors/{name}/tasks · GET /connectors/{name}/tasks/{id}/status
//   POST /connectors/{name}/tasks/{id}/restart · PUT /connectors/{name}/pause|resume|stop
//   POST /connectors/{name}/restart?includeTasks=&onlyFailed= · GET /connectors/{name}/topics
//   PUT /connectors/{name}/topics/reset · GET|DELETE|PATCH /connectors/{name}/offsets
//   GET /connector-plugins?connectorsOnly= · GET /connector-plugins/{plugin}/config
//   PUT /connector-plugins/{plugin}/config/validate · GET /admin/loggers · GET|PUT /admin/loggers/{name}
//   Internal (between workers, as Kafka's InternalConnectResource): POST /connectors/{name}/tasks (task
//   configs to the leader) · PUT /connectors/{name}/fence (zombie fencing by the leader); 204.
// Errors: 404 unknown connector/task/plugin/route, 409 duplicate connector, 400 invalid config (the
// per-field messages) or body, 405 wrong method; body {"error_code": <status>, "message": "..."}.
// Distributed mode: config writes on a follower are forwarded to the leader (rest/forward.ts, Kafka's
// ?forward=), 409 when a rebalance does not settle. Known gaps: none.

import { validateConnectorConfig } from '../runtime/connector-config.ts'
import { type Herder, type OffsetEntry, RestError } from '../runtime/herder.ts'
import { findConnector, pluginConfigDef, pluginInfos } from '../runtime/plugins.ts'
import { keyInfo, type Properties } from '../sdk/config-def.ts'
import type { TargetState } from '../storage/config-store.ts'
import type { Answer } from './http-answer.ts'
import { objectBody, propertiesBody } from './http-answer.ts'
import type { Loggers } from './loggers.ts'

export interface RouteContext {
  herder: Herder
  loggers: Loggers
  params: Record<string, string>
  query: URLSearchParams
  body: () => Promise<unknown>
  serverInfo: () => Promise<{ version: string; commit: string; kafka_cluster_id: string }>
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  handle(context: RouteContext): Promise<Answer> | Answer
}

const ok = (body: unknown): Answer => ({ status: 200, body })

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true'
}

function taskIndex(text: string): number {
  if (!/^\d+$/.test(text)) throw new RestError(404, `Task ${text} not found`)
  return Number(text)
}

export const routes: Route[] = [
  { method: 'GET', path: '/', handle: async ({ serverInfo }) => ok(await serverInfo()) },
  {
    method: 'GET',
    path: '/health',
    handle: () =>
      ok({ status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }),
  },
  {
    method: 'GET',
    path: '/connectors',
    handle: ({ herder, query }) => {
      const expand = query.getAll('expand')
      if (expand.length === 0) return ok(herder.connectors())
      const out: Record<string, Record<string, unknown>> = {}
      for (const name of herder.connectors()) {
        const entry: Record<string, unknown> = {}
        if (expand.includes('status')) entry.status = herder.status(name)
        if (expand.includes('info')) entry.info = herder.info(name)
        out[name] = entry
      }
      return ok(out)
    },
  },
  {
    method: 'POST',
    path: '/connectors',
    handle: async ({ herder, body }) => {
      const request = objectBody(await body())
      const name = typeof request.name === 'string' ? request.name.trim() : ''
      if (name === '') throw new RestError(400, 'Connector name must not be empty')
      if (name.includes('/')) throw new RestError(400, 'Connector name may not contain /')
      const config = propertiesBody(request.config ?? {}, { allowNull: false }) as Properties
      if (config.name !== undefined && config.name !== name)
        throw new RestError(
          400,
          `Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`,
        )
      const initial = request.initial_state ?? 'RUNNING'
      const states: Record<string, TargetState> = { RUNNING: 'STARTED', PAUSED: 'PAUSED', STOPPED: 'STOPPED' }
      if (typeof initial !== 'string' || states[initial] === undefined)
        throw new RestError(
          400,
          `Invalid initial state: ${String(initial)}. Must be one of RUNNING, PAUSED, STOPPED`,
        )
      return { status: 201, body: await herder.create(name, config, states[initial]) }
    },
  },
  { method: 'GET', path: '/connectors/:name', handle: ({ herder, params }) => ok(herder.info(params.name)) },
  {
    method: 'DELETE',
    path: '/connectors/:name',
    handle: async ({ herder, params }) => {
      await herder.delete(params.name)
      return { status: 204 }
    },
  },
  {
    method: 'GET',
    path: '/connectors/:name/config',
    handle: ({ herder, params }) => ok(herder.info(params.name).config),
  },
  {
    method: 'PUT',
    path: '/connectors/:name/config',
    handle: async ({ herder, params, body }) => {
      const config = propertiesBody(await body(), { allowNull: false }) as Properties
      if (config.name !== undefined && config.name !== params.name)
        throw new RestError(
          400,
          `Connector name configuration (${config.name}) doesn't match connector name in the URL (${params.name})`,
        )
      const { created, info } = await herder.putConfig(params.name, config)
      return { status: created ? 201 : 200, body: info }
    },
  },
  {
    method: 'PATCH',
    path: '/connectors/:name/config',
    handle: async ({ herder, params, body }) =>
      ok(await herder.patchConfig(params.name, propertiesBody(await body(), { allowNull: true }))),
  },
  {
    method: 'GET',
    path: '/connectors/:name/status',
    handle: ({ herder, params }) => ok(herder.status(params.name)),
  },
  {
    method: 'GET',
    path: '/connectors/:name/tasks',
    handle: ({ herder, params }) => ok(herder.tasks(params.name)),
  },
  {
    method: 'POST',
    path: '/connectors/:name/tasks',
    handle: async ({ herder, params, body }) => {
      const request = await body()
      if (!Array.isArray(request)) throw new RestError(400, 'Task configs must be a JSON array of objects')
      const configs = request.map(
        (entry: unknown) => propertiesBody(entry, { allowNull: false }) as Properties,
      )
      await herder.putTaskConfigs(params.name, configs)
      return { status: 204 }
    },
  },
  {
    method: 'PUT',
    path: '/connectors/:name/fence',
    handle: async ({ herder, params }) => {
      await herder.fenceZombies(params.name)
      return { status: 204 }
    },
  },
  {
    method: 'GET',
    path: '/connectors/:name/tasks/:task/status',
    handle: ({ herder, params }) => ok(herder.taskStatus(params.name, taskIndex(params.task))),
  },
  {
    method: 'POST',
    path: '/connectors/:name/tasks/:task/restart',
    handle: async ({ herder, params }) => {
      await herder.restartTask(params.name, taskIndex(params.task))
      return { status: 204 }
    },
  },
  ...(['pause', 'resume', 'stop'] as const).map(
    (action): Route => ({
      method: 'PUT',
      path: `/connectors/:name/${action}`,
      handle: async ({ herder, params }) => {
        const state: TargetState = action === 'pause' ? 'PAUSED' : action === 'stop' ? 'STOPPED' : 'STARTED'
        await herder.setTargetState(params.name, state)
        return { status: action === 'stop' ? 204 : 202 }
      },
    }),
  ),
  {
    method: 'POST',
    path: '/connectors/:name/restart',
    handle: async ({ herder, params, query }) => {
      const includeTasks = flag(query, 'includeTasks')
      const onlyFailed = flag(query, 'onlyFailed')
      const plan = await herder.restart(params.name, { includeTasks, onlyFailed })
      // Kafka keeps the old answer (204, no body) for a plain restart of the connector alone.
      return !includeTasks && !onlyFailed ? { status: 204 } : { status: 202, body: plan }
    },
  },
  {
    method: 'GET',
    path: '/connectors/:name/topics',
    handle: ({ herder, params }) => ok(herder.topics(params.name)),
  },
  {
    method: 'PUT',
    path: '/connectors/:name/topics/reset',
    handle: async ({ herder, params }) => {
      await herder.resetTopics(params.name)
      return { status: 200 }
    },
  },
  {
    method: 'GET',
    path: '/connectors/:name/offsets',
    handle: async ({ herder, params }) => ok(await herder.offsets(params.name)),
  },
  {
    method: 'DELETE',
    path: '/connectors/:name/offsets',
    handle: async ({ herder, params }) => ok(await herder.resetOffsets(params.name)),
  },
  {
    method: 'PATCH',
    path: '/connectors/:name/offsets',
    handle: async ({ herder, params, body }) => {
      const request = objectBody(await body())
      if (!Array.isArray(request.offsets))
        throw new RestError(400, 'Offsets must be specified when altering connector offsets')
      const offsets = request.offsets.map((entry: unknown): OffsetEntry => {
        const object = objectBody(entry)
        if (typeof object.partition !== 'object' || object.partition === null)
          throw new RestError(
            400,
            'Partitions must be specified (as JSON objects) when altering connector offsets',
          )
        return {
          partition: object.partition as Record<string, unknown>,
          offset: (object.offset ?? null) as Record<string, unknown> | null,
        }
      })
      return ok(await herder.alterOffsets(params.name, offsets))
    },
  },
  {
    method: 'GET',
    path: '/connector-plugins',
    handle: ({ query }) =>
      ok(pluginInfos({ connectorsOnly: query.get('connectorsOnly')?.toLowerCase() !== 'false' })),
  },
  {
    method: 'GET',
    path: '/connector-plugins/:plugin/config',
    handle: ({ params }) => {
      const definition = pluginConfigDef(params.plugin)
      if (definition === null) throw new RestError(404, `Unknown plugin ${params.plugin}.`)
      return ok(definition.map(keyInfo))
    },
  },
  {
    method: 'PUT',
    path: '/connector-plugins/:plugin/config/validate',
    handle: async ({ herder, params, body }) => {
      const config = propertiesBody(await body(), { allowNull: false }) as Properties
      if (findConnector(params.plugin) === null) throw new RestError(404, `Unknown plugin ${params.plugin}.`)
      const className = config['connector.class']
      if (className !== undefined && findConnector(className) !== findConnector(params.plugin))
        throw new RestError(400, 'Connector type does not match the connector.class config')
      return ok(
        validateConnectorConfig(
          { ...config, 'connector.class': className ?? params.plugin },
          herder.worker.validationContext(),
        ),
      )
    },
  },
  { method: 'GET', path: '/admin/loggers', handle: ({ loggers }) => ok(loggers.all()) },
  {
    method: 'GET',
    path: '/admin/loggers/:logger',
    handle: ({ loggers, params }) => ok(loggers.get(params.logger)),
  },
  {
    method: 'PUT',
    path: '/admin/loggers/:logger',
    handle: async ({ loggers, params, body, query }) => {
      const request = objectBody(await body())
      const changed = loggers.set(params.logger, request.level)
      return query.get('scope')?.toLowerCase() === 'cluster' ? { status: 204 } : ok(changed)
    },
  },
]
