// Removes everything labelled with a session: containers first, then its
// networks and volumes. Idempotent and safe to call from any exit path.
import type { DockerEngine, LabelledObjects } from '../docker/engine.js';
import { LABEL } from '../docker/labels.js';

export async function teardownSession(engine: DockerEngine, session: string): Promise<LabelledObjects> {
  return engine.removeLabelled([`${LABEL.session}=${session}`]);
}
