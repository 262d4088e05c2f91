'use strict';
/**
 * Starts several commands at the same moment and waits for all of them: the bench's reference for
 * `--jobs 2`. Two `analyze --jobs 1` processes on half the directories each share nothing but
 * the machine, so the time they take together is what two jobs can get out of it at that moment;
 * a yardstick on two threads says less, as it scans bytes with memchr and hardly loads the cores.
 *
 *   node bench/together.js JSON   JSON: an array of argv arrays
 *
 * Exits with the highest exit code of the commands (their output is discarded; stderr is kept).
 */
const { spawn } = require('child_process');

const commands = JSON.parse(process.argv[2]);
let worst = 0;
let left = commands.length;
for (const argv of commands) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('error', (err) => {
    process.stderr.write(`${argv[0]}: ${err.message}\n`);
    worst = Math.max(worst, 127);
  });
  child.on('close', (code, signal) => {
    worst = Math.max(worst, signal ? 128 : code);
    if (--left === 0) process.exitCode = worst;
  });
}
