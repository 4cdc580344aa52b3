#!/usr/bin/env node
/**
 * `lockwise`: the command line. A thin shell over the core: it reads files, resolves config and
 * schema history, and prints. Exit codes: 0 nothing at or above --fail-on, 1 findings at or above
 * it, 2 usage, configuration or I/O error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import {
  analyze, DEFAULT_CONFIG, NewFile, Analysis, auditJson, ConfigError, findingJson, fixAll, initParser, LockwiseConfig, RULES,
  RULES_BY_ID, Severity, Rule,
} from './core';
import { expandPaths, explicitFiles, selectedByConfig, toPosix, UsageError } from './project/files';
import { ConfigResolver } from './project/configFor';
import { HistoryProvider, SnapshotSource } from './project/history';
import { FileRunner, RunnerDetector } from './project/runners';
import { renderRuleDoc } from './core/report/ruleDocs';
import { runnerText } from './core/report/describe';
import { runTrace } from './trace/command';
import { auditFileMarkdown } from './core/report/audit';
import { auditHtml } from './core/report/auditHtml';
import { auditText } from './core/report/auditText';
import { hasFindings, overview, overviewFile } from './core/report/overview';
import { overviewMarkdown } from './core/report/overviewMarkdown';

const VERSION = '0.1.0';

const HELP = `lockwise ${VERSION}: zero-downtime checks for PostgreSQL migrations

Usage:
  lockwise lint [paths...]    report dangerous statements (files, folders, globs)
  lockwise audit [paths...]   report every statement's locks, what they block and for how long
  lockwise rules              list the rules
  lockwise explain <rule-id>  print a rule's documentation
  lockwise trace <file>       run the migration on an embedded PostgreSQL 18 (PGlite) after its history:
                              the locks each statement took, rewrites, scans, errors, prediction diff

Options:
  --format F        lint: text (default), json, sarif, github; trace: markdown (default), json;
                    audit: text (default on a terminal), markdown (default otherwise), html, json
  --all             audit: list every file, not only those with findings
  --history DIR     trace: replay DIR's .sql files first (default: the earlier files of the file's folder)
  --pg-version N    PostgreSQL major version to assume (default 15, or pgVersion in .lockwise.json)
  --config F        use this config file instead of the nearest .lockwise.json
  --fail-on L       error (default), warning or info: the lowest severity that makes the exit code 1
  --fix             lint: apply every safe fix in place
  --dry-run         with --fix: print the diff instead of writing
  --explain-runner  lint: print which migration runner runs each file, why, and how (then exit 0)
  --no-color        plain text output
  -h, --help        this help;  -v, --version  the version

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage, config or I/O error.`;

interface Options {
  command: string;
  paths: string[];
  format?: string;
  pgVersion?: number;
  config?: string;
  failOn: Severity;
  fix: boolean;
  dryRun: boolean;
  explainRunner?: boolean;
  color: boolean;
  history?: string;
  /** audit: every file, not only those with findings. */
  all: boolean;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

