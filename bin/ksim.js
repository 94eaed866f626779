#!/usr/bin/env node
// The `ksim` command: a thin launcher for the bundled CLI (built by `npm run build` into dist/).
require('../dist/cli.js');
