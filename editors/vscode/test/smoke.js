#!/usr/bin/env node
// Smoke test of a packaged extension, outside VS Code:
//
//   node test/smoke.js UNPACKED_DIR [MLSPEC]
//
// UNPACKED_DIR is the `extension/` folder of the .vsix, unzipped. The test
// loads its extension.js with a stand-in for the `vscode` module (which only
// VS Code provides) and checks that
//   - `vscode-languageclient/node` resolves from inside the package (the
//     .vsix carries the client, not this checkout's node_modules);
//   - `activate` builds a LanguageClient whose server command is
//     `<mlspec.server.path> lsp` over stdio;
// and, given the path of an `mlspec` executable, that the packaged client
// really starts `mlspec lsp`, completes the LSP handshake (the server
// answers with its capabilities), gets the diagnostics of an opened
// document with an error, and stops the server again.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const Module = require('module');

const [dir, mlspec] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node test/smoke.js UNPACKED_DIR [MLSPEC]');
  process.exit(2);
}
const root = fs.realpathSync(dir);
const inside = (file) => fs.realpathSync(file).startsWith(root + path.sep);

// ---------------------------------------------------------------- vscode stand-in
// Concrete where the client looks at values (configuration, events, URIs,
// diagnostics); elsewhere a permissive stub: any property, call or `new`
// gives another stub, so registering providers, output channels and status
// items all succeed and do nothing.
function stub(name) {
  const cache = new Map();
  const target = function () {};
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'then') return undefined; // not a promise
      if (prop === Symbol.iterator) return function* () {};
      if (prop === Symbol.toPrimitive) return () => `<${name}>`;
      if (prop === 'prototype') return t.prototype;
      if (!cache.has(prop)) cache.set(prop, stub(`${name}.${String(prop)}`));
      return cache.get(prop);
    },
    set(t, prop, value) {
      cache.set(prop, value);
      return true;
    },
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`),
  });
}

class Disposable {
  constructor(fn) { this._fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose())); }
  dispose() { if (this._fn) this._fn(); this._fn = undefined; }
}
class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg) => {
      const l = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(l);
      return new Disposable(() => this._listeners.delete(l));
    };
  }
  fire(e) { for (const l of [...this._listeners]) l(e); }
  dispose() { this._listeners.clear(); }
}
class Uri {
  constructor(href, scheme, path) { this._href = href; this.scheme = scheme; this.path = path; this.fsPath = path; }
  // Lenient like VS Code's: a string without a scheme (the server's relative
  // `docs/diagnostics.md#e0104` links) is a file path.
  static parse(s) {
    try {
      const url = new URL(s);
      return new Uri(url.href, url.protocol.replace(/:$/, ''), decodeURIComponent(url.pathname));
    } catch {
      return new Uri(s, 'file', s.replace(/[?#].*$/, ''));
    }
  }
  static file(p) { return Uri.parse(`file://${encodeURI(p)}`); }
  toString() { return this._href; }
  toJSON() { return this.toString(); }
  with() { return this; }
}
class Position { constructor(line, character) { this.line = line; this.character = character; } }
class Range {
  constructor(a, b, c, d) {
    [this.start, this.end] = typeof a === 'number' ? [new Position(a, b), new Position(c, d)] : [a, b];
  }
}
class Diagnostic { constructor(range, message, severity) { this.range = range; this.message = message; this.severity = severity; } }
class Location { constructor(uri, range) { this.uri = uri; this.range = range; } }
class DiagnosticRelatedInformation { constructor(location, message) { this.location = location; this.message = message; } }
class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
    this._emitter = emitter;
  }
  cancel() { this.token.isCancellationRequested = true; this._emitter.fire(); }
  dispose() {}
}

const settings = { 'server.path': 'mlspec-smoke-test-server', diagnosticsUrl: '' };
const published = new Map(); // uri -> diagnostics, what the client hands VS Code
const commands = new Map();
const errors = [];
const vscode = new Proxy({
  version: '1.82.0',
  Disposable,
  EventEmitter,
  Uri,
  Position,
  Range,
  Diagnostic,
  Location,
  DiagnosticRelatedInformation,
  CancellationTokenSource,
  CancellationError: class CancellationError extends Error {},
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
  workspace: new Proxy({
    getConfiguration: (section) => ({
      get: (key, fallback) => (section === 'mlspec' && key in settings ? settings[key] : fallback),
      has: () => false,
      inspect: () => undefined,
      update: async () => {},
    }),
    workspaceFolders: undefined,
    textDocuments: [],
  }, { get: (t, p) => (p in t ? t[p] : stub(`workspace.${String(p)}`)) }),
  languages: new Proxy({
    createDiagnosticCollection: (name) => ({
      name,
      set: (uri, diagnostics) => published.set(String(uri), diagnostics || []),
      delete: (uri) => published.delete(String(uri)),
      clear: () => published.clear(),
      forEach: () => {},
      get: (uri) => published.get(String(uri)),
      has: (uri) => published.has(String(uri)),
      dispose: () => {},
    }),
    match: () => 0,
  }, { get: (t, p) => (p in t ? t[p] : stub(`languages.${String(p)}`)) }),
  window: new Proxy({
    createOutputChannel: (name) => ({
      name,
      append: (s) => process.env.SMOKE_VERBOSE && process.stderr.write(s),
      appendLine: (s) => process.env.SMOKE_VERBOSE && process.stderr.write(`${s}\n`),
      replace: () => {}, clear: () => {}, show: () => {}, hide: () => {}, dispose: () => {},
    }),
    showErrorMessage: async (m) => { errors.push(m); return undefined; },
    showWarningMessage: async () => undefined,
    showInformationMessage: async () => undefined,
    activeTextEditor: undefined,
  }, { get: (t, p) => (p in t ? t[p] : stub(`window.${String(p)}`)) }),
  commands: new Proxy({
    registerCommand: (id, fn) => { commands.set(id, fn); return new Disposable(() => commands.delete(id)); },
  }, { get: (t, p) => (p in t ? t[p] : stub(`commands.${String(p)}`)) }),
}, { get: (t, p) => (p in t ? t[p] : stub(`vscode.${String(p)}`)) });

