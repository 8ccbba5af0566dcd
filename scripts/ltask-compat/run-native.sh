#!/bin/sh
# Regenerates test/plugin-ltask/compat/expected/*.txt: runs every program of
# test/plugin-ltask/compat/programs under native ltask and keeps the lines its services
# print (without timestamps, and without ltask's own "startup"/"quit." lines).
# Needs gcc, lua5.4 and its headers (Debian: apt-get install lua5.4 liblua5.4-dev)
# and an ltask source tree (https://github.com/cloudwu/ltask):
#   sh scripts/ltask-compat/run-native.sh /path/to/ltask
set -eu
LTASK=$(cd "${1:?usage: run-native.sh <ltask source dir>}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROGRAMS="$ROOT/test/plugin-ltask/compat/programs"
(cd "$LTASK" && make -s LUAINC="${LUAINC:--I/usr/include/lua5.4}")
for main in "$ROOT"/test/plugin-ltask/compat/programs/*.lua; do
  name=$(basename "$main" .lua)
  case "$name" in *_main) ;; *) continue ;; esac
  out="$ROOT/test/plugin-ltask/compat/expected/$name.txt"
  (cd "$LTASK" && timeout -k 2 60 lua5.4 "$HERE/launch.lua" "$LTASK" "$PROGRAMS" "$name") \
    | sed 's/^\[[^]]*\]\[[A-Z ]*\]//' \
    | grep '^( compat' | grep -v ') startup [0-9]*$' | grep -v ') quit\.$' > "$out"
  echo "$out: $(wc -l < "$out") lines"
done
