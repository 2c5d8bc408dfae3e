#!/usr/bin/env bash
# The .deb as a user meets it: installed with apt-get on this machine (needs root), then the first
# things a user runs. Fails on the first check that does not hold. Removes the package at the end.
# Usage: scripts/package-test.sh DIR_WITH_THE_DEB
set -euo pipefail
shopt -s nullglob
debs=("$1"/serentak_*.deb)
if [[ ${#debs[@]} -ne 1 ]]; then
  echo "package-test: expected one serentak_*.deb in $1, found ${#debs[@]}" >&2
  exit 1
fi
deb=$(realpath "${debs[0]}")
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

fail() { echo "package-test: $*" >&2; exit 1; }

depends=$(dpkg-deb -f "$deb" Depends)
echo "package-test: Depends: $depends"
for name in libcurl4 libfmt9 libc6 libstdc++6; do
  [[ ", $depends," == *", $name "* || ", $depends," == *", $name,"* ]] || fail "Depends lacks $name"
done
[[ $depends != *-dev* ]] || fail "Depends names a -dev package"

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get install -y -qq --reinstall "$deb" >/dev/null
trap '"${sudo_cmd[@]}" apt-get remove -y -qq serentak >/dev/null' EXIT

/usr/bin/serentak --version | grep -q '^serentak [0-9]' || fail "serentak --version"
/usr/bin/serentak --version
file -L /usr/bin/serentak | grep -q ', stripped' || fail "/usr/bin/serentak is not stripped"
echo "package-test: /usr/bin/serentak $(stat -c %s /usr/bin/serentak) bytes, stripped"
man -w serentak || fail "man -w serentak"
man -w serentak-fetch || fail "man -w serentak-fetch"
for f in /usr/share/bash-completion/completions/serentak /usr/share/zsh/vendor-completions/_serentak \
         /usr/share/fish/vendor_completions.d/serentak.fish; do
  [[ -s $f ]] || fail "missing $f"
done
echo "package-test: ok"
