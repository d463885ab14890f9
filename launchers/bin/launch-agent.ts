#!/usr/bin/env node
import { main } from '../cli/main.js';
import { launchAgentCli } from '../cli/lifecycle-cli.js';

void main(launchAgentCli);
