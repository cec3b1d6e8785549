/**
 * Option-file cases: the text of one or more files, what our reader reads from them, and what the
 * servers' own reader (`my_print_defaults --defaults-file=my.cnf <our groups>`) prints, per flavour
 * where they differ. test/unit/mycnf.test.ts checks our side; test/integration/option-files.test.ts
 * checks the clients' side against each flavour's my_print_defaults.
 *
 * `@DIR@` in a file's text or a path stands for the folder the case is written to, as the reader
 * that runs sees it (inside the root for a chroot flavour).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MyCnfClient } from '../../src/config/mycnf.js';

export type CaseFile = string | { text?: string; bytes?: Buffer; mode?: number } | { dir: true };

/**
 * What a flavour's my_print_defaults does: the lines it prints (exit 0; a string is UTF-8, a Buffer
 * the exact bytes), or that it stops (exit != 0).
 */
export type ClientsRead = (string | Buffer)[] | 'fails';

export interface OptionFileCase {
  name: string;
  /** path (relative to the case folder) -> content; the file read is `my.cnf` */
  files: Record<string, CaseFile>;
  /** Run from this folder of the case (relative paths in includes are taken from it). */
  cwd?: string;
  /** What our reader reads (`--name=value` lines, as my_print_defaults prints them), or the refusal. */
  reads: string[] | RegExp;
  /** What the clients read when it is not `reads`; one value for all flavours, or per flavour. */
  clients?: ClientsRead | Partial<Record<'local' | 'mysql' | 'mariadb-lts', ClientsRead>>;
  /** What binlog-flusher takes from the file (clientOptions), or its refusal. */
  client?: MyCnfClient | RegExp;
}

const C = (body: string) => `[client]\n${body}`;
const deep = (n: number): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      i === 0 ? 'my.cnf' : `f${i}.cnf`,
      i === n - 1 ? `[client]\nuser=level${i}\n` : `[client]\nuser=level${i}\n!include @DIR@/f${i + 1}.cnf\n`,
    ]),
  );

