#!/usr/bin/env node
import { main } from '../cli/main.js';
import { removeAgentCli } from '../cli/lifecycle-cli.js';

void main(removeAgentCli);
