import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { ROOT } from './cli';

/**
 * Every regular expression in src/, found by parsing the sources with the TypeScript compiler:
 * regex literals anywhere (module constants, signature rows, inline `.test()` calls), so a regex
 * added by anyone is checked without being registered. `RegExp(...)` constructor calls are listed
 * separately: their pattern is not known statically, so the suite refuses them unless allowed.
 */

export interface FoundRegex {
  where: string; // src/parse/nginx-error.ts:27
  source: string;
  flags: string;
}

export interface Inventory {
  literals: FoundRegex[];
  constructorCalls: string[]; // where
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

export function regexInventory(srcDir = path.join(ROOT, 'src')): Inventory {
  const literals: FoundRegex[] = [];
  const constructorCalls: string[] = [];
  for (const file of sourceFiles(srcDir)) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (n: ts.Node) => `${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = n.getText();
        const slash = text.lastIndexOf('/');
        literals.push({ where: where(n), source: text.slice(1, slash), flags: text.slice(slash + 1) });
      } else if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && ts.isIdentifier(n.expression) && n.expression.text === 'RegExp') {
        constructorCalls.push(where(n));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { literals, constructorCalls };
}
