#!/usr/bin/env node
import { main } from '../cli/main.js';
import { connectAgentCli } from '../cli/lifecycle-cli.js';

void main(connectAgentCli);
