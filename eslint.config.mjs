// ESLint for Lockwise. typescript-eslint needs TypeScript's JS API, which TypeScript 7 (the native
// tsc this project builds with) does not ship; so ESLint, typescript-eslint, Prettier and a
// TypeScript 5.9 used only by the parser live in their own tree, tools/lint/ (npm ci --prefix tools/lint).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const tools = createRequire(new URL('./tools/lint/package.json', import.meta.url));
const tseslint = (await import(pathToFileURL(tools.resolve('typescript-eslint')).href)).default;

/** The layering of ARCHITECTURE.md's folder table (test/unit/layering.test.ts checks the same). */
const CORE_DEEP = { regex: '(^|/)core/.+', message: 'Outside the core, import it through core/index.ts (its API).' };
const layer = (files, forbidden, extra = []) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [...forbidden.map((l) => ({ regex: `^(\\.{1,2}/)+${l}(/|$)`, message: `${files[0]} may not import ${l} (ARCHITECTURE.md).` })), ...extra] },
    ],
  },
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tools/**', 'bench/**', 'test/e2e/workspace/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  // Tests are describe blocks of cases: the length limit is for the product's functions.
  {
    files: ['server/src/**', 'client/src/**', 'scripts/**'],
    rules: { 'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  // Loading a file at run time by a computed path (the bundled server, the test runner's suites) is a require by design.
  { files: ['server/src/cli/lsp.ts', 'test/e2e/**'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  layer(['server/src/core/**'], ['project', 'cli', 'lsp', 'trace']),
  layer(['server/src/project/**'], ['cli', 'lsp', 'trace'], [CORE_DEEP]),
  // A replayed run prints through output.ts without loading the core (server/src/cli.ts): it imports its two escapers, leaves, directly.
  layer(['server/src/project/output.ts'], ['cli', 'lsp', 'trace'], [{ ...CORE_DEEP, regex: '(^|/)core/(?!report/escape(Terminal|Github)$).+' }]),
  layer(['server/src/trace/**'], ['cli', 'lsp'], [CORE_DEEP]),
  layer(['server/src/lsp/**'], ['cli'], [CORE_DEEP]),
  layer(['server/src/cli/**', 'server/src/cli.ts'], ['lsp'], [CORE_DEEP]),
  {
    files: ['client/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'server/src/(?!lsp/protocol$|lsp/labels$|project/constants$)',
              message: 'The client imports only lsp/protocol.ts, lsp/labels.ts and project/constants.ts (ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
);
