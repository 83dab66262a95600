#!/usr/bin/env node
// The `lrs` command; the TypeScript sources are compiled to dist/ by `npm run build`.
import '../dist/src/cli/main.js';
