#!/usr/bin/env node
import { main } from '../cli/main.js';
import { notImplemented } from '../cli/not-implemented.js';

void main((argv) => notImplemented('launch-agent', argv));
