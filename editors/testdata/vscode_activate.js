// Run by editors/vscode_test.go with node: load the extension with
// stand-ins for the editor's `vscode` module and the language client, call
// activate, and print what the client was created with as JSON.
"use strict";
const Module = require("module");
const path = require("path");

const created = [];
const fakes = {
  vscode: {
    workspace: {
      getConfiguration: (section) => ({ get: (key) => (section === "wavec" && key === "path" ? process.env.WAVEC_PATH : undefined) }),
      createFileSystemWatcher: (glob) => ({ glob }),
    },
  },
  "vscode-languageclient/node": {
    TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 },
    LanguageClient: class {
      constructor(id, name, serverOptions, clientOptions) {
        created.push({ id, name, serverOptions, clientOptions });
      }
      start() { return Promise.resolve(); }
      stop() { return Promise.resolve(); }
    },
  },
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (Object.prototype.hasOwnProperty.call(fakes, request)) {
    return fakes[request];
  }
  return load.apply(this, arguments);
};

const ext = require(path.resolve(process.argv[2], "extension.js"));
const subscriptions = [];
Promise.resolve(ext.activate({ subscriptions })).then(() => {
  process.stdout.write(JSON.stringify({ created, subscriptions: subscriptions.length }));
});