function parseArgs(argv: string[]): Options {
  const opts: Options = { command: '', paths: [], failOn: 'error', fix: false, dryRun: false, all: false, color: !!process.stdout.isTTY && !process.env.NO_COLOR };
  const takeValue = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => (inline !== undefined ? inline : takeValue(i++, flag));
    switch (flag) {
      case '-h':
      case '--help':
        opts.command = 'help';
        break;
      case '-v':
      case '--version':
        opts.command = 'version';
        break;
      case '--format':
        opts.format = value();
        break;
      case '--pg-version': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 9 || n > 19) throw new UsageError(`--pg-version must be a PostgreSQL major version (9 to 19), not "${v}"`);
        opts.pgVersion = n;
        break;
      }
      case '--config':
        opts.config = value();
        break;
      case '--history':
        opts.history = value();
        break;
      case '--fail-on': {
        const v = value();
        if (!(v in SEVERITY_RANK)) throw new UsageError(`--fail-on must be error, warning or info, not "${v}"`);
        opts.failOn = v as Severity;
        break;
      }
      case '--fix':
        opts.fix = true;
        break;
      case '--dry-run':
        opts.dryRun = true;
        break;
      case '--explain-runner':
        opts.explainRunner = true;
        break;
      case '--all':
        opts.all = true;
        break;
      case '--no-color':
        opts.color = false;
        break;
      case '--color':
        opts.color = true;
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a} (see lockwise --help)`);
        if (!opts.command) opts.command = a;
        else opts.paths.push(a);
    }
  }
  return opts;
}

async function main(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  switch (opts.command) {
    case '':
    case 'help':
      process.stdout.write(HELP + '\n');
      return opts.command === 'help' ? 0 : 2;
    case 'version':
      process.stdout.write(VERSION + '\n');
      return 0;
    case 'rules':
      return listRules();
    case 'explain':
      return explain(opts.paths[0]);
    case 'lint':
      return lint(opts);
    case 'audit':
      return audit(opts);
    case 'trace':
      return runTrace(opts.paths, { format: opts.format, history: opts.history, pgVersion: opts.pgVersion, config: opts.config });
    default:
      throw new UsageError(`unknown command "${opts.command}" (expected lint, audit, trace, rules or explain)`);
  }
}

function listRules(): number {
  const width = Math.max(...RULES.map((r) => r.id.length));
  for (const r of RULES) {
    const fix = r.fixable ? 'fix' : '   ';
    process.stdout.write(`${r.id.padEnd(width)}  ${String(r.defaultSeverity).padEnd(7)}  ${fix}  ${r.docs.summary}\n`);
  }
  return 0;
}

function explain(id: string | undefined): number {
  if (!id) throw new UsageError('explain needs a rule id (see lockwise rules)');
  const rule = RULES_BY_ID.get(id);
  if (!rule) throw new UsageError(`unknown rule "${id}" (see lockwise rules)`);
  process.stdout.write(renderRuleDoc(rule) + '\n');
  return 0;
}

interface FileResult {
  path: string;
  analysis: Analysis;
  config: LockwiseConfig;
  /** The file starts with a UTF-8 byte order mark (not part of the analysed text, kept by --fix). */
  bom?: boolean;
  /** The runner that executes the file. */
  runner?: FileRunner;
}

/** Analyses every file, with its config and schema history. */
async function analyzeFiles(opts: Options): Promise<FileResult[]> {
  if (opts.paths.length === 0) throw new UsageError('no paths given (e.g. lockwise lint migrations/)');
  if (opts.config && !fs.existsSync(opts.config)) throw new UsageError(`cannot read config ${opts.config}: no such file`);
  const resolver = new ConfigResolver({ configFile: opts.config, flags: opts.pgVersion ? { pgVersion: opts.pgVersion } : {}, stableFiles: true });
  const files = expandPaths(opts.paths);
  if (files.length === 0) throw new UsageError(`no .sql files found in ${opts.paths.join(', ')}`);
  await initParser();
  // Files do not change during the run: list folders and read earlier migrations once.
  const snapshot = new SnapshotSource();
  const runners = new RunnerDetector(snapshot);
  const history = new HistoryProvider(snapshot, (f, t) => runners.forFile(f, t, resolver.forFile(f).config));
  const results: FileResult[] = [];
  for (const file of files) {
    const { config, source } = resolver.forFile(file);
    // include/exclude are relative to the .lockwise.json that declares them.
    if (source && !explicitFiles.has(file) && !selectedByConfig(file, config.include, config.exclude, path.dirname(source))) continue;
    let text: string;
    try {
      // A FIFO would block the read forever and a device such as /dev/zero never ends.
      if (!fs.statSync(file).isFile()) throw new UsageError(`cannot read ${file}: not a regular file`);
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    snapshot.remember(path.resolve(file), text);
    // Editors do not count a byte order mark as a column: neither do the reported positions.
    const bom = text.charCodeAt(0) === 0xfeff;
    if (bom) text = text.slice(1);
    const runner = runners.forFile(file, text, config);
    const analysis = analyze(text, { config, history: history.catalogBefore(file), runner });
    for (const e of analysis.internalErrors) process.stderr.write(`lockwise: internal error in ${toPosix(file)}, ${e} (the rest of the file was analysed)\n`);
    results.push({ path: toPosix(file), analysis, config, bom, runner });
  }
  return results;
}

function worstSeverityExitCode(results: FileResult[], failOn: Severity): number {
  const threshold = SEVERITY_RANK[failOn];
  return results.some((r) => r.analysis.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold)) ? 1 : 0;
}

async function lint(opts: Options): Promise<number> {
  const format = opts.format ?? 'text';
  if (!['text', 'json', 'sarif', 'github'].includes(format)) throw new UsageError(`--format for lint must be text, json, sarif or github, not "${format}"`);
  if (opts.dryRun && !opts.fix) throw new UsageError('--dry-run goes with --fix');
  let results = await analyzeFiles(opts);
  if (opts.explainRunner) {
    for (const r of results) process.stdout.write(`${r.path}: ${runnerText(r.analysis) ?? `plain psql (${r.runner?.choice.reason ?? 'no runner'})`}\n`);
    return 0;
  }
  if (opts.fix) {
    results = applyFixes(results, opts.dryRun);
    if (opts.dryRun) return 0;
  }
  const out = process.stdout;
  switch (format) {
    case 'json':
      out.write(JSON.stringify({ files: results.map((r) => ({ path: r.path, findings: r.analysis.findings.map((f) => stripFix(findingJson(r.analysis, f))) })) }, null, 2) + '\n');
      break;
    case 'sarif':
      out.write(JSON.stringify(sarif(results), null, 2) + '\n');
      break;
    case 'github':
      for (const r of results) for (const f of r.analysis.findings) out.write(githubAnnotation(r, f) + '\n');
      break;
    default:
      out.write(textReport(results, opts.color));
  }
  return worstSeverityExitCode(results, opts.failOn);
}

function stripFix<T extends { fix?: unknown }>(f: T): Omit<T, 'fix'> {
  const { fix: _fix, ...rest } = f;
  return rest;
}

/** Files a runner-aware fix creates beside the migration (a new migration after it, a runner config file): written and listed. */
function writeNewFiles(migration: string, files: NewFile[], dryRun: boolean): void {
  for (const f of files) {
    const target = path.resolve(path.dirname(migration), f.path);
    const shown = toPosix(path.relative(process.cwd(), target));
    if (dryRun) {
      process.stdout.write(createTwoFilesPatch('/dev/null', shown, '', f.text, '', '', { context: 3 }));
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.text);
    process.stderr.write(`${shown}: written by the fix of ${toPosix(migration)}\n`);
  }
}

function applyFixes(results: FileResult[], dryRun: boolean): FileResult[] {
  const runners = new RunnerDetector();
  const byPath = new Map(results.map((r) => [path.resolve(r.path), r.config]));
  const history = new HistoryProvider(undefined, (f, t) => runners.forFile(f, t, byPath.get(f) ?? DEFAULT_CONFIG));
  const out: FileResult[] = [];
  for (const r of results) {
    const options = { config: r.config, history: history.catalogBefore(r.path), runner: r.runner };
    const fixed = fixAll(r.analysis.text, options);
    if (fixed.text !== r.analysis.text) {
      if (dryRun) process.stdout.write(createTwoFilesPatch(r.path, r.path, r.analysis.text, fixed.text, '', '', { context: 3 }));
      else fs.writeFileSync(r.path, (r.bom ? '\uFEFF' : '') + fixed.text);
      process.stderr.write(`${r.path}: fixed ${fixed.fixed.length} finding(s): ${fixed.fixed.join(', ')}\n`);
      writeNewFiles(r.path, fixed.files, dryRun);
      history.invalidate();
    }
    // Re-detect: the fix may have written the runner's config file (Flyway .conf, diesel metadata.toml).
    const runner = dryRun ? r.runner : runners.forFile(r.path, fixed.text, r.config);
    out.push({ ...r, runner, analysis: dryRun ? r.analysis : analyze(fixed.text, { ...options, runner }) });
  }
  return out;
}

const COLORS = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

function textReport(results: FileResult[], color: boolean): string {
  const c = (k: keyof typeof COLORS, s: string) => (color ? COLORS[k] + s + COLORS.reset : s);
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const r of results) {
    const a = r.analysis;
    for (const f of a.findings) {
      counts[f.severity]++;
      const j = findingJson(a, f);
      lines.push(`${c('bold', `${r.path}:${j.line}:${j.column}`)} ${c(f.severity, f.severity)} ${c('dim', f.rule)} ${f.message}`);
      const lineIndex = j.line - 1;
      const src = a.text.slice(a.lines.lineStart(lineIndex), a.lines.lineEndOffset(lineIndex));
      lines.push(c('dim', `  ${String(j.line).padStart(4)} | `) + src);
      const width = j.endLine === j.line ? Math.max(1, j.endColumn - j.column) : Math.max(1, src.length - j.column + 1);
      lines.push(c('dim', '       | ') + ' '.repeat(Math.max(0, j.column - 1)) + c(f.severity, '^'.repeat(width)));
      if (f.fix) lines.push(c('dim', `       = fix: ${f.fix.title} (lockwise lint --fix)`));
    }
  }
  const total = counts.error + counts.warning + counts.info;
  lines.push(
    total
      ? `${total} finding(s) in ${results.length} file(s): ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info`
      : `No findings in ${results.length} file(s).`,
  );
  return lines.join('\n') + '\n';
}

function githubEscapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function githubEscapeProperty(s: string): string {
  return githubEscapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function githubAnnotation(r: FileResult, f: Analysis['findings'][number]): string {
  const j = findingJson(r.analysis, f);
  const level = f.severity === 'info' ? 'notice' : f.severity;
  const props = [`file=${githubEscapeProperty(r.path)}`, `line=${j.line}`, `col=${j.column}`, `endLine=${j.endLine}`, `endColumn=${j.endColumn}`, `title=${githubEscapeProperty(f.rule)}`];
  return `::${level} ${props.join(',')}::${githubEscapeData(f.message)}`;
}

function sarifLevel(s: Severity): string {
  return s === 'info' ? 'note' : s;
}

function sarif(results: FileResult[]) {
  const rules = RULES.map((r: Rule) => ({
    id: r.id,
    shortDescription: { text: r.docs.summary },
    fullDescription: { text: r.docs.why.replace(/[*`]/g, '') },
    help: { text: r.docs.safe.replace(/[*`]/g, ''), markdown: renderRuleDoc(r) },
    defaultConfiguration: { level: r.defaultSeverity === 'off' ? 'none' : sarifLevel(r.defaultSeverity), enabled: r.defaultSeverity !== 'off' },
    properties: { fixable: r.fixable },
  }));
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const sarifResults = results.flatMap((r) =>
    r.analysis.findings.map((f) => {
      const j = findingJson(r.analysis, f);
      const region = { startLine: j.line, startColumn: j.column, endLine: j.endLine, endColumn: j.endColumn };
      return {
        ruleId: f.rule,
        ruleIndex: ruleIndex.get(f.rule),
        level: sarifLevel(f.severity),
        message: { text: f.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(r.path) }, region } }],
        ...(j.fix
          ? {
              fixes: [
                {
                  description: { text: j.fix.title },
                  artifactChanges: [
                    {
                      artifactLocation: { uri: encodeURI(r.path) },
                      replacements: j.fix.edits.map((e) => ({
                        deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
                        insertedContent: { text: e.newText },
                      })),
                    },
                  ],
                },
              ],
            }
          : {}),
      };
    }),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'lockwise', version: VERSION, semanticVersion: VERSION, rules } }, results: sarifResults, columnKind: 'utf16CodeUnits' }],
  };
}

async function audit(opts: Options): Promise<number> {
  // A terminal gets aligned plain text; a pipe or a file gets markdown, as before.
  const format = opts.format ?? (process.stdout.isTTY ? 'text' : 'markdown');
  if (!['markdown', 'json', 'html', 'text'].includes(format)) throw new UsageError(`--format for audit must be markdown, text, html or json, not "${format}"`);
  if (opts.fix || opts.dryRun) throw new UsageError('--fix and --dry-run go with lint, not audit');
  const results = await analyzeFiles(opts);
  const files = results.map((r) => auditJson(r.path, r.analysis));
  const summary = overview(files.map(overviewFile));
  const out = process.stdout;
  if (format === 'json') out.write(JSON.stringify({ files }, null, 2) + '\n');
  else if (format === 'html') out.write(auditHtml(files, summary, { all: opts.all }));
  else if (format === 'text') out.write(auditText(files, summary, { all: opts.all }));
  else {
    const shown = opts.all ? files : files.filter(hasFindings);
    const head = overviewMarkdown(summary, { all: opts.all, allHint: '`--all` shows every file' });
    out.write(`# Lockwise audit\n\n${head}\n${shown.map((f) => auditFileMarkdown(f)).join('\n')}`);
  }
  return worstSeverityExitCode(results, opts.failOn);
}


main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`lockwise: ${error.message}\n`);
    } else {
      process.stderr.write(`lockwise: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.LOCKWISE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    }
    process.exitCode = 2;
  },
);
