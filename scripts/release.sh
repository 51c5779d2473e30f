#!/usr/bin/env bash
# Release build: a reproducible static validator binary, its container image
# and SHA256SUMS.
#
#   scripts/release.sh            build dist/validator-linux-<arch> and dist/SHA256SUMS
#   scripts/release.sh --image    also build the image validator:<version> (needs dockerd)
#   scripts/release.sh --check    build twice, the second time with an empty Go
#                                 build cache from a copy of the tree at another
#                                 path, and fail unless both binaries are identical
#
# Environment: VERSION (default: git describe), OUT (default: dist),
# IMAGE (default: validator), GOARCH (default: the host's; another needs a
# cross-compiling CC, as cgo is on).
#
# Reproducible: the same commit and Go version give the same bytes wherever the
# tree is checked out. -trimpath drops local paths, -buildvcs stamps the commit
# (vcs.revision, vcs.time, vcs.modified), and -ldflags -X main.version,
# main.commit and main.commitDate carry what `validator version` prints. No
# build time is embedded: the only date is the commit's (SOURCE_DATE_EPOCH).
#
# cgo: on, linked statically (-extldflags -static, tags netgo and osusergo so
# glibc's resolver and NSS are not needed). go-ethereum's libsecp256k1 (C; the
# envelope signature check) needs cgo; without it go-ethereum falls back to
# decred's pure-Go secp256k1, which is slower. A static binary runs in a
# FROM scratch image.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=build
for a in "$@"; do
	case "$a" in
	--image) mode=image ;;
	--check) mode=check ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) echo "release.sh: unknown argument $a (want --image or --check)" >&2; exit 2 ;;
	esac
done

OUT="${OUT:-dist}"
IMAGE="${IMAGE:-validator}"
GOARCH="${GOARCH:-$(go env GOARCH)}"
COMMIT="$(git rev-parse HEAD)"
# The commit's time, in UTC: the only date in the build.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}"
COMMIT_DATE="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
VERSION="${VERSION:-$(git describe --tags --always --dirty --match 'v*' 2>/dev/null || echo "dev-${COMMIT:0:12}")}"
# A tag-less describe prints the short hash: prefix it like node.BuildInfo does.
[[ "$VERSION" == v* || "$VERSION" == dev-* ]] || VERSION="dev-$VERSION"
export SOURCE_DATE_EPOCH

bin="validator-linux-$GOARCH"

# build <tree> <out dir>: the release binary of the tree at <tree>.
build() {
	local tree="$1" out="$2"
	mkdir -p "$out"
	(cd "$tree" && CGO_ENABLED=1 GOOS=linux GOARCH="$GOARCH" go build \
		-trimpath -buildvcs=true -tags netgo,osusergo \
		-ldflags "-s -w -linkmode external -extldflags -static -X main.version=$VERSION -X main.commit=$COMMIT -X main.commitDate=$COMMIT_DATE" \
		-o "$out/$bin" ./cmd/validator)
}

sum() { (cd "$1" && sha256sum "$bin"); }

if [ "$mode" = check ]; then
	tmp="$(mktemp -d)"
	trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
	echo "build 1: this tree, the usual build cache"
	build . "$tmp/a"
	echo "build 2: a copy of the tree at $tmp/src, an empty build cache"
	# git worktree-free copy with .git, so -buildvcs sees the same commit
	# and the same modified state.
	mkdir "$tmp/src" && tar -C . --exclude="./$OUT" --exclude=./contracts/node_modules --exclude=./interop/js/node_modules -cf - . | tar -C "$tmp/src" -xf -
	GOCACHE="$tmp/gocache" build "$tmp/src" "$tmp/b"
	a="$(sum "$tmp/a")" b="$(sum "$tmp/b")"
	echo "$a"; echo "$b"
	if [ "${a%% *}" != "${b%% *}" ]; then
		echo "release.sh --check: the two builds differ: the build is not reproducible" >&2
		exit 1
	fi
	echo "reproducible: both builds are $(stat -c %s "$tmp/a/$bin") bytes with SHA-256 ${a%% *}"
	exit 0
fi

echo "building $bin $VERSION (commit $COMMIT, $COMMIT_DATE)"
rm -f "$OUT/$bin" "$OUT/SHA256SUMS"
build . "$OUT"
sum "$OUT" >"$OUT/SHA256SUMS"
cat "$OUT/SHA256SUMS"

[ "$mode" = image ] || exit 0

# The image's build context: the binary and rootfs.tar, the rest of the
# filesystem: passwd and group naming the non-root user, CA certificates for
# https/wss RPC endpoints, /data owned by that user and a /tmp with mode 1777
# (the embedded devnet's chain needs one). A tar keeps owners and modes, which
# COPY of a directory does not; --mtime, --owner and --sort make it the same
# bytes on every build.
ctx="$OUT/image"
rm -rf "$ctx" && mkdir -p "$ctx/root/etc/ssl/certs" "$ctx/root/data" "$ctx/root/tmp"
cp "$OUT/$bin" "$ctx/validator"
cp deploy/docker/Dockerfile "$ctx/"
cp deploy/docker/passwd deploy/docker/group "$ctx/root/etc/"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	cp /etc/ssl/certs/ca-certificates.crt "$ctx/root/etc/ssl/certs/"
else
	echo "release.sh: no /etc/ssl/certs/ca-certificates.crt (Debian: apt-get install ca-certificates): the image needs it for https/wss RPC" >&2
	exit 1
fi
chmod 0755 "$ctx/root/data" && chmod 1777 "$ctx/root/tmp"
chmod 0644 "$ctx/root/etc/passwd" "$ctx/root/etc/group" "$ctx/root/etc/ssl/certs/ca-certificates.crt"
tar -C "$ctx/root" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
	-cf "$ctx/rootfs.tar" --exclude=./data .
tar -C "$ctx/root" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=65532 --group=65532 --numeric-owner \
	-rf "$ctx/rootfs.tar" ./data
rm -rf "$ctx/root"
touch -d "@$SOURCE_DATE_EPOCH" "$ctx"/*
docker build -q \
	--build-arg VERSION="$VERSION" --build-arg COMMIT="$COMMIT" --build-arg CREATED="$COMMIT_DATE" \
	-t "$IMAGE:$VERSION" -t "$IMAGE:latest" "$ctx" >/dev/null
docker image inspect -f "image $IMAGE:$VERSION {{.Id}} {{.Size}} bytes" "$IMAGE:$VERSION"
