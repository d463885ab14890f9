#!/usr/bin/env node
import { main } from '../cli/main.js';
import { runAgentCli } from '../cli/run-agent-cli.js';

void main((argv) => runAgentCli('codex', argv));
