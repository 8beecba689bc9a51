// A connector's config as a form built from its plugin's config definition: Connect's
// PUT /connector-plugins/{plugin}/config/validate gives the groups, keys, types, defaults, documentation
// and, for the values given so far, each key's errors. The form asks again 250 ms after each change
// (answers to older values are dropped) and shows a key's errors under it once the user has changed
// that key, or all of them after a submit. A submit validates first and sends only a config Connect
// finds no error in. Used to create a connector (connectors.tsx) and to edit one (connector-detail.tsx).

import { useEffect, useRef, useState } from 'preact/hooks'
import { ErrorBox, Loading } from '../components/feedback.tsx'
import {
  type ConfigField,
  type ConfigSection,
  configOf,
  configSections,
  connectorClassKey,
  fieldId,
  fieldKind,
  undefinedKeys,
} from '../connector-config-logic.ts'
import { type ConfigInfos, servicesApi } from '../services-api.ts'

const revalidateDelayMs = 250

export function ConnectorConfigForm(props: {
  pluginClass: string
  /** The values to start from: a connector's config when editing (its name fixed), else {}. */
  initial: Record<string, string>
  mode: 'create' | 'edit'
  onSubmit: (config: Record<string, string>) => Promise<unknown>
}) {
  const { pluginClass, mode } = props
  const [values, setValues] = useState<Record<string, string>>(props.initial)
  const [infos, setInfos] = useState<ConfigInfos | null>(null)
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set())
  const [showAll, setShowAll] = useState(false)
  const [openSections, setOpenSections] = useState<ReadonlySet<string>>(new Set())
  const [error, setError] = useState<Error | null>(null)
  const [summary, setSummary] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [focusError, setFocusError] = useState(false)
  const generation = useRef(0)
  const form = useRef<HTMLFormElement>(null)
  /** The values as typed, also before the render that shows them: a submit right after an input
   * (a fast user, a test) sends what was typed, not the previous render's values. */
  const latest = useRef(values)

  const validate = async (): Promise<ConfigInfos | null> => {
    generation.current += 1
    const mine = generation.current
    try {
      const answer = await servicesApi.validateConfig(pluginClass, configOf(pluginClass, latest.current))
      if (mine !== generation.current) return null
      setInfos(answer)
      setError(null)
      return answer
    } catch (failure) {
      if (mine === generation.current) setError(failure as Error)
      return null
    }
  }

  useEffect(() => {
    const timer = window.setTimeout(() => void validate(), infos === null ? 0 : revalidateDelayMs)
    return () => window.clearTimeout(timer)
  }, [pluginClass, values])

  useEffect(() => {
    if (!focusError) return
    setFocusError(false)
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
  }, [focusError])

  const setValue = (key: string, value: string) => {
    latest.current = { ...latest.current, [key]: value }
    setValues(latest.current)
    setTouched((previous) => new Set(previous).add(key))
  }

  const submit = async (event: Event) => {
    event.preventDefault()
    setShowAll(true)
    setSummary(null)
    setBusy(true)
    try {
      const answer = await validate()
      if (answer === null) return
      if (answer.error_count > 0) {
        setSummary(
          answer.error_count === 1 ? '1 setting has an error' : `${answer.error_count} settings have errors`,
        )
        setFocusError(true)
        return
      }
      await props.onSubmit(configOf(pluginClass, latest.current))
    } catch (failure) {
      setError(failure as Error)
    } finally {
      setBusy(false)
    }
  }

  const sections = infos === null ? [] : configSections(infos, pluginClass)
  const errorsShown = (field: ConfigField) =>
    showAll || touched.has(field.definition.name) ? field.value.errors : []
  const isOpen = (section: ConfigSection) =>
    section.primary ||
    openSections.has(section.title) ||
    section.fields.some((field) => errorsShown(field).length > 0)
  return (
    <form
      ref={form}
      class="connector-config"
      onSubmit={(event) => void submit(event)}
      aria-label={mode === 'create' ? 'Create a connector' : 'Edit the connector config'}
      noValidate
    >
      <p>
        Plugin <code data-testid="plugin-class">{pluginClass}</code>
      </p>
      <Loading loading={infos === null && error === null} />
      {sections.map((section) => (
        <details
          key={section.title}
          open={isOpen(section)}
          onToggle={(event) => {
            const open = event.currentTarget.open
            setOpenSections((previous) => {
              const next = new Set(previous)
              if (open) next.add(section.title)
              else next.delete(section.title)
              return next
            })
          }}
        >
          <summary>{section.title}</summary>
          <fieldset>
            <legend class="visually-hidden">{section.title}</legend>
            {section.fields.map((field) => (
              <Field
                key={field.definition.name}
                field={field}
                value={values[field.definition.name] ?? ''}
                readOnly={
                  field.definition.name === connectorClassKey ||
                  (mode === 'edit' && field.definition.name === 'name')
                }
                classValue={pluginClass}
                errors={errorsShown(field)}
                onChange={(value) => setValue(field.definition.name, value)}
              />
            ))}
          </fieldset>
        </details>
      ))}
      {infos === null ? null : (
        <OtherSettings keys={undefinedKeys(infos, values)} values={values} onChange={setValue} />
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={busy || infos === null}>
          {mode === 'create' ? 'Create' : 'Save config'}
        </button>
        {summary === null ? null : (
          <span class="field-error" role="alert">
            {summary}
          </span>
        )}
      </div>
      <ErrorBox error={error} />
    </form>
  )
}

function Field(props: {
  field: ConfigField
  value: string
  readOnly: boolean
  classValue: string
  errors: string[]
  onChange: (value: string) => void
}) {
  const { definition, value: validated } = props.field
  const id = fieldId(definition.name)
  const kind = fieldKind(props.field)
  const describedBy = `${id}-doc${props.errors.length > 0 ? ` ${id}-errors` : ''}`
  const common = {
    id,
    'aria-describedby': describedBy,
    'aria-invalid': props.errors.length > 0 ? ('true' as const) : undefined,
    'aria-required': definition.required ? ('true' as const) : undefined,
  }
  const onInput = (event: { currentTarget: HTMLInputElement | HTMLSelectElement }) =>
    props.onChange(event.currentTarget.value)
  const defaultValue = definition.default_value
  let input: preact.ComponentChild
  if (definition.name === connectorClassKey) {
    input = <input {...common} readOnly value={props.classValue} />
  } else if (kind === 'boolean' || kind === 'choice') {
    const options = kind === 'boolean' ? ['true', 'false'] : validated.recommended_values
    input = (
      <select {...common} disabled={props.readOnly} value={props.value} onChange={onInput}>
        <option value="">{defaultValue === null ? '(not set)' : `(default: ${defaultValue})`}</option>
        {[...options, ...(props.value === '' || options.includes(props.value) ? [] : [props.value])].map(
          (option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ),
        )}
      </select>
    )
  } else if (kind === 'password') {
    input = (
      <input
        {...common}
        type="password"
        autoComplete="new-password"
        readOnly={props.readOnly}
        value={props.value}
        onInput={onInput}
      />
    )
  } else {
    input = (
      <input
        {...common}
        type="text"
        inputMode={kind === 'number' ? 'decimal' : undefined}
        autoComplete="off"
        spellcheck={false}
        readOnly={props.readOnly}
        value={props.value}
        onInput={onInput}
      />
    )
  }
  return (
    <div class="config-field">
      <label for={id}>
        {definition.display_name}
        {definition.display_name === definition.name ? null : <code> {definition.name}</code>}
        {definition.required ? <span class="required"> (required)</span> : null}
      </label>
      {input}
      <small id={`${id}-doc`} class="muted">
        {definition.documentation}
        {defaultValue === null || defaultValue === '' ? null : (
          <>
            {definition.documentation === '' || /[.!?]$/.test(definition.documentation) ? ' ' : '. '}
            Default: <code>{defaultValue}</code>
          </>
        )}
      </small>
      {props.errors.length === 0 ? null : (
        <ul id={`${id}-errors`} class="field-errors">
          {props.errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** Settings the plugin's definition does not name (an edited connector may have some): plain text
 * fields, and a line to add one. */
function OtherSettings(props: {
  keys: string[]
  values: Record<string, string>
  onChange: (key: string, value: string) => void
}) {
  const [newKey, setNewKey] = useState('')
  return (
    <details open={props.keys.length > 0 || undefined}>
      <summary>Other settings</summary>
      <fieldset>
        <legend class="visually-hidden">Other settings</legend>
        {props.keys.map((key) => (
          <div class="config-field" key={key}>
            <label for={fieldId(key)}>{key}</label>
            <input
              id={fieldId(key)}
              spellcheck={false}
              value={props.values[key] ?? ''}
              onInput={(event) => props.onChange(key, event.currentTarget.value)}
            />
          </div>
        ))}
        <div class="row">
          <label>
            Setting name{' '}
            <input
              spellcheck={false}
              value={newKey}
              onInput={(event) => setNewKey(event.currentTarget.value)}
            />
          </label>
          <button
            type="button"
            disabled={newKey.trim() === ''}
            onClick={() => {
              props.onChange(newKey.trim(), props.values[newKey.trim()] ?? '')
              setNewKey('')
            }}
          >
            Add setting
          </button>
        </div>
      </fieldset>
    </details>
  )
}
