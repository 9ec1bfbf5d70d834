#!/bin/sh
# /init of the nested Xen host's dom0 (initramfs only). It brings up the toolstack in the
# order xl needs (xenstored, then xen-init-dom0, then xenconsoled), the network QEMU gives it
# and dropbear, then says XEN-HOST-READY on the console.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t devpts devpts /dev/pts
# devtmpfs has no /dev/fd or /dev/stdin (udev makes them elsewhere); the hotplug scripts' lock
# (locking.sh: stat -L /dev/stdin) spins for ever without them.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
ln -sfn /run /var/run

for m in $(cat /etc/pvconform/modules); do
  modprobe "$m" || echo "xen-host: modprobe $m failed" > /dev/kmsg
done
mount -t xenfs xenfs /proc/xen

mkdir -p /run/xen /run/xenstored /run/xen-hotplug /var/lib/xen /var/lib/xenstored /var/log/xen/console /var/lock
xenstored --pid-file=/run/xenstored.pid
xen-init-dom0
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console

hostname xen-host
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2

# -s: keys only. -E: log to stderr (the console).
dropbear -E -s -r /etc/dropbear/dropbear_ed25519_host_key -p 22 -P /run/dropbear.pid
echo "XEN-HOST-READY $(cut -d' ' -f1 /proc/uptime)" > /dev/hvc0

while :; do
  setsid -c sh </dev/hvc0 >/dev/hvc0 2>&1
  sleep 1
done
