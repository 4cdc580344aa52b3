/**
 * Hostile inputs, generated at test time (none of them is committed): huge files, a huge single
 * line, deep nesting, NUL bytes, invalid UTF-8, BOM, CRLF / lone CR line ends, emoji and combining
 * characters in front of a finding. Shared by the core, CLI and server robustness tests.
 */

export const MB = 1024 * 1024;

export interface HostileFile {
  name: string;
  /** Raw bytes as they would sit on disk. */
  bytes(): Buffer;
  /** The text an editor (or the CLI) decodes from them. */
  text(): string;
  /**
   * A finding every analysis must still produce, with its exact 0-based UTF-16 range (the text's
   * last statement is a plain `CREATE INDEX`, so the range is that keyword pair).
   */
  expect?: { rule: string; line: number; character: number; endCharacter: number };
}

const INDEX = 'CREATE INDEX hostile_idx ON t (c);';

/** The 0-based line and UTF-16 column of the last `CREATE INDEX` in `text` (lines split like the LSP). */
function lastIndexRange(text: string): HostileFile['expect'] {
  const at = text.lastIndexOf('CREATE INDEX hostile_idx');
  const before = text.slice(0, at);
  const lines = before.split(/\r\n|\r|\n/);
  const character = lines[lines.length - 1].length;
  return { rule: 'require-concurrent-index-creation', line: lines.length - 1, character, endCharacter: character + 'CREATE INDEX'.length };
}

function fromText(name: string, make: () => string, check = true): HostileFile {
  let cached: string | undefined;
  const text = () => (cached ??= make());
  return {
    name,
    text,
    bytes: () => Buffer.from(text(), 'utf8'),
    get expect() {
      return check ? lastIndexRange(text()) : undefined;
    },
  };
}

/** About `size` characters of a realistic dump: DDL, multi-row INSERTs, COPY data, comments, DO blocks. */
export function dumpLike(size: number, newline = '\n'): string {
  const parts: string[] = ["SET lock_timeout = '2s';", ''];
  let length = 0;
  for (let i = 0; length < size; i++) {
    let p: string;
    const table = `t${i - (i % 40)}`;
    switch (i % 40) {
      case 0:
        p = `CREATE TABLE ${table} (id bigint PRIMARY KEY, name text NOT NULL, note varchar(50), created_at timestamptz DEFAULT now());${newline}CREATE INDEX ${table}_name ON ${table} (name);`;
        break;
      case 1: {
        const rows: string[] = [];
        for (let r = 0; r < 1500; r++) rows.push(`(${r}, 'name ${r}; with ''quotes'', $$dollars$$ and -- dashes', NULL, now())`);
        p = `INSERT INTO ${table} VALUES${newline}${rows.join(`,${newline}`)};`;
        break;
      }
      case 2: {
        if (newline !== '\n') {
          p = `/* no COPY data on a single line */ SELECT 1;`;
          break;
        }
        const rows: string[] = [];
        for (let r = 0; r < 1500; r++) rows.push(`${r}\tname ${r}; ' " $$ /* \\N\t\\N\t2024-01-01`);
        p = `COPY ${table} (id, name, note, created_at) FROM stdin;\n${rows.join('\n')}\n\\.`;
        break;
      }
      case 3:
        p = `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'x${i}') THEN CREATE INDEX x${i} ON ${table} (note); END IF; END $$;`;
        break;
      default:
        // (a `--` comment would swallow the rest of a single-line file)
        p = `ALTER TABLE ${table} ADD COLUMN c${i} int; /* block ${i} */${newline === '\n' ? ` -- line comment ${i}` : ''}${newline}UPDATE ${table} SET c${i} = 1 WHERE id = ${i};`;
    }
    parts.push(p);
    length += p.length + newline.length;
  }
  parts.push(INDEX, '');
  return parts.join(newline);
}

/** Many tiny statements on one line: the worst case per byte (every statement is parsed and modelled). */
export function denseLine(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const p = i % 2 ? `ALTER TABLE t${i % 97} ADD COLUMN c${i} int;` : `SELECT ${i}, 'a;b', "q;q";`;
    parts.push(p);
    length += p.length + 1;
  }
  parts.push(INDEX);
  return parts.join(' ');
}

/** One line of `CREATE INDEX` statements: about 35,000 findings per MB, each with an excerpt of that line. */
export function findingsLine(size: number): string {
  const parts: string[] = [];
  for (let n = 0; n < size; n += parts[parts.length - 1].length + 1) parts.push(`CREATE INDEX i${parts.length} ON t (c);`);
  return parts.join(' ');
}

