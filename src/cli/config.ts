import { Argv } from 'yargs';
import { OUTPUT_VERSION } from '../model';
import { DEFAULT_APACHE_CONF, DEFAULT_NGINX_CONF, DiscoveredLog, Discovery } from '../config/discover-logs';
import { forTerminal } from '../report/sanitize';
import { makeTable } from '../report/table';
import { EXIT } from './exit-codes';
import { ConfigArgs, readConfigs } from './config-inputs';
import { UsageError } from './options';

/** `upstream-doctor config`: what the server configuration says about its logs, and whether they can be read. */

export interface ConfigCommandArgs extends ConfigArgs {
  format: 'table' | 'json';
  boxes?: boolean;
}

export function configCommand(y: Argv) {
  return y
    .option('nginx-conf', { type: 'string', describe: 'nginx configuration, or - for `nginx -T` output on stdin (default: /etc/nginx/nginx.conf)' })
    .option('apache-conf', { type: 'string', describe: 'Apache configuration (default: /etc/apache2/apache2.conf or /etc/httpd/conf/httpd.conf)' })
    .option('nginx-prefix', { type: 'string', describe: 'nginx -p prefix, against which relative log paths resolve (default: the configuration directory, or its parent when that is named conf)' })
    .option('format', { type: 'string', choices: ['table', 'json'] as const, default: 'table' as const })
    .option('boxes', { type: 'boolean', describe: 'box-drawing table borders (default: on a TTY)' });
}

/** The JSON shape: versioned with the report (fields are only ever added). */
export function configDocument(d: Discovery) {
  return {
    version: OUTPUT_VERSION,
    configs: d.configs,
    logs: d.logs.map((l: DiscoveredLog) => ({
      server: l.server,
      kind: l.kind,
      path: l.path,
      destination: l.destination,
      format: l.format,
      formatName: l.formatName,
      escape: l.escape ?? null,
      formatError: l.formatError,
      level: l.level ?? null,
      condition: l.condition ?? null,
      vhosts: l.vhosts,
      exists: l.exists,
      readable: l.readable,
      problem: l.problem,
      rotated: l.rotated,
      sources: l.sources,
      duplicateOf: l.duplicateOf,
    })),
    warnings: d.warnings,
  };
}

function statusOf(l: DiscoveredLog): string {
  if (l.readable && l.duplicateOf) return `readable; not read: same requests as ${l.duplicateOf}`;
  if (l.readable) return l.rotated.length > 0 ? `readable (+${l.rotated.length} rotated)` : 'readable';
  return l.problem ?? 'not readable';
}

function formatCell(l: DiscoveredLog): string {
  if (l.kind.endsWith('-error')) return [l.level ? `level ${l.level}` : '', l.format ?? ''].filter(Boolean).join(': ');
  const name = l.formatName ?? '?';
  const escape = l.escape && l.escape !== 'default' ? ` escape=${l.escape}` : '';
  return `${name}${escape}: ${l.format ?? '(unknown format)'}${l.condition ? ` [only if ${l.condition}]` : ''}`;
}

export function renderConfig(d: Discovery, boxes: boolean): string {
  const out: string[] = [];
  for (const c of d.configs) {
    const name = c.path === '-' ? `from \`nginx -T\` on stdin (${forTerminal(c.files[0] ?? '')})` : forTerminal(c.path);
    out.push(`${c.server} configuration ${name}: ${c.files.length} file(s) read`);
  }
  const t = makeTable(['kind', 'log', 'virtual host', 'format', 'status'], { boxes, color: false });
  for (const l of d.logs) {
    t.push([l.kind, forTerminal(l.path), forTerminal(l.vhosts.join(' ') || '(main server)'), forTerminal(formatCell(l)), statusOf(l)]);
  }
  out.push(d.logs.length > 0 ? t.toString() : 'The configuration names no logs.');
  for (const w of d.warnings) out.push(`warning: ${forTerminal(w)}`);
  return out.join('\n') + '\n';
}

export async function runConfig(argv: ConfigCommandArgs): Promise<number> {
  const d = readConfigs(argv);
  if (d && d.configs.length === 0) throw new UsageError(d.warnings.join('\n'));
  if (!d) {
    throw new UsageError(
      `no server configuration found (looked for ${[...DEFAULT_NGINX_CONF, ...DEFAULT_APACHE_CONF].join(', ')}); name one with --nginx-conf or --apache-conf`,
    );
  }
  if (argv.format === 'json') process.stdout.write(JSON.stringify(configDocument(d), null, 2) + '\n');
  else process.stdout.write(renderConfig(d, argv.boxes ?? Boolean(process.stdout.isTTY)));
  return EXIT.OK;
}
