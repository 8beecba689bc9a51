// Waiting for a socket's write buffer to drain (socket.write returned false), failing if it closes first.
import type { Socket } from 'node:net'

export function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      socket.off('close', onClose)
      resolve()
    }
    const onClose = (): void => {
      socket.off('drain', onDrain)
      reject(new Error('the other end closed the connection'))
    }
    socket.once('drain', onDrain)
    socket.once('close', onClose)
  })
}
