import * as fs from 'fs';
import * as path from 'path';
import { XMLValidator } from 'fast-xml-parser';
import { runCli } from '../helpers/cli';
import { escapeData, escapeProperty } from '../../src/check/github';
import { xmlAttr, xmlText } from '../../src/check/junit';
import { parseJunit, tempDir } from './helpers';

/**
 * Log text is attacker-controlled and ends up in CI output: a GitHub workflow command must not be
 * injectable through it, the JUnit file must stay well-formed XML, the terminal must get no escapes.
 */

// XML 1.0 Char production: what may appear in a document at all.
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

describe('escaping primitives', () => {
  test('workflow-command properties escape % CR LF : and , ; data escapes % CR LF', () => {
    expect(escapeProperty('a%b\rc\nd:e,f')).toBe('a%25b%0Dc%0Ad%3Ae%2Cf');
    expect(escapeData('a%b\rc\nd:e,f')).toBe('a%25b%0Dc%0Ad:e,f');
    // Escaping %0A first-class: a literal "%0A" in a log must not decode to a newline on the runner.
    expect(escapeData('%0A::add-mask::x')).toBe('%250A::add-mask::x');
  });

  test('XML text and attributes: markup escaped, characters XML cannot carry made visible', () => {
    const hostile = 'a]]>b<c>&"\'\u0001\u001b\uFFFE\uD800z\r';
    const text = xmlText(hostile);
    const attr = xmlAttr(hostile + '\t\n');
    expect(text).toBe('a]]&gt;b&lt;c&gt;&amp;&quot;&apos;\\x01\\x1b\\ufffe\\ud800z&#13;');
    expect(attr).toBe('a]]&gt;b&lt;c&gt;&amp;&quot;&apos;\\x01\\x1b\\ufffe\\ud800z&#13;&#9;&#10;');
    expect(XML_CHAR.test(text) && XML_CHAR.test(attr)).toBe(true);
    // An astral character is one valid code point, not a pair of lone surrogates.
    expect(xmlText('\u{1F600}')).toBe('\u{1F600}');
  });
});

describe('check output on a hostile nginx error line', () => {
  let log: string;
  let dir: string;
  // Shaped as nginx writes an upstream error; the quoted part is what an upstream or client controls.
  const payload = 'x]]><evil/>\u0001\u001b[31m%0A::add-mask::s3cret\r::error file=x::injected,\u202e\uFFFE';
  beforeAll(() => {
    dir = tempDir();
    log = path.join(dir, 'error.log');
    fs.writeFileSync(
      log,
      `2024/05/01 10:00:00 [error] 1#1: *7 upstream sent invalid header: "${payload}" while reading response header from upstream, ` +
        'client: 127.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:1/", host: "a"\n',
    );
  });

  test('--github: exactly one workflow command per offending line, nothing injected', () => {
    const r = runCli(['check', log, '--forbid', 'failures', '--github']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\r\u001b\u202e]/);
    const commands = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(commands).toHaveLength(1);
    expect(commands[0].startsWith(`::error file=${log},line=1,title=upstream-doctor%3A forbid failures::`)).toBe(true);
    expect(commands[0]).toContain('%250A::add-mask::s3cret\\x0d::error file=x::injected,\\u202e');
  });

  test('--junit: well-formed XML whose failure text carries the payload as text', () => {
    const out = path.join(dir, 'junit.xml');
    const r = runCli(['check', log, '--forbid', 'failures', '--junit', out]);
    expect(r.code).toBe(1);
    const xml = fs.readFileSync(out, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(XML_CHAR.test(xml)).toBe(true);
    expect(xml).not.toContain('<evil/>');
    const report = parseJunit(xml);
    expect(report).toMatchObject({ tests: 1, failures: 1 });
    const failure = report.suites[0].cases[0].failure!;
    expect(failure.text).toContain(`${log}:1: upstream sent invalid header: "x]]><evil/>\\x01\\x1b[31m%0A::add-mask::s3cret\\x0d`);
  });

  test('the plain summary shows control characters as visible escapes', () => {
    const r = runCli(['check', log, '--forbid', 'failures']);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(r.stdout).toContain('\\x1b[31m');
  });
});
