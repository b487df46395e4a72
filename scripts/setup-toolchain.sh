#!/usr/bin/env bash
# Finds (or installs) a Rust toolchain that can build wasm32 guests, and records
# how to invoke it in a JSON record (default build/toolchain.json; the
# `rdylib build` command passes RDYLIB_TOOLCHAIN_FILE). Ships in the npm package.
#
# Order of preference, first that works wins:
#   1. a rustc on PATH whose sysroot already has the wasm32 target's std;
#   2. rustup: `rustup target add` (needs network to the Rust dist server);
#   3. Debian/Ubuntu packages rustc-web, cargo-web, rust-web-src and lld-22
#      (installed with apt-get when we are root), building std from source
#      with RUSTC_BOOTSTRAP=1 and -Zbuild-std;
#   4. otherwise: print what to install, exit 1.
# The Debian path calls /usr/bin/cargo and /usr/bin/rustc by absolute path and
# never touches rustup, so an existing rustup toolchain keeps working.
#
# Quiet when everything is already present. Idempotent.
#   RDYLIB_TOOLCHAIN=auto|path|rustup|debian   force one path (default auto)
#   RDYLIB_WASM_TARGET=wasm32-unknown-unknown|wasm32-wasip1
#   RDYLIB_TOOLCHAIN_FILE=/path/to/toolchain.json   where to record the choice
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_file="${RDYLIB_TOOLCHAIN_FILE:-$root/build/toolchain.json}"
out_dir="$(dirname "$out_file")"
target="${RDYLIB_WASM_TARGET:-wasm32-unknown-unknown}"
mode="${RDYLIB_TOOLCHAIN:-auto}"

say() { printf 'setup-toolchain: %s\n' "$*" >&2; }

case "$target" in
  wasm32-unknown-unknown|wasm32-wasip1) ;;
  *) say "unsupported RDYLIB_WASM_TARGET '$target' (expected wasm32-unknown-unknown or wasm32-wasip1)"; exit 2 ;;
esac
case "$mode" in
  auto|path|rustup|debian) ;;
  *) say "unsupported RDYLIB_TOOLCHAIN '$mode' (expected auto, path, rustup or debian)"; exit 2 ;;
esac

# write_result KIND CARGO RUSTC BUILD_STD(true|false) [LINK_ARGS_JSON]
write_result() {
  mkdir -p "$out_dir"
  local tmp="$out_file.tmp.$$"
  cat > "$tmp" <<EOF
{
  "kind": "$1",
  "target": "$target",
  "cargo": "$2",
  "rustc": "$3",
  "buildStd": $4,
  "rustflags": ${5:-[]},
  "rustcVersion": "$("$3" --version)"
}
EOF
  # Only replace the file when it changed, so its mtime stays stable.
  if [ -f "$out_file" ] && cmp -s "$tmp" "$out_file"; then rm -f "$tmp"; else mv "$tmp" "$out_file"; fi
}

# A rustc "has the target" when its sysroot holds a compiled std for it.
sysroot_has_target() {
  local rustc="$1" sysroot
  sysroot="$("$rustc" --print sysroot 2>/dev/null)" || return 1
  compgen -G "$sysroot/lib/rustlib/$target/lib/libstd-*.rlib" > /dev/null
}

try_path() {
  command -v rustc > /dev/null && command -v cargo > /dev/null || return 1
  sysroot_has_target rustc || return 1
  write_result path "$(command -v cargo)" "$(command -v rustc)" false
}

try_rustup() {
  command -v rustup > /dev/null || return 1
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    say "adding the $target target with rustup"
    timeout 300 rustup target add "$target" >&2 || { say "rustup could not add $target"; return 1; }
  fi
  local rustc cargo
  rustc="$(rustup which rustc)"; cargo="$(rustup which cargo)"
  sysroot_has_target "$rustc" || return 1
  write_result rustup "$cargo" "$rustc" false
}

debian_present() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ] \
    && { [ -x /usr/bin/rust-lld ] || command -v rust-lld > /dev/null || compgen -G '/usr/bin/wasm-ld*' > /dev/null; } \
    && { [ "$target" != wasm32-wasip1 ] || [ -d /usr/lib/wasm32-wasi ]; }
}

try_debian() {
  if ! debian_present; then
    command -v apt-get > /dev/null || return 1
    [ "$(id -u)" = 0 ] || { say "the Debian packages are missing and we are not root"; return 1; }
    local pkgs=(rustc-web cargo-web rust-web-src lld-22)
    [ "$target" = wasm32-wasip1 ] && pkgs+=(wasi-libc)
    say "installing ${pkgs[*]} with apt-get"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" > /dev/null 2>&1; then
      apt-get update -qq > /dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >&2 || return 1
    fi
    debian_present || return 1
  fi
  local flags='[]'
  [ "$target" = wasm32-wasip1 ] && flags='["-L", "/usr/lib/wasm32-wasi", "-C", "link-self-contained=no"]'
  write_result debian /usr/bin/cargo /usr/bin/rustc true "$flags"
}

explain_and_fail() {
  cat >&2 <<EOF
setup-toolchain: no Rust toolchain that can build $target was found or installed.
Install one of:
  - rustup (https://rustup.rs), then: rustup target add $target
  - on Debian/Ubuntu, as root: apt-get install rustc-web cargo-web rust-web-src lld-22$( [ "$target" = wasm32-wasip1 ] && printf ' wasi-libc')
  - on other systems: a Rust toolchain whose sysroot has the $target standard library
    (for example your distribution's rust-std for $target), with cargo on PATH.
Then run: npm run setup:toolchain
EOF
  exit 1
}

case "$mode" in
  path) try_path || explain_and_fail ;;
  rustup) try_rustup || explain_and_fail ;;
  debian) try_debian || explain_and_fail ;;
  auto) try_path || try_rustup || try_debian || explain_and_fail ;;
esac
