#!/bin/sh
# Releases the bypass relay (de-energised = bypass) after the daemon stopped, however it stopped: sysfs GPIO keeps
# an output's value after the process exits, so a crash would otherwise leave the relay energised with nobody
# forwarding traffic. Run by systemd as ExecStopPost (as root). The sysfs number is computed like hal/gpio-node.ts
# does — base of the header bank found by label — never hard-coded (the base is 0, 512 or 571 depending on the
# kernel and model).
#
# Fails loudly (a message on stderr, in the journal, and a non-zero exit that marks the unit failed) when it cannot
# be sure the relay is released: MIBC_RELAY_BCM unset (relay.env missing) or not a BCM number, or a pin other than
# the config file's gpio.bypassRelay (MIBC_CONFIG, /etc/mibc-ais/config.json) — then the config's pin is released
# too if it is still exported. A line that is not exported was released by the daemon at its stop: nothing to do.
set -u

status=0
fail() { echo "release-relay: $*" >&2; status=1; }

root="${MIBC_SYSFS_GPIO:-/sys/class/gpio}"
config="${MIBC_CONFIG:-/etc/mibc-ais/config.json}"

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

release() {
  line="$root/gpio$((base + $1))"
  if [ -d "$line" ]; then
    # value is logical: the active_low attribute the daemon set is still in place, so 0 means de-energised.
    echo 0 > "$line/value"
    echo "$((base + $1))" > "$root/unexport"
    echo "release-relay: gpio $((base + $1)) (BCM $1) released"
  fi
}

bcm="${MIBC_RELAY_BCM:-}"
case "$bcm" in
  '') fail "MIBC_RELAY_BCM is not set (is /etc/mibc-ais/relay.env missing?): the relay may still be energised"; bcm="" ;;
  *[!0-9]*) fail "MIBC_RELAY_BCM=$bcm is not a BCM line number: the relay may still be energised"; bcm="" ;;
esac

configured=""
if [ -r "$config" ]; then
  configured="$(sed -n 's/.*"bypassRelay"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$config" | head -n 1)"
fi
if [ -n "$bcm" ] && [ -n "$configured" ] && [ "$bcm" != "$configured" ]; then
  fail "MIBC_RELAY_BCM=$bcm but $config has gpio.bypassRelay $configured: releasing both; correct relay.env"
fi

[ -n "$bcm" ] && release "$bcm"
[ -n "$configured" ] && [ "$configured" != "$bcm" ] && release "$configured"
exit "$status"
