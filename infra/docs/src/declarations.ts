// Reads exported declarations out of TypeScript source without compiling it: an interface's
// members (name, type, optional, doc comment) and a function's signature and doc comment.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** A member of an interface. */
export interface MemberDoc {
  name: string;
  type: string;
  optional: boolean;
  doc: string;
}

/** An exported function or interface of one file. */
export interface DeclarationDoc {
  name: string;
  kind: 'function' | 'interface' | 'type';
  doc: string;
  /** Functions: `name(params): result`; types: their text; interfaces: empty. */
  signature: string;
  members: MemberDoc[];
}

/** The doc comment of a node as one line, `{@link X}` as `X`. */
function docOf(node: ts.Node): string {
  const texts = ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '');
  return texts
    .join(' ')
    .replace(/\{@link\s+([^}\s]+)\s*\}/g, '`$1`')
    .replace(/\s+/g, ' ')
    .trim();
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function membersOf(node: ts.InterfaceDeclaration, sf: ts.SourceFile): MemberDoc[] {
  return node.members.flatMap((m): MemberDoc[] => {
    if (!m.name) return [];
    const name = m.name.getText(sf);
    if (ts.isPropertySignature(m))
      return [
        { name, type: oneLine(m.type?.getText(sf) ?? 'unknown'), optional: !!m.questionToken, doc: docOf(m) },
      ];
    if (ts.isMethodSignature(m)) {
      const params = m.parameters.map((p) => oneLine(p.getText(sf))).join(', ');
      const type = `(${params}) => ${oneLine(m.type?.getText(sf) ?? 'void')}`;
      return [{ name, type, optional: !!m.questionToken, doc: docOf(m) }];
    }
    return [];
  });
}

/** The exported functions, interfaces and type aliases of a file, by name. */
export function declarationsOf(file: string): Map<string, DeclarationDoc> {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023, true);
  const out = new Map<string, DeclarationDoc>();
  const exported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const node of sf.statements) {
    if (!exported(node)) continue;
    if (ts.isFunctionDeclaration(node) && node.name) {
      const name = node.name.getText(sf);
      const params = node.parameters.map((p) => oneLine(p.getText(sf))).join(', ');
      const result = node.type ? `: ${oneLine(node.type.getText(sf))}` : '';
      out.set(name, {
        name,
        kind: 'function',
        doc: docOf(node),
        signature: `${name}(${params})${result}`,
        members: [],
      });
    } else if (ts.isInterfaceDeclaration(node)) {
      const name = node.name.getText(sf);
      out.set(name, {
        name,
        kind: 'interface',
        doc: docOf(node),
        signature: '',
        members: membersOf(node, sf),
      });
    } else if (ts.isTypeAliasDeclaration(node)) {
      const name = node.name.getText(sf);
      out.set(name, {
        name,
        kind: 'type',
        doc: docOf(node),
        signature: oneLine(node.type.getText(sf)),
        members: [],
      });
    }
  }
  return out;
}
