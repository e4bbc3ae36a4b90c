#!/bin/bash
# Prepares /data (the demo flow once, credentials as ${ENV} references) and starts Node-RED
# with the same settings file as `npm start`. Both come from the checkout, mounted read-only
# at /stream-smarts by docker-compose.yml.
set -euo pipefail
node /stream-smarts/scripts/node-red/prepare-userdir.mjs --user-dir /data --flow /stream-smarts/flows/stream-smarts-demo.json \
  --models-from /usr/src/node-red/node_modules/node-red-contrib-stream-smarts/models
exec ./entrypoint.sh --settings /stream-smarts/scripts/node-red/settings.js "$@"
