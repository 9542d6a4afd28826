#!/usr/bin/env bash
# The cost of `parliament watch` to a loaded Chamber, side by side: `parliament bench` alone, then
# again with `parliament watch --dir` attached in a 100x30 tmux, alternately, ROUNDS times.
# Prints decrees/s both ways and the watch's own line (refreshes a second, CPU per row).
# Run from the project root after `cargo build --release`; needs tmux and python3.
set -u
P=${P:-$PWD/target/release/parliament}
N=${N:-40000}
ROUNDS=${ROUNDS:-3}
W=$(mktemp -d)
trap 'tmux kill-session -t watch-beside 2>/dev/null; rm -rf "$W"' EXIT
bench() { "$P" bench --priests 5 --petitions "$N" --light 0 --restore-rows 0 --dir "$1" --json; }
rate() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['decrees_per_s_majority']))" "$1"; }
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$W/a"; bench "$W/a" > "$W/without.json" 2>/dev/null
  rm -rf "$W/b"; (bench "$W/b" > "$W/with.json" 2>/dev/null) & pid=$!
  until [ -e "$W/b/ledgers/.Toueg.sitting" ]; do sleep 0.02; done
  tmux new-session -d -x 100 -y 30 -s watch-beside "$P watch --dir $W/b 2>$W/watch.txt"
  wait $pid
  tmux send-keys -t watch-beside q
  while tmux has-session -t watch-beside 2>/dev/null; do sleep 0.1; done
  echo "round $round: alone $(rate "$W/without.json")/s, watched $(rate "$W/with.json")/s; $(head -1 "$W/watch.txt")"
done
