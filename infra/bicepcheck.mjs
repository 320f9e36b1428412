// bicepcheck parses every .bicep file under a folder with the tree-sitter
// Bicep grammar and prints, as JSON, what infra/bicep_test.go checks: per
// file the parameters, variables, types, outputs, modules and resources
// (type@apiVersion and their properties flattened to dotted paths, array
// elements as path[i], each value with the ternary conditions it sits
// under), and for
// each Microsoft.Web/sites resource the app settings it sets.
//
// Usage: node infra/bicepcheck.mjs [DIR]   (DIR defaults to infra/bicep)
//
// Exit status 1, with every ERROR and MISSING node on stderr, when a file
// does not parse. Syntax only: Bicep's own compiler (az bicep build) also
// checks types, property names and API versions.

import { Parser, Language } from 'web-tree-sitter';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, 'bicep'));

const require = createRequire(import.meta.url);
const grammarDir = path.dirname(require.resolve('tree-sitter-bicep/package.json'));

await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(path.join(grammarDir, 'tree-sitter-bicep.wasm')));

function bicepFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...bicepFiles(p));
    else if (entry.name.endsWith('.bicep')) out.push(p);
  }
  return out.sort();
}

// Every ERROR or MISSING node, as "file:line:col: message".
function syntaxErrors(node, file) {
  const found = [];
  const visit = (n) => {
    if (n.type === 'ERROR' || n.isMissing) {
      const { row, column } = n.startPosition;
      const what = n.isMissing ? `missing ${n.type}` : `unexpected ${JSON.stringify(n.text.slice(0, 40))}`;
      found.push(`${file}:${row + 1}:${column + 1}: ${what}`);
    }
    if (n.hasError || n.isMissing) for (const c of n.children) visit(c);
  };
  visit(node);
  if (node.hasError && found.length === 0) found.push(`${file}: parse error`);
  return found;
}

