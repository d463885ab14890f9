#!/usr/bin/env node
import { main } from '../cli/main.js';
import { listAgentsCli } from '../cli/lifecycle-cli.js';

void main(listAgentsCli);