export const OPTION_FILE_CASES: OptionFileCase[] = [
  {
    name: 'a ";" inside a password is part of it',
    files: { 'my.cnf': C('user=u\npassword=pa;ss=wo\n') },
    reads: ['--user=u', '--password=pa;ss=wo'],
    client: { user: 'u', password: 'pa;ss=wo' },
  },
  {
    name: '!include reads the file there, then the including file goes on in its group',
    files: {
      'my.cnf': C('user=main\n!include @DIR@/extra.cnf\nhost=after\n'),
      'extra.cnf': '[client]\npassword=from-extra\n[mysqld]\nport=1\n',
    },
    reads: ['--user=main', '--password=from-extra', '--host=after'],
    client: { user: 'main', password: 'from-extra', host: 'after' },
  },
  {
    name: '!includedir reads *.cnf only (case matters, hidden ones too), in byte order',
    files: {
      'my.cnf': C('user=u\n!includedir @DIR@/d/\nport=1\n'),
      'd/b.cnf': C('socket=b\n'),
      'd/a.cnf': C('socket=a\n'),
      'd/B.cnf': C('socket=B\n'),
      'd/_u.cnf': C('socket=_u\n'),
      'd/.h.cnf': C('socket=.h\n'),
      'd/c.ini': C('socket=ini\n'),
      'd/C.CNF': C('socket=CNF\n'),
      'd/z': C('socket=z\n'),
      'd/dir.cnf': { dir: true },
    },
    reads: ['--user=u', '--socket=.h', '--socket=B', '--socket=_u', '--socket=a', '--socket=b', '--port=1'],
    client: { user: 'u', socket: 'b', port: '1' },
  },
  {
    name: 'comments: "#" anywhere outside quotes, ";" only at a line\'s start',
    files: {
      'my.cnf': C(
        '# a comment\n; another\n   # indented\n\t; indented\nhost=db#1\nuser=a;b # c\nport = 3306 ; x\n',
      ),
    },
    reads: ['--host=db', '--user=a;b', '--port=3306 ; x'],
    client: { host: 'db', user: 'a;b', port: '3306 ; x' },
  },
  {
    name: 'a comment is not read, whatever its bytes',
    files: {
      'my.cnf': { bytes: Buffer.from('# caf\xe9 (latin1)\n[client]\nuser=u # na\xefve\n', 'latin1') },
    },
    reads: ['--user=u'],
    client: { user: 'u' },
  },
  {
    name: 'quotes: a matching pair is dropped and protects "#"; a lone or odd quote stays',
    files: {
      'my.cnf': C(
        'password="x # y"  # c\nuser=\'it"s\'\nhost=it\'s#x\nq1="\nq2=""\nq3="abc\nq4="ab"cd"\nq5=\'a"\nsocket=" spaced "\n',
      ),
    },
    reads: [
      '--password=x # y',
      '--user=it"s',
      "--host=it's#x",
      '--q1="',
      '--q2=',
      '--q3="abc',
      '--q4=ab"cd',
      '--q5=\'a"',
      '--socket= spaced ',
    ],
    client: { password: 'x # y', user: 'it"s', host: "it's#x", socket: ' spaced ' },
  },
  {
    name: 'escapes: \\n \\t \\r \\b \\s \\" \\\' \\\\; others and a final \\ stay',
    files: { 'my.cnf': C('password=a\\nb\\tc\\\\d\\se\\"f\\\'g\\qh\\rx\\by\\\nuser="q\\"t"\n') },
    reads: ['--password=a\nb\tc\\d e"f\'g\\qh\rx\by\\', '--user=q"t'],
    client: { password: 'a\nb\tc\\d e"f\'g\\qh\rx\by\\', user: 'q"t' },
  },
  {
    name: 'an escaped quote inside quotes keeps a "#" after it quoted',
    files: { 'my.cnf': C('password="a\\"#b"\n') },
    reads: ['--password=a"#b'],
    client: { password: 'a"#b' },
  },
  {
    name: 'a quote anywhere on the line, even in the name, protects a later "#"',
    files: { 'my.cnf': C('na"me=x#y\nuser=a"b"#c\n') },
    reads: ['--na"me=x#y', '--user=a"b"'],
    client: { user: 'a"b"' },
  },
  {
    name: 'quotes that do not enclose the whole value stay; "=" in a value stays',
    files: { 'my.cnf': C('password="a" b\nuser=k=v=w\nhost="  "\nsocket="a\\"\n') },
    reads: ['--password="a" b', '--user=k=v=w', '--host=  ', '--socket=a\\'],
    client: { password: '"a" b', user: 'k=v=w', host: '  ', socket: 'a\\' },
  },
  {
    name: 'spaces and tabs around "=" and the line; CRLF line ends',
    files: { 'my.cnf': '[client]\r\n  user \t=\t a b  \r\n\tpassword = "p w" \r\n' },
    reads: ['--user=a b', '--password=p w'],
    client: { user: 'a b', password: 'p w' },
  },
  {
    name: 'loose- prefixes and "_" for "-"',
    files: {
      'my.cnf': C('loose-ssl-mode=REQUIRED\nssl_ca=/ca.pem\nloose_ssl_cert=/c.pem\nssl-key=/k.pem\n'),
    },
    reads: ['--loose-ssl-mode=REQUIRED', '--ssl_ca=/ca.pem', '--loose_ssl_cert=/c.pem', '--ssl-key=/k.pem'],
    client: { 'ssl-mode': 'REQUIRED', 'ssl-ca': '/ca.pem', 'ssl-cert': '/c.pem', 'ssl-key': '/k.pem' },
  },
  {
    name: 'options with no value, and options we do not use, are read and ignored',
    files: { 'my.cnf': C('user=u\nno-beep\ndefault-character-set=utf8mb4\ncompress\n') },
    reads: ['--user=u', '--no-beep', '--default-character-set=utf8mb4', '--compress'],
    client: { user: 'u' },
  },
  {
    name: 'a later option wins, whatever its group; group order does not matter',
    files: {
      'my.cnf':
        '[client-mariadb]\nuser=m\n[client]\nuser=c\npassword=one\n[client-server]\npassword=two\n[binlog-flusher]\nport=3307\n',
    },
    reads: ['--user=m', '--user=c', '--password=one', '--password=two', '--port=3307'],
    client: { user: 'c', password: 'two', port: '3307' },
  },
  {
    name: 'an empty value is an empty value',
    files: { 'my.cnf': C('user=u\npassword=\nhost=  \n') },
    reads: ['--user=u', '--password=', '--host='],
    client: { user: 'u', password: '', host: '' },
  },
  {
    name: 'group names are compared without case; trailing spaces and text after "]" are dropped',
    files: {
      'my.cnf': '[CLIENT]\nuser=a\n[Client-Server ]\nhost=h\n[client] # c\nport=1\n[client]x]\nsocket=s\n',
    },
    reads: ['--user=a', '--host=h', '--port=1', '--socket=s'],
    client: { user: 'a', host: 'h', port: '1', socket: 's' },
  },
  {
    name: 'group names: "_" is not "-"',
    files: { 'my.cnf': '[client_server]\nuser=us\n[client-mariadb]\nhost=h\n[binlog_flusher]\nport=1\n' },
    reads: ['--host=h'],
    client: /my\.cnf line 1: \[client_server\] is not \[client-server\]: .* write \[client-server\]/,
  },
  {
    name: 'other groups ([mysqld], [mysql]) are not read',
    files: { 'my.cnf': '[mysqld]\nport=1\n[mysql]\nuser=cli\n[client]\nuser=u\n' },
    reads: ['--user=u'],
    client: { user: 'u' },
  },
  {
    name: 'an included file starts with no group; the includer keeps its own',
    files: {
      'my.cnf': '!include @DIR@/g.cnf\n[client]\nuser=u\n!include @DIR@/g.cnf\nhost=h\n',
      'g.cnf': '[mysqld]\nport=5\n',
    },
    reads: ['--user=u', '--host=h'],
    client: { user: 'u', host: 'h' },
  },
  {
    name: 'directives: spaces after "!", a tab, spaces in the path, trailing spaces',
    files: {
      'my.cnf': C('!   include @DIR@/sp ace/s.cnf   \n!include\t@DIR@/t.cnf\n'),
      'sp ace/s.cnf': C('user=space\n'),
      't.cnf': C('host=tab\n'),
    },
    reads: ['--user=space', '--host=tab'],
  },
  {
    name: 'a relative include path is taken from the current directory',
    files: { 'my.cnf': C('!include sub/r.cnf\n'), 'sub/r.cnf': C('user=rel\n') },
    cwd: '.',
    reads: ['--user=rel'],
  },
  {
    name: 'includes 10 levels deep are read',
    files: deep(11),
    reads: Array.from({ length: 11 }, (_, i) => `--user=level${i}`),
    client: { user: 'level10' },
  },
  {
    name: 'a line of 4094 bytes is read whole',
    files: { 'my.cnf': C(`user=${'a'.repeat(4089)}\nhost=h\n`) },
    reads: [`--user=${'a'.repeat(4089)}`, '--host=h'],
  },
  // ---- refused by us: the clients refuse them too
  {
    name: 'an option before any group',
    files: { 'my.cnf': 'user=x\n[client]\n' },
    reads: /my\.cnf line 1: an option before any \[group\] line/,
    clients: 'fails',
  },
  {
    name: 'a group line without "]"',
    files: { 'my.cnf': '[client\nuser=x\n' },
    reads: /my\.cnf line 1: a \[group\] line without its "\]"/,
    clients: 'fails',
  },
  {
    name: '!include with no path',
    files: { 'my.cnf': C('user=u\n!include   \n') },
    reads: /my\.cnf line 3: !include has no path after it/,
    clients: 'fails',
  },
  {
    name: 'a missing !includedir',
    files: { 'my.cnf': C('user=u\n!includedir @DIR@/nodir\n') },
    reads: /nodir does not exist \(named by !includedir .* line 3\)/,
    clients: 'fails',
  },
  {
    name: 'a byte-order mark',
    files: { 'my.cnf': '\ufeff[client]\nuser=x\n' },
    reads: /my\.cnf line 1: the file starts with a UTF-8 byte-order mark/,
    clients: 'fails',
  },
  // ---- refused by us: the clients warn, go on, or read something no one means
  {
    name: 'a TLS option binlog-flusher does not apply (skip-ssl): refused, not passed over',
    files: { 'my.cnf': C('user=u\nskip-ssl\n') },
    reads: ['--user=u', '--skip-ssl'],
    client: /my\.cnf line 3: \[client\] skip-ssl: binlog-flusher takes TLS from ssl-mode/,
  },
  {
    name: 'a TLS option binlog-flusher does not apply (ssl-verify-server-cert): refused, not passed over',
    files: { 'my.cnf': C('user=u\nssl-verify-server-cert\n') },
    reads: ['--user=u', '--ssl-verify-server-cert'],
    client: /my\.cnf line 3: \[client\] ssl-verify-server-cert: binlog-flusher takes TLS from ssl-mode/,
  },
  {
    name: 'a missing !include file',
    files: { 'my.cnf': C('user=u\n!include @DIR@/nope.cnf\nhost=h\n') },
    reads: /nope\.cnf does not exist \(named by !include .*my\.cnf line 3\)/,
    clients: ['--user=u', '--host=h'],
  },
  {
    name: 'a relative !include path that is not there from the current directory',
    files: { 'my.cnf': C('user=u\n!include sub/r.cnf\n'), 'sub/r.cnf': C('host=h\n') },
    cwd: 'sub',
    reads: /sub\/sub\/r\.cnf does not exist .*relative path from the current directory/,
    clients: ['--user=u'],
  },
  {
    name: 'an option before any group in an included file',
    files: {
      'my.cnf': C('user=u\n!include @DIR@/bad.cnf\nhost=h\n'),
      'bad.cnf': 'port=9\n[client]\nsocket=s\n',
    },
    reads: /bad\.cnf line 1: an option before any \[group\] line .*\(named by !include .*my\.cnf line 3\)/,
    clients: ['--user=u', '--host=h'],
  },
  {
    name: 'a file that includes itself',
    files: { 'my.cnf': C('user=u\n!include @DIR@/my.cnf\n') },
    reads: /my\.cnf line 3: !include .* reads .*my\.cnf again, .*an include cycle/,
    clients: Array.from({ length: 11 }, () => '--user=u'),
  },
  {
    name: 'includes 11 levels deep',
    files: deep(12),
    reads: /f10\.cnf line 3: includes nest deeper than the 10 levels the clients read/,
    clients: Array.from({ length: 11 }, (_, i) => `--user=level${i}`),
  },
  {
    name: 'a directive the clients do not know',
    files: { 'my.cnf': C('user=u\n!INCLUDE @DIR@/x.cnf\n'), 'x.cnf': C('host=h\n') },
    reads: /my\.cnf line 3: not a directive the clients know/,
    clients: ['--user=u'],
  },
  {
    name: 'a "#" in an include path: MySQL cuts the path there, MariaDB does not',
    files: { 'my.cnf': C('user=u\n!include @DIR@/x.cnf # the extra\n'), 'x.cnf': C('host=h\n') },
    reads: /my\.cnf line 3: the path of !include holds a "#"/,
    clients: { local: ['--user=u'], mysql: ['--user=u', '--host=h'], 'mariadb-lts': ['--user=u'] },
  },
  {
    name: 'a group name that starts with a space',
    files: { 'my.cnf': '[ client]\nuser=x\n[client]\nhost=h\n' },
    reads: /my\.cnf line 1: a group name that starts with a space/,
    clients: ['--host=h'],
  },
  {
    name: 'a world-writable file',
    files: { 'my.cnf': { text: C('user=u\n'), mode: 0o666 } },
    reads: /my\.cnf is writable by every user, and the MySQL and MariaDB clients ignore such a file/,
    clients: [],
  },
  {
    name: 'a value with no name',
    files: { 'my.cnf': C('user=u\n=v\n') },
    reads: /my\.cnf line 3: a value with no option name/,
    clients: ['--user=u', '--=v'],
  },
  {
    name: 'a line longer than 4094 bytes: MariaDB cuts it in two, MySQL does not',
    files: { 'my.cnf': C(`user=${'a'.repeat(4090)}\n`) },
    reads: /my\.cnf line 2: a line longer than 4094 bytes/,
    clients: {
      local: [`--user=${'a'.repeat(4089)}`, '--a'],
      mysql: [`--user=${'a'.repeat(4090)}`],
      'mariadb-lts': [`--user=${'a'.repeat(4089)}`, '--a'],
    },
  },
  {
    name: 'a value ending in "à": the clients strip its last byte (0xA0) as a space',
    files: { 'my.cnf': C('user=u\npassword=voilà\n') },
    reads: /my\.cnf line 3: the value of password is not UTF-8 once the clients have read it/,
    clients: ['--user=u', Buffer.from('--password=voil\xc3', 'latin1')],
  },
  {
    name: 'bytes that are not UTF-8',
    files: { 'my.cnf': { bytes: Buffer.from('[client]\nuser=\xff\xfe\n', 'latin1') } },
    reads: /my\.cnf line 2: the line is not UTF-8 text/,
    clients: [Buffer.from('--user=\xff\xfe', 'latin1')],
  },
];

/** A case's files in a new folder under `parent`; returns the folder. `inside` maps it for the reader. */
export function writeCase(c: OptionFileCase, parent: string, inside: (p: string) => string): string {
  const dir = mkdtempSync(join(parent, 'bf-optfile-'));
  const seen = inside(dir);
  for (const [rel, f] of Object.entries(c.files)) {
    const path = join(dir, rel);
    if (typeof f === 'object' && 'dir' in f) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    const bytes = typeof f === 'string' ? Buffer.from(f) : (f.bytes ?? Buffer.from(f.text ?? ''));
    writeFileSync(path, Buffer.from(bytes.toString('latin1').replaceAll('@DIR@', seen), 'latin1'));
    if (typeof f === 'object' && f.mode !== undefined) chmodSync(path, f.mode);
  }
  return dir;
}

export function removeCase(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** my_print_defaults' lines for what our reader read, for the groups we read. */
export function printed(
  options: { group: string; name: string; value?: string }[],
  groups: readonly string[],
): string[] {
  return options
    .filter((o) => groups.includes(o.group.toLowerCase()))
    .map((o) => (o.value === undefined ? `--${o.name}` : `--${o.name}=${o.value}`));
}
