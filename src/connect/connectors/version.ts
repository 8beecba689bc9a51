// The version the bundled connectors report (GET /connector-plugins): Streamline's own.
import { streamlineVersion } from '../../config/version.ts'

export const connectVersion = streamlineVersion
