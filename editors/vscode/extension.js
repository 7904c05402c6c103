// The wavec extension: the .wave language (configuration and grammar come
// from package.json) and a language client that starts `wavec lsp`.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("wavec").get("path") || "wavec";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "wavec",
    "wavec",
    { run: server, debug: server },
    {
      documentSelector: [{ language: "wave" }],
      synchronize: {
        // Files of a pipeline that are not open still count, and so do
        // the YAML files objects are read from: tell the server when they
        // change on disk.
        fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{wave,yaml,yml}"),
      },
    }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
