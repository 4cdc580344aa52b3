/**
 * Node's fs, path and module as they are, for the code of the CLI's entry bundle (dist/cli.js, which
 * replays a recorded run). esbuild bundles each `import * as fs from 'fs'` as a copy of the module's
 * properties as getters (its ESM interop): the entry's ten were ~3.6 M instructions and ~80 page
 * faults of every start, a replay's included. `import x = require()` is bundled as a plain require.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fs = require('fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require('module');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import path = require('path');

export { fs, Module, path };
