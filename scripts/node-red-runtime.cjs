// Preloaded (node --require) to run the tests against another Node-RED than the project's own:
// node-red, @node-red/* and node-red-node-test-helper resolve from STREAM_SMARTS_NODE_RED_MODULES
// (a node_modules folder, e.g. ~/.cache/stream-smarts/node-red-5/node_modules) instead.
'use strict';
const Module = require('node:module');

const modules = process.env.STREAM_SMARTS_NODE_RED_MODULES;
if (modules) {
  const runtimePackage = /^(node-red|node-red-node-test-helper|@node-red\/[^/]+)(\/|$)/;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveFromRuntime(request, parent, isMain, options) {
    if (runtimePackage.test(request) && !(parent && parent.filename && parent.filename.startsWith(modules))) {
      return resolve.call(this, request, parent, isMain, { ...options, paths: [modules] });
    }
    return resolve.call(this, request, parent, isMain, options);
  };
}