export const HOSTILE: HostileFile[] = [
  fromText('20 MB of SQL (dump-like)', () => dumpLike(20 * MB)),
  fromText('single 5 MB line', () => dumpLike(5 * MB, ' ')),
  fromText('1 MB of tiny statements on one line', () => denseLine(1 * MB)),
  fromText('100,000 nested parentheses', () => `SELECT ${'('.repeat(100000)}1${')'.repeat(100000)};\n${INDEX}\n`),
  fromText('100,000 unclosed parentheses', () => `SELECT ${'('.repeat(100000)};\n${INDEX}\n`),
  fromText('deep expression trees', () =>
    [
      `SELECT 1${' UNION SELECT 1'.repeat(20000)};`,
      `SELECT ${'CASE WHEN a THEN '.repeat(2000)}1${' END'.repeat(2000)};`,
      `SELECT * FROM ${'(SELECT * FROM '.repeat(2000)}t${') s'.repeat(2000)};`,
      `SELECT 1${'::int'.repeat(50000)};`,
      `ALTER TABLE t ADD CONSTRAINT big CHECK (a > 0${' OR a IS NOT NULL'.repeat(20000)}) NOT VALID;`,
      INDEX,
      '',
    ].join('\n'),
  ),
  fromText('NUL bytes', () => `\0\0SELECT \0;\nALTER TABLE "a\0b" ADD COLUMN x int;\n-- \0 in a comment\nSELECT '\0';\n${INDEX}\n`),
  {
    name: 'invalid UTF-8',
    // Lone continuation bytes, a truncated sequence, an overlong encoding, 0xFF: each decodes to U+FFFD.
    bytes: () =>
      Buffer.concat([
        Buffer.from("SELECT '"),
        Buffer.from([0x80, 0xbf, 0xc3, 0x28, 0xe2, 0x82, 0xc0, 0xaf, 0xff, 0xfe]),
        Buffer.from("';\nALTER TABLE x"),
        Buffer.from([0xf0, 0x9f, 0x98]),
        Buffer.from(` ADD COLUMN y int; `),
        Buffer.from(INDEX),
        Buffer.from('\n'),
      ]),
    text() {
      return this.bytes().toString('utf8');
    },
    get expect() {
      return lastIndexRange(this.text());
    },
  },
  {
    // Issue 12: --fix turned the é of a Latin-1 file into U+FFFD (bytes EF BF BD) for good.
    name: 'Latin-1 é',
    bytes: () =>
      Buffer.concat([
        Buffer.from('-- caf'),
        Buffer.from([0xe9]),
        Buffer.from(" cr\xe8me in Latin-1\nCOMMENT ON TABLE t IS 'd", 'latin1'),
        Buffer.from([0xe9]),
        Buffer.from(`j\xe0';\n${INDEX}\n`, 'latin1'),
      ]),
    text() {
      return this.bytes().toString('utf8');
    },
    get expect() {
      return lastIndexRange(this.text());
    },
  },
  {
    name: 'BOM',
    bytes: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${INDEX}\n`)]),
    // Editors drop the BOM from the document text; the CLI does too.
    text: () => `${INDEX}\n`,
    expect: { rule: 'require-concurrent-index-creation', line: 0, character: 0, endCharacter: 12 },
  },
  fromText('CRLF line ends', () => `-- header\r\nSET lock_timeout = '1s';\r\n\r\nSELECT 'multi\r\nline';\r\n/* a\r\nb */ ${INDEX}\r\n`),
  fromText('lone CR line ends', () => `-- header\rSET lock_timeout = '1s';\r\rSELECT 'multi\rline';\r/* a\rb */ ${INDEX}\r`),
  fromText('mixed line ends', () => `SELECT 1;\r\nSELECT 2;\rSELECT 3;\nSELECT '\r\n\r';\n\r${INDEX}\r\n`),
  fromText(
    'emoji and combining characters before a finding',
    () =>
      // Astral characters (2 UTF-16 units, 4 UTF-8 bytes), ZWJ sequences, skin tones, combining marks,
      // in a comment, a string and quoted identifiers on the finding's own line.
      `SET lock_timeout = '1s';\n/* 😀👨‍👩‍👧 */ SELECT 'e\u0301\u0301 🇫🇷 👍🏽', "ta\u0301ble😀"; -- ｗｉｄｅ 𝔘𝔫𝔦 ${'\u0301'.repeat(5)}\n😀 ; SELECT 'é😀'; ${INDEX}\n`,
  ),
  // Issue 12: one 330 KB statement (the editor's caches grew by megabytes per edit inside it), and
  // 2,000 fixable statements (a code-action request over all of them exhausted the server).
  fromText('one 330 KB INSERT ... VALUES', () => {
    const rows = Array.from({ length: 11000 }, (_, r) => `(${r}, 'name ${r}', ${r * 7})`);
    return `INSERT INTO t (a, b, c) VALUES ${rows.join(',\n')};\n${INDEX}\n`;
  }),
  fromText('2,000 fixable statements', () => `${Array.from({ length: 2000 }, (_, i) => `CREATE INDEX i${i} ON t (c);`).join('\n')}\n${INDEX}\n`),
];

export function hostileByName(name: string): HostileFile {
  const f = HOSTILE.find((h) => h.name === name);
  if (!f) throw new Error(`no hostile file named ${name}`);
  return f;
}
