// The mlspec extension: starts `mlspec lsp` over stdio for .mlspec files.
// Syntax colouring comes from syntaxes/mlspec.tmLanguage.json and needs no server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('mlspec');
  const command = config.get('server.path') || 'mlspec';
  const diagnosticsUrl = config.get('diagnosticsUrl');
  // With TransportKind.stdio the client adds `--stdio`, which `mlspec lsp` accepts.
  const run = { command, args: ['lsp'], transport: TransportKind.stdio };
  const serverOptions = { run, debug: run };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'mlspec' }, { scheme: 'untitled', language: 'mlspec' }],
    initializationOptions: diagnosticsUrl ? { diagnosticsUrl } : {},
  };
  client = new LanguageClient('mlspec', 'mlspec language server', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('mlspec.restartServer', () => client.restart()),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
