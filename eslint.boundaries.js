// Module boundaries and where SQL may live, as lint rules (see docs/architecture.md, "Module
// boundaries"): a module imports another module only through its index.ts; src/platform imports
// no module and not the app; SQL (Kysely's sql tag and query builders, raw pool queries) appears
// only in *.repo.ts files and src/platform/db/.
import path from 'node:path';

const SRC = path.join(import.meta.dirname, 'src');
const BUILDERS = new Set(['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'mergeInto', 'replaceInto', 'selectNoFrom']);
const SQL_NAMES = new Set(['sql', 'CompiledQuery']);

/** `src/modules/<name>/…` → name; else undefined. */
function moduleOf(file) {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel[0] === 'modules' && rel.length > 2 ? rel[1] : undefined;
}
const inPlatform = (file) => path.relative(SRC, file).split(path.sep)[0] === 'platform';
const inSrc = (file) => !path.relative(SRC, file).startsWith('..');

const importBoundaries = {
  meta: { type: 'problem', schema: [], messages: {
    crossModule: "Import module '{{target}}' through its index.ts, not '{{source}}'.",
    platformUp: "src/platform must not import '{{source}}': the platform knows no module and not the app.",
  } },
  create(context) {
    const file = context.filename;
    if (!inSrc(file)) return {};
    const own = moduleOf(file);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const rel = path.relative(SRC, target).split(path.sep);
      if (inPlatform(file) && (rel[0] === 'modules' || (rel.length === 1 && /^app\.[jt]s$/.test(rel[0])))) {
        context.report({ node, messageId: 'platformUp', data: { source } });
        return;
      }
      const other = rel[0] === 'modules' && rel.length > 2 ? rel[1] : undefined;
      if (other && other !== own && !(rel.length === 3 && /^index\.[jt]s$/.test(rel[2]))) {
        context.report({ node, messageId: 'crossModule', data: { source, target: other } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

const sqlInRepos = {
  meta: { type: 'problem', schema: [], messages: {
    sql: "SQL belongs in a *.repo.ts file (or src/platform/db): '{{what}}' here.",
  } },
  create(context) {
    const file = context.filename;
    if (!inSrc(file) || file.endsWith('.repo.ts') || path.relative(SRC, file).startsWith(`platform${path.sep}db${path.sep}`)) return {};
    return {
      ImportDeclaration(node) {
        if (node.source.value !== 'kysely') return;
        for (const s of node.specifiers) {
          if (s.type === 'ImportSpecifier' && s.importKind !== 'type' && node.importKind !== 'type' && SQL_NAMES.has(s.imported.name)) {
            context.report({ node: s, messageId: 'sql', data: { what: s.imported.name } });
          }
        }
      },
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return;
        const name = callee.property.name;
        const first = node.arguments[0];
        const rawSql = name === 'query' && first && (first.type === 'TemplateLiteral' || (first.type === 'Literal' && typeof first.value === 'string'));
        if (BUILDERS.has(name) || rawSql) context.report({ node: callee.property, messageId: 'sql', data: { what: `.${name}(…)` } });
      },
    };
  },
};

export const boundaries = { rules: { 'module-boundaries': importBoundaries, 'sql-in-repos': sqlInRepos } };
