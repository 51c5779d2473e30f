#!/usr/bin/env bash
# Packaging test (CI: .ci/run). Builds the release binary and the FROM scratch
# image with scripts/release.sh, then checks, failing on the first problem:
#   - the image: non-root user, labels, a HEALTHCHECK, `validator version`
#     printing the version and commit the binary was linked with;
#   - a 3-validator devnet inside one container with host networking: every
#     validator's /readyz answers ready from the host, and the container's
#     HEALTHCHECK turns healthy;
#   - deploy/compose/docker-compose.yml validates (docker-compose config);
#   - deploy/systemd/validator.service passes systemd-analyze verify.
#
#   scripts/test-packaging.sh              install what is missing (Debian: docker.io,
#                                          docker-compose, systemd), start dockerd, test
#   scripts/test-packaging.sh --install    only install the tools and start dockerd
#
# The devnet's ports (host networking, so they must be free on the host):
# chain RPC 127.0.0.1:28545, p2p 29100-29102, APIs 127.0.0.1:27500-27502.
# Override with PKG_RPC_PORT, PKG_P2P_PORT, PKG_API_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n--> %s\n' "$*"; }
fail() { echo "test-packaging: $*" >&2; exit 1; }

install_tools() {
	local missing=()
	command -v docker >/dev/null || missing+=(docker.io)
	command -v dockerd >/dev/null || missing+=(docker.io)
	command -v docker-compose >/dev/null || missing+=(docker-compose)
	command -v systemd-analyze >/dev/null || missing+=(systemd)
	if [ ${#missing[@]} -gt 0 ]; then
		step "apt-get install ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	if ! docker info >/dev/null 2>&1; then
		step "starting dockerd (log: /tmp/dockerd.log)"
		dockerd >/tmp/dockerd.log 2>&1 &
		for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
		docker info >/dev/null 2>&1 || { tail -20 /tmp/dockerd.log >&2; fail "dockerd did not start"; }
	fi
}

install_tools
[ "${1:-}" = --install ] && exit 0

IMAGE=validator
RPC_PORT="${PKG_RPC_PORT:-28545}" P2P_PORT="${PKG_P2P_PORT:-29100}" API_PORT="${PKG_API_PORT:-27500}"
bin=dist/validator-linux-$(go env GOARCH)
devnet=validator-pkgtest-devnet

step "release build and image (scripts/release.sh --image)"
start=$(date +%s)
IMAGE=$IMAGE scripts/release.sh --image 2>&1 | grep -v -e 'legacy builder is deprecated' -e 'buildx component' -e 'docs.docker.com/go/buildx'
echo "release build and image: $(( $(date +%s) - start ))s"
version="$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' $IMAGE:latest)"
commit="$(git rev-parse HEAD)"

step "image: user, labels, healthcheck, size"
user="$(docker image inspect -f '{{.Config.User}}' $IMAGE:latest)"
[ "$user" = 65532:65532 ] || fail "image runs as '$user', want 65532:65532"
rev="$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.revision"}}' $IMAGE:latest)"
[ "$rev" = "$commit" ] || fail "label org.opencontainers.image.revision=$rev, want $commit"
hc="$(docker image inspect -f '{{json .Config.Healthcheck.Test}}' $IMAGE:latest)"
grep -q '"healthcheck"' <<<"$hc" || fail "image HEALTHCHECK is $hc, want validator healthcheck"
echo "user $user, version $version, revision $rev, size $(docker image inspect -f '{{.Size}}' $IMAGE:latest) bytes"

step "validator version in the container"
out="$(docker run --rm $IMAGE:latest version)"
echo "$out"
grep -qx "validator $version" <<<"$out" || fail "validator version does not print 'validator $version'"
grep -q "^  commit: *$commit" <<<"$out" || fail "validator version does not print commit $commit"

step "3-validator devnet in a container (host network)"
docker rm -f $devnet >/dev/null 2>&1 || true
cleanup() { docker rm -f $devnet >/dev/null 2>&1 || true; }
trap cleanup EXIT
# The HEALTHCHECK probes VALIDATOR_API_LISTEN: validator 0's API.
docker run -d --name $devnet --network host -e VALIDATOR_API_LISTEN=127.0.0.1:$API_PORT \
	--health-interval 3s --health-start-period 60s \
	$IMAGE:latest devnet --validators 3 --dir /data/devnet \
	--rpc 127.0.0.1:$RPC_PORT --p2p-port $P2P_PORT --api-port $API_PORT >/dev/null
# /readyz of each validator, from the host (the host binary's healthcheck:
# GET /readyz, exit 0 only when ready; curl shows the answer).
deadline=$(( $(date +%s) + 90 ))
for i in 0 1 2; do
	api=127.0.0.1:$((API_PORT + i))
	until "$bin" healthcheck --api "$api" --timeout 2s >/dev/null 2>&1; do
		if [ "$(docker inspect -f '{{.State.Running}}' $devnet)" != true ]; then
			docker logs --tail 30 $devnet >&2; fail "the devnet container exited"
		fi
		if [ "$(date +%s)" -gt $deadline ]; then
			docker logs --tail 30 $devnet >&2; "$bin" healthcheck --api "$api" >&2 || true
			fail "validator $i (/readyz on $api) not ready after 90s"
		fi
		sleep 1
	done
	if command -v curl >/dev/null; then
		echo "validator $i $api/readyz: $(curl -fsS "http://$api/readyz")"
	else
		echo "validator $i $api: ready"
	fi
done
until [ "$(docker inspect -f '{{.State.Health.Status}}' $devnet)" = healthy ]; do
	if [ "$(date +%s)" -gt $deadline ]; then
		docker inspect -f '{{json .State.Health}}' $devnet >&2; fail "the container's HEALTHCHECK did not turn healthy"
	fi
	sleep 1
done
echo "container health: healthy"
cleanup

step "compose file (docker-compose config)"
docker-compose -f deploy/compose/docker-compose.yml config -q
echo "deploy/compose/docker-compose.yml: valid"

step "systemd unit (systemd-analyze verify)"
# verify wants ExecStart's binary to exist: point it at the release binary.
unit="$(mktemp -d)/validator.service"
sed "s|/usr/local/bin/validator|$PWD/$bin|" deploy/systemd/validator.service >"$unit"
out="$(systemd-analyze verify "$unit" 2>&1)" || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
rm -r "$(dirname "$unit")"
echo "deploy/systemd/validator.service: verified"

echo
echo "packaging: ok"
