#!/usr/bin/env bash
# Installs, from Debian, the tools the test suite uses as oracles and builders when they are missing:
#   gcc-multilib (gcc -m32: guest kernel, CPU vector generator), nasm, qemu-system-x86 (reference PC),
#   gdb / binutils / llvm-14 (DWARF oracles), python3-pyelftools.
# Idempotent and silent when everything is present. Needs root (or sudo) and Debian's apt.
set -euo pipefail

missing=()
have_m32() { echo 'int main(void){return 0;}' | gcc -m32 -x c - -o /tmp/ksim-m32-probe 2>/dev/null; }
command -v gcc >/dev/null && have_m32 || missing+=(gcc-multilib)
command -v nasm >/dev/null || missing+=(nasm)
command -v make >/dev/null || missing+=(make)
command -v qemu-system-i386 >/dev/null || missing+=(qemu-system-x86)
command -v gdb >/dev/null || missing+=(gdb)
command -v objdump >/dev/null || missing+=(binutils)
command -v llvm-dwarfdump-14 >/dev/null || missing+=(llvm-14)
/usr/bin/python3 -c 'import elftools' 2>/dev/null || missing+=(python3-pyelftools)
if [ "${KSIM_EXTRA_DEBS:-}" != "" ]; then
  for p in $KSIM_EXTRA_DEBS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
fi

[ ${#missing[@]} -eq 0 ] && exit 0

echo "ensure-test-deps: installing from Debian: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "ensure-test-deps: need root to install ${missing[*]} (apt-get install -y ${missing[*]})" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
