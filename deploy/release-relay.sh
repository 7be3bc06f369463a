#!/bin/sh
# Releases the bypass relay (de-energised = bypass) after the daemon stopped, however it stopped: sysfs GPIO keeps
# an output's value after the process exits, so a crash would otherwise leave the relay energised with nobody
# forwarding traffic. Run by systemd as ExecStopPost (as root). The sysfs number is computed like hal/gpio-node.ts
# does — base of the header bank found by label — never hard-coded (the base is 0, 512 or 571 depending on the
# kernel and model).
set -u

bcm="${MIBC_RELAY_BCM:-}"
[ -n "$bcm" ] || { echo "release-relay: MIBC_RELAY_BCM is not set" >&2; exit 0; }

root="${MIBC_SYSFS_GPIO:-/sys/class/gpio}"
base=""
for label in pinctrl-rp1 pinctrl-bcm2711 pinctrl-bcm2835; do
  for chip in "$root"/gpiochip*; do
    [ -r "$chip/label" ] || continue
    if [ "$(cat "$chip/label")" = "$label" ]; then
      b="$(cat "$chip/base")"
      if [ -z "$base" ] || [ "$b" -lt "$base" ]; then base="$b"; fi
    fi
  done
  [ -n "$base" ] && break
done
[ -n "$base" ] || { echo "release-relay: no Raspberry Pi GPIO bank under $root" >&2; exit 1; }

line="$root/gpio$((base + bcm))"
if [ -d "$line" ]; then
  # value is logical: the active_low attribute the daemon set is still in place, so 0 means de-energised.
  echo 0 > "$line/value"
  echo "$((base + bcm))" > "$root/unexport"
  echo "release-relay: gpio $((base + bcm)) (BCM $bcm) released"
fi
exit 0
