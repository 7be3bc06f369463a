#!/usr/bin/env bash
# Installs the Debian packages the tests and tools use, when they are missing and we may (root + apt).
#   gpsd-clients  gpsdecode, the independent AIS decoder our decoder is checked against
#   socat         real pseudo-terminals for the serial integration tests
#   libusb-1.0-0  runtime library of node-hid's prebuilt binding
#   pcscd, vsmartcard-vpcd  a real PC/SC stack with a virtual reader for the smart-card tests
#   librsvg2-bin  rsvg-convert, to render the bench charts (SVG) to PNG for viewing
#   chromium      a real headless browser for the status page's browser test
#   stress-ng     loads both cores, to check that the suite holds on a busy machine
#   libpcsclite-dev, python3, make, g++  node-gyp build of the optional PC/SC binding `smartcard` (npm ci skips
#                 it when these are missing; run this script before `npm ci`, or `npm rebuild smartcard` after)
set -u
need=()
command -v gpsdecode >/dev/null 2>&1 || need+=(gpsd-clients)
command -v socat >/dev/null 2>&1 || need+=(socat)
ldconfig -p 2>/dev/null | grep -q 'libusb-1.0.so.0' || need+=(libusb-1.0-0)
command -v pcscd >/dev/null 2>&1 || need+=(pcscd)
[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || dpkg -s vsmartcard-vpcd >/dev/null 2>&1 || need+=(vsmartcard-vpcd)
[ -e /usr/include/PCSC/winscard.h ] || need+=(libpcsclite-dev)
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v stress-ng >/dev/null 2>&1 || need+=(stress-ng)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || {
    echo "system-deps: apt-get failed; tests that need ${need[*]} will say so and skip" >&2; exit 0; }
else
  echo "system-deps: missing ${need[*]} (not root or no apt); tests that need them will say so and skip" >&2
fi
