#!/bin/sh
# /init of the Linux reference guest (initramfs only, no disk root).
# Kernel command-line knobs the harness uses:
#   pvconform.nomod=a,b   do not load these modules (a guest without that driver)
#   pvconform.ip=A/N,GW   static address instead of QEMU user-net's 10.0.2.15/24 via 10.0.2.2
#   pvconform.console=DEV the serial line for the marker and the shell (hvc0 under Xen PV)
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
# Module names compare with "-" and "_" alike, as modprobe does.
nomod=",$(arg pvconform.nomod | tr - _),"
for m in $(cat /etc/pvconform/modules); do
  case "$nomod" in *",$(echo "$m" | tr - _),"*) echo "pvconform: not loading $m" > /dev/kmsg; continue ;; esac
  modprobe "$m" 2>/dev/null
done

hostname guest
ip link set lo up
ipspec=$(arg pvconform.ip)
[ -n "$ipspec" ] || ipspec=10.0.2.15/24,10.0.2.2
if ip link set eth0 up 2>/dev/null; then
  ip addr add "${ipspec%,*}" dev eth0
  ip route add default via "${ipspec#*,}"
fi

con=/dev/$(arg pvconform.console)
[ "$con" = /dev/ ] && con=/dev/ttyS0

# -s: keys only, no passwords. -E: log to stderr (the console), not syslog.
/usr/sbin/dropbear -E -s -r /etc/dropbear/dropbear_ed25519_host_key -p 22 -P /run/dropbear.pid
echo "GUEST-READY $(cut -d' ' -f1 /proc/uptime)" > "$con"

# A root shell on the serial console, for the console driver and for debugging.
while :; do
  setsid -c sh <"$con" >"$con" 2>&1
  sleep 1
done