// `require('vscode')` from anywhere gives the stand-in.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

// ---------------------------------------------------------------- the checks
async function main() {
  const main = path.join(root, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).main);
  const clientPath = require.resolve('vscode-languageclient/node', { paths: [path.dirname(main)] });
  assert(inside(clientPath), `vscode-languageclient/node resolves outside the package: ${clientPath}`);
  console.log(`ok: vscode-languageclient/node resolves inside the package (${path.relative(root, clientPath)})`);

  // Record the clients extension.js constructs (it destructures the export at load).
  const lc = require(clientPath);
  const Original = lc.LanguageClient;
  const made = [];
  const startForReal = Boolean(mlspec);
  lc.LanguageClient = class RecordingClient extends Original {
    constructor(...args) {
      super(...args);
      made.push({ client: this, args });
    }
    start() { return startForReal ? super.start() : Promise.resolve(); }
  };

  if (mlspec) settings['server.path'] = path.resolve(mlspec);
  const extension = require(main);
  assert(inside(require.resolve(main)), 'extension.js is the packaged one');
  const context = { subscriptions: [], extensionPath: root, extensionUri: Uri.file(root) };
  const started = extension.activate(context);

  assert.strictEqual(made.length, 1, 'activate constructs one LanguageClient');
  const [id, , serverOptions, clientOptions] = made[0].args;
  const client = made[0].client;
  assert.strictEqual(id, 'mlspec');
  for (const mode of ['run', 'debug']) {
    const o = serverOptions[mode];
    assert.strictEqual(o.command, settings['server.path'], `${mode}: command is mlspec.server.path`);
    assert.deepStrictEqual(o.args, ['lsp'], `${mode}: args`);
    assert.strictEqual(o.transport, lc.TransportKind.stdio, `${mode}: stdio`);
  }
  assert(clientOptions.documentSelector.some((s) => s.language === 'mlspec'), 'documents of language mlspec');
  assert(commands.has('mlspec.restartServer'), 'mlspec.restartServer is registered');
  console.log(`ok: activate constructs the client with \`${settings['server.path']} lsp\` over stdio and registers mlspec.restartServer`);

  if (!startForReal) {
    await started;
    console.log('skipped: starting the server (no mlspec executable given)');
    return;
  }

  const timeout = (ms, what) => new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref());
  await Promise.race([started, timeout(20000, 'starting mlspec lsp')]);
  assert(client.isRunning(), `the client runs (errors shown: ${JSON.stringify(errors)})`);
  const caps = client.initializeResult && client.initializeResult.capabilities;
  assert(caps, 'the server answered initialize');
  for (const c of ['hoverProvider', 'completionProvider', 'definitionProvider', 'documentFormattingProvider']) {
    assert(caps[c], `server capability ${c}`);
  }
  console.log(`ok: the packaged client started \`${mlspec} lsp\`; capabilities: ${Object.keys(caps).sort().join(', ')}`);

  // A document with a misspelt task: the server's diagnostics come back
  // through the client into the diagnostic collection.
  const uri = 'file:///smoke/broken.mlspec';
  const text = 'system broken {\n  problem {\n    task binary_clasification\n  }\n}\n';
  await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mlspec', version: 1, text } });
  const deadline = Date.now() + 10000;
  while (!(published.get(uri) || []).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const diagnostics = published.get(uri) || [];
  const misspelt = diagnostics.find((d) => /binary_clasification/.test(d.message));
  assert(misspelt, `a diagnostic for the misspelt task among ${JSON.stringify(diagnostics.map((d) => d.message))}`);
  assert.strictEqual(misspelt.range.start.line, 2, 'on the line of the task');
  console.log(`ok: ${diagnostics.length} diagnostics for a broken document, among them on line 3: ${JSON.stringify(misspelt.message)}`);

  await Promise.race([extension.deactivate(), timeout(10000, 'stopping mlspec lsp')]);
  assert(!client.isRunning(), 'the client stopped');
  console.log('ok: deactivate stops the server');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`FAILED: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
