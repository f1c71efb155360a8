#!/usr/bin/env bash
# Simulator throughput for GET /deployment/api/deployments/{id}, measured with wrk (Debian: apt-get install wrk).
# Usage: Benchmarks/simulator-throughput.sh [seconds]   (builds vra-engine in release mode into .build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
PORT=18090
VRA=http://127.0.0.1:$PORT
swift build -c release --product vra-engine --scratch-path .build-release
.build-release/release/vra-engine simulator --port $PORT --time-scale 0.01 >/dev/null &
SIM=$!
trap 'kill $SIM' EXIT
until curl -sf "$VRA/iaas/api/about" >/dev/null; do sleep 0.2; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
REFRESH=$(curl -s -X POST "$VRA/csp/gateway/am/api/login?access_token" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"VMware1!","domain":"vsphere.local"}' | json "['refresh_token']")
TOKEN=$(curl -s -X POST "$VRA/iaas/api/login" -H 'Content-Type: application/json' \
  -d "{\"refreshToken\":\"$REFRESH\"}" | json "['token']")
AUTH="Authorization: Bearer $TOKEN"
PROJECT=$(curl -s -H "$AUTH" "$VRA/iaas/api/projects" | json "['content'][0]['id']")
CONTENT='formatVersion: 1\nresources:\n  net:\n    type: Cloud.Network\n    properties: {}\n  vm:\n    type: Cloud.vSphere.Machine\n    properties:\n      network: ${resource.net.id}\n'
BLUEPRINT=$(curl -s -X POST -H "$AUTH" -H 'Content-Type: application/json' "$VRA/blueprint/api/blueprints" \
  -d "{\"name\":\"bench\",\"projectId\":\"$PROJECT\",\"content\":\"$CONTENT\"}" | json "['id']")
DEPLOYMENT=$(curl -s -X POST -H "$AUTH" -H 'Content-Type: application/json' "$VRA/blueprint/api/blueprint-requests" \
  -d "{\"blueprintId\":\"$BLUEPRINT\",\"projectId\":\"$PROJECT\",\"deploymentName\":\"bench\"}" | json "['deploymentId']")
until [[ $(curl -s -H "$AUTH" "$VRA/deployment/api/deployments/$DEPLOYMENT" | json "['status']") == CREATE_SUCCESSFUL ]]; do
  sleep 0.2
done

echo "== GET /deployment/api/deployments/{id}"
wrk -t2 -c32 -d"${DURATION}s" -H "$AUTH" "$VRA/deployment/api/deployments/$DEPLOYMENT"
echo "== GET /deployment/api/deployments/{id}?expand=resources,lastRequest"
wrk -t2 -c32 -d"${DURATION}s" -H "$AUTH" "$VRA/deployment/api/deployments/$DEPLOYMENT?expand=resources,lastRequest"
echo "== status codes seen by the simulator"
curl -s "$VRA/_sim/stats" | json "['requests']['GET /deployment/api/deployments/{deploymentId}']"
