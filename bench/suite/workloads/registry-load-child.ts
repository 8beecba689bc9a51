// The Node registry load generator's process (started by registry-load.ts with the registry's URL):
// runs each open loop it is sent, answers its result, and exits when the parent disconnects.
import { RegistryHttp } from './registry-http.ts'
import { type OpenLoopCommand, requestMaker } from './registry-requests.ts'

const http = new RegistryHttp(process.argv[2] ?? 'http://127.0.0.1:8081')

process.on('message', (command: OpenLoopCommand) => {
  const next = requestMaker((method, path, body) => http.requestBytes(method, path, body), command)
  http.openLoop(command.rate, command.seconds, next).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: (error as Error).message }),
  )
})
process.on('disconnect', () => http.close())
