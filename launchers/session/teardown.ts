// Removes everything of a session, whichever launch created it (remove-agent,
// gc): containers first, then networks and volumes. Idempotent.
import type { DockerEngine, LabelledObjects } from '../docker/engine.js';
import { LABEL } from '../docker/labels.js';

export async function teardownSession(engine: DockerEngine, session: string): Promise<LabelledObjects> {
  return engine.removeLabelled([`${LABEL.session}=${session}`]);
}