// The text of a string literal without its quotes, or null when it holds an
// interpolation or is not a string.
function literalString(n) {
  if (!n || n.type !== 'string') return null;
  if (n.namedChildren.some((c) => c.type === 'interpolation')) return null;
  return n.namedChildren.map((c) => c.text).join('').replace(/\\'/g, "'").replace(/\\\\/g, '\\');
}

function propertyKey(prop) {
  const k = prop.namedChildren[0];
  return literalString(k) ?? k.text;
}

function propertyValue(prop) {
  const kids = prop.namedChildren;
  return kids[kids.length - 1];
}

// The condition that holds in the other branch of a ternary.
function negate(cond) {
  if (/^![\w.]+$/.test(cond)) return cond.slice(1);
  return /^[\w.]+$/.test(cond) ? `!${cond}` : `!(${cond})`;
}

function unwrap(n) {
  while (n && n.type === 'parenthesized_expression' && n.namedChildren.length === 1) n = n.namedChildren[0];
  return n;
}

function analyse(tree, relFile) {
  const vars = new Map(); // name -> value node
  const params = new Set();
  const file = { params: {}, vars: {}, varProps: {}, types: {}, outputs: {}, imports: [], resources: [], modules: [] };

  // Pass 1: names, so that references to variables can be followed.
  for (const st of tree.rootNode.namedChildren) {
    if (st.type === 'variable_declaration') vars.set(st.namedChildren[0].text, st.namedChildren[1]);
    if (st.type === 'parameter_declaration') params.add(st.namedChildren[0].text);
  }

  // Flattens an object literal into dotted paths -> the values each may take,
  // following variables; a ternary contributes both branches, each with its
  // condition (or the negation) added to `when`.
  function flatten(node, prefix, out, when = [], depth = 0) {
    node = unwrap(node);
    const put = (text) => (out[prefix] ??= []).push({ value: text, when });
    if (depth > 8) return put(node.text);
    if (node.type === 'object') {
      const entries = node.namedChildren.filter((c) => c.type === 'object_property');
      if (entries.length === 0 && prefix) put(node.text); // {}: the key is there
      for (const prop of entries) {
        const key = propertyKey(prop);
        flatten(propertyValue(prop), prefix ? `${prefix}.${key}` : key, out, when, depth + 1);
      }
    } else if (node.type === 'ternary_expression') {
      const cond = unwrap(node.childForFieldName('condition')).text;
      flatten(node.childForFieldName('consequence'), prefix, out, [...when, cond], depth + 1);
      flatten(node.childForFieldName('alternative'), prefix, out, [...when, negate(cond)], depth + 1);
    } else if (node.type === 'identifier' && vars.has(node.text) && ['object', 'ternary_expression', 'array'].includes(unwrap(vars.get(node.text)).type)) {
      flatten(vars.get(node.text), prefix, out, when, depth + 1);
    } else if (node.type === 'array') {
      // The whole array, and each element at prefix[i].
      put(node.text);
      node.namedChildren.forEach((el, i) => flatten(el, `${prefix}[${i}]`, out, when, depth + 1));
    } else {
      put(node.text);
    }
    return out;
  }

  // The value node at a dotted path of an object literal (following variables).
  function lookup(node, keys) {
    node = unwrap(node);
    if (node?.type === 'identifier' && vars.has(node.text)) node = unwrap(vars.get(node.text));
    if (keys.length === 0) return node;
    if (node?.type !== 'object') return null;
    const prop = node.namedChildren.find((c) => c.type === 'object_property' && propertyKey(c) === keys[0]);
    return prop ? lookup(propertyValue(prop), keys.slice(1)) : null;
  }

  // App settings: the {name, value} list or the loop over items(X), where X is
  // built from object literals, variables, union() and ternaries. Each setting
  // records the ternary conditions it sits under; what cannot be read
  // statically (a parameter, another function) is listed as dynamic.
  function appSettings(node) {
    const settings = [];
    const dynamic = [];
    const fromObject = (n, when, via) => {
      n = unwrap(n);
      if (n.type === 'object') {
        for (const prop of n.namedChildren.filter((c) => c.type === 'object_property')) {
          settings.push({ name: propertyKey(prop), value: propertyValue(prop).text, when, via });
        }
      } else if (n.type === 'identifier' && vars.has(n.text)) {
        fromObject(vars.get(n.text), when, n.text);
      } else if (n.type === 'identifier' && params.has(n.text)) {
        dynamic.push({ source: `param ${n.text}`, when });
      } else if (n.type === 'call_expression' && n.childForFieldName('function').text === 'union') {
        for (const arg of n.childForFieldName('arguments').namedChildren) fromObject(arg, when, via);
      } else if (n.type === 'ternary_expression') {
        const cond = unwrap(n.childForFieldName('condition')).text;
        fromObject(n.childForFieldName('consequence'), [...when, cond], via);
        fromObject(n.childForFieldName('alternative'), [...when, negate(cond)], via);
      } else {
        dynamic.push({ source: via ? `var ${via}` : n.text, when });
      }
    };
    node = unwrap(node);
    if (node.type === 'for_statement') {
      // Node objects are fresh on every call: compare ids, not references.
      const skip = [node.childForFieldName('body')?.id, node.childForFieldName('initializer')?.id];
      const iterable = node.namedChildren.find((c) => !skip.includes(c.id) && c.type !== 'for_loop_parameters');
      const fn = iterable?.type === 'call_expression' ? iterable.childForFieldName('function').text : '';
      if (fn === 'items') fromObject(iterable.childForFieldName('arguments').namedChildren[0], [], null);
      else dynamic.push({ source: node.text, when: [] });
    } else if (node.type === 'array') {
      for (const el of node.namedChildren.filter((c) => c.type === 'object')) {
        const name = lookup(el, ['name']);
        const value = lookup(el, ['value']);
        settings.push({ name: literalString(name) ?? name?.text, value: value?.text ?? '', when: [], via: null });
      }
    } else {
      dynamic.push({ source: node.text, when: [] });
    }
    return { settings, dynamic };
  }

  // Splits `= if (c) {...}` and `= [for x in y: {...}]` bodies.
  function body(n) {
    let condition = null;
    let loop = null;
    if (n.type === 'for_statement') {
      loop = n.text.slice(0, n.text.indexOf(':'));
      n = n.childForFieldName('body');
    }
    if (n.type === 'if_statement') {
      condition = unwrap(n.namedChildren[0]).text;
      n = n.namedChildren[1];
    }
    return { condition, loop, object: n };
  }

  let decorators = [];
  for (const st of tree.rootNode.namedChildren) {
    if (st.type === 'decorators') {
      decorators.push(...st.namedChildren.map((d) => d.namedChildren[0].text));
      continue;
    }
    const kids = st.namedChildren;
    switch (st.type) {
      case 'parameter_declaration':
        file.params[kids[0].text] = { type: kids[1].text, default: kids[2]?.text ?? null, decorators };
        break;
      case 'variable_declaration':
        file.vars[kids[0].text] = kids[1].text;
        if (unwrap(kids[1]).type === 'object') file.varProps[kids[0].text] = flatten(kids[1], '', {});
        break;
      case 'output_declaration':
        file.outputs[kids[0].text] = { type: kids[1].text, value: kids[2].text, decorators };
        break;
      case 'type_declaration': {
        const value = unwrap(kids[1]);
        const props = value.type === 'object'
          ? value.namedChildren.filter((c) => c.type === 'object_property').map(propertyKey)
          : [];
        file.types[kids[0].text] = { props, decorators };
        break;
      }
      case 'import_functionality':
        file.imports.push(st.text);
        break;
      case 'module_declaration': {
        const b = body(kids[2]);
        file.modules.push({
          symbol: kids[0].text,
          path: literalString(kids[1]),
          condition: b.condition,
          loop: b.loop,
          props: flatten(b.object, '', {}),
          decorators,
        });
        break;
      }
      case 'resource_declaration': {
        const [type, apiVersion] = (literalString(kids[1]) ?? '').split('@');
        const b = body(kids[2]);
        const resource = {
          symbol: kids[0].text,
          type,
          apiVersion: apiVersion ?? '',
          existing: st.children.some((c) => c.type === 'existing'),
          condition: b.condition,
          loop: b.loop,
          props: flatten(b.object, '', {}),
          decorators,
        };
        const settingsNode = type === 'Microsoft.Web/sites' ? lookup(b.object, ['properties', 'siteConfig', 'appSettings']) : null;
        if (settingsNode) Object.assign(resource, { appSettings: appSettings(settingsNode) });
        file.resources.push(resource);
        break;
      }
      default:
        break;
    }
    decorators = [];
  }
  return file;
}

const result = { root, files: {}, errors: [] };
for (const abs of bicepFiles(root)) {
  const rel = path.relative(root, abs).split(path.sep).join('/');
  const tree = parser.parse(fs.readFileSync(abs, 'utf8'));
  const errors = syntaxErrors(tree.rootNode, rel);
  result.errors.push(...errors);
  if (errors.length === 0) result.files[rel] = analyse(tree, rel);
  tree.delete();
}

process.stdout.write(JSON.stringify(result, null, 1) + '\n');
if (result.errors.length > 0) {
  for (const e of result.errors) process.stderr.write(`bicepcheck: ${e}\n`);
  process.exit(1);
}
if (Object.keys(result.files).length === 0) {
  process.stderr.write(`bicepcheck: no .bicep files under ${root}\n`);
  process.exit(1);
}
