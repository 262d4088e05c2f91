import { parseNumberList, parseStatusList, splitUpstreamList } from '../../src/parse/upstream-list';

/** The separator regex was rewritten to be linear; the splitting it does must not change. */
describe('splitUpstreamList', () => {
  test.each([
    ['127.0.0.1:9000', ['127.0.0.1:9000']],
    ['10.0.0.1:80, 10.0.0.2:80 : unix:/run/php.sock', ['10.0.0.1:80', '10.0.0.2:80', 'unix:/run/php.sock']],
    ['a,b', ['a', 'b']],
    ['a  ,  b   :   c', ['a', 'b', 'c']],
    ['unix:/run/php.sock:', ['unix:/run/php.sock:']],
    ['a :b', ['a :b']],
    ['  -  ', []],
    ['', []],
    [', , a', ['a']],
  ])('%j', (text, want) => {
    expect(splitUpstreamList(text)).toEqual(want);
  });

  test('status and number lists keep their per-attempt positions', () => {
    expect(parseStatusList('502, - : 200')).toEqual([502, null, 200]);
    expect(parseNumberList('60.001, - : 0.002')).toEqual([60.001, null, 0.002]);
  });

  test('a field of whitespace runs (tabs survive the scanner inside an item) splits to items', () => {
    const ws = ' \t'.repeat(100_000);
    expect(splitUpstreamList(`a${ws},${ws}b`)).toEqual(['a', 'b']);
  });
});
