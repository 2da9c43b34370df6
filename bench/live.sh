#!/usr/bin/env bash
# bench/live.sh: how much of a busy link padlock keeps up with, live. A
# capture is replayed with tcpreplay at a fixed packet rate into one end of
# a veth pair, between two network namespaces this script makes and
# removes; padlock captures on the other end. For each --workers value,
# alternating ROUNDS times, it prints the kernel's drop count and the
# connections reported, against the capture's own count.
#
#   sudo bench/live.sh /tmp/hs10k.pcap               # 200000 pps, workers 1 and 2
#   sudo PPS=120000 WORKERS="1 2 4" ROUNDS=3 bench/live.sh FILE
#
# Needs root (namespaces, capture), tcpreplay (apt-get install tcpreplay),
# iproute2. tcpreplay runs on the same machine: on a small one it takes a
# core from padlock, so compare the rows of one run, not machines.
set -euo pipefail

file=${1:?usage: bench/live.sh FILE}
pps=${PPS:-200000}
workers=${WORKERS:-1 2}
rounds=${ROUNDS:-2}
command -v tcpreplay >/dev/null || { echo "bench/live.sh: needs tcpreplay (apt-get install tcpreplay)" >&2; exit 2; }
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
a=padlock-bench-a b=padlock-bench-b
cleanup() {
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/padlock" ./cmd/padlock
ip netns add "$a"
ip netns add "$b"
ip link add pl-bench-a type veth peer name pl-bench-b
ip link set pl-bench-a netns "$a"
ip link set pl-bench-b netns "$b"
ip -n "$a" link set pl-bench-a up mtu 9000
ip -n "$b" link set pl-bench-b up mtu 9000

# What the capture holds, for the last column.
want=$("$tmp/padlock" -r "$file" --format json -q | wc -l)
packets=$("$tmp/padlock" -r "$file" --stats -q 2>&1 >/dev/null | awk '/^  packets/ {print $2}')
echo "capture: $file ($packets packets, $want TLS connections), replayed at $pps packets/s"
printf '  %-8s %10s %12s %10s\n' workers captured dropped reports
for _ in $(seq "$rounds"); do
	for w in $workers; do
		ip netns exec "$b" "$tmp/padlock" -i pl-bench-b --format json --workers "$w" >"$tmp/out" 2>"$tmp/err" &
		pid=$!
		# Replay once padlock listens.
		for _ in $(seq 50); do
			grep -q "listening on" "$tmp/err" && break
			sleep 0.1
		done
		ip netns exec "$a" tcpreplay -q --pps "$pps" -i pl-bench-a "$file" >/dev/null 2>&1
		sleep 2 # the last reports: flushes run each second
		kill -INT "$pid"
		wait "$pid" || true
		captured=$(awk '/packets captured/ {print $1}' "$tmp/err")
		dropped=$(awk '/packets dropped by kernel/ {print $1}' "$tmp/err")
		printf '  %-8s %10s %12s %10s  (of %d)\n' "$w" "$captured" "$dropped" "$(wc -l <"$tmp/out")" "$want"
	done
done
