#!/usr/bin/env node
import { main } from '../cli/main.js';
import { containaiCli } from '../cli/containai-cli.js';

void main(containaiCli);
