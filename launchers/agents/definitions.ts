// What differs between agents, as data. Adding an agent means adding one
// definition here and one images/<name>/Dockerfile.
import type { PromptDelivery } from '../session/prompt-delivery.js';

export interface AgentDefinition {
  name: string;
  /** Directory under images/ holding the agent's Dockerfile. */
  imageDir: string;
  /** The non-interactive command for --prompt. */
  promptCommand(prompt: PromptDelivery): string[];
  /** False until the agent's image and credentials exist (issue 6). */
  available: boolean;
}

const shell: AgentDefinition = {
  name: 'shell',
  imageDir: 'shell',
  // The prompt is a bash command line, run as a login shell so PATH and
  // profile are what a user expects. A file prompt is run as a script.
  promptCommand: (p) => (p.kind === 'argv' ? ['bash', '-lc', p.text] : ['bash', '-l', p.path]),
  available: true,
};

function notYet(name: string): AgentDefinition {
  return { name, imageDir: name, promptCommand: () => [], available: false };
}

export const AGENTS: Readonly<Record<string, AgentDefinition>> = {
  shell,
  copilot: notYet('copilot'),
  codex: notYet('codex'),
  claude: notYet('claude'),
};
