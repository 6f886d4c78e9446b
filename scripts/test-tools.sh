#!/usr/bin/env bash
# Installs the Debian packages the tests drive, when any is missing (as root, as CI runs):
# - git (with git-http-backend) for the end-to-end tests; curl runs the download line of
#   examples/maven-pipelines.yml (against a file:// URL) and is a REST client in the clients suite;
# - the clients a CI job fetches Bitbucket dependencies with, run for real by
#   test/e2e/clients.test.ts: git-lfs, golang-go, cargo, composer, ruby-bundler, python3-pip
#   (with setuptools and wheel), python3-requests (a REST script reading NETRC); npm comes with
#   Node;
# - what that suite's namespaces need: iproute2 (ip), util-linux (unshare, mount), strace
#   (every argument list of every client process), openssl and ca-certificates.
set -euo pipefail
PACKAGES=(git curl git-lfs golang-go cargo composer ruby-bundler python3-pip python3-setuptools
  python3-wheel python3-requests iproute2 util-linux strace openssl ca-certificates)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "installing from Debian: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
