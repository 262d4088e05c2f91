import { runCli } from './helpers/cli';

describe('cli', () => {
  test('no command is a usage error with exit 2 and one line', () => {
    const r = runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/name a command/);
  });

  test('a path that does not exist: exit 2, one line naming the path and the reason', () => {
    const r = runCli(['analyze', '/nonexistent/nginx']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('upstream-doctor: /nonexistent/nginx: no such file or directory');
  });
});
