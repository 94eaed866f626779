// tsconfig uses classic node module resolution, which does not read package.json "exports"; the
// subpath entry points esbuild bundles (vscode-languageclient/node, vscode-languageserver/node) are
// mapped to their typings here, with the protocol types they re-export.
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
  export * from 'vscode-languageserver/node_modules/vscode-languageserver-protocol/lib/common/api';
}
