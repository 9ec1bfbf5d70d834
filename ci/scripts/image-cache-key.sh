#!/bin/sh
# Prints the CI cache key of a BSD image: its name, a hash of the recipe (the files that decide
# what the build does) and a hash of the release's checksum list on the mirror (the media). A new
# key, and so a rebuild, only when the recipe or the media change.
#   ci/scripts/image-cache-key.sh openbsd-7.8 [mirror]
set -eu
image=$1
case "$image" in
  openbsd-*)
    rel=${image#openbsd-}
    mirror=${2:-https://cdn.openbsd.org/pub/OpenBSD/}
    media_list="${mirror}${rel}/amd64/SHA256"
    recipe="vm-images/openbsd" ;;
  netbsd-*)
    rel=${image#netbsd-}
    mirror=${2:-https://cdn.netbsd.org/pub/NetBSD/}
    media_list="${mirror}NetBSD-${rel}/images/SHA512"
    recipe="vm-images/netbsd" ;;
  *) echo "image-cache-key.sh: $image is not openbsd-<rel> or netbsd-<rel>" >&2; exit 1 ;;
esac
recipe_hash=$(find "$recipe" harness/images harness/console -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
# The mirror must answer: without the media list there is nothing to build from.
list=$(curl -fsSL --retry 3 "$media_list")
media_hash=$(printf '%s\n' "$list" | sha256sum | cut -c1-16)
echo "pvconform-image-$image-$recipe_hash-$media_hash"
