#!/usr/bin/env bash
# bench/run.sh: time padlock against a plain pcapgo read loop, a plain
# gopacket reassembly with a TLS record-header walk, and tshark on one
# capture, in one run, alternating (read, walk, padlock, tshark) ROUNDS
# times; print medians, ratios and peak RSS, then check padlock's report
# against the capture's ground truth (FILE.truth.json, written by bench/gen).
#
#   go run ./bench/gen -kind handshake -out /tmp/hs.pcap
#   bench/run.sh /tmp/hs.pcap            # 3 rounds
#   ROUNDS=5 TSHARK_ROUNDS=1 PADLOCK_FLAGS="--workers 1" bench/run.sh /tmp/hs.pcap
#
# Each round also runs padlock with --workers 1 (padlock1), to show what the
# default (all cores) gains; ONE_WORKER=0 leaves it out.
# walk (bench/walk) is the floor of issue 6: gopacket's reassembly and the
# record headers, no dissection, no report; WALK=0 skips it.
# TSHARK_ROUNDS (default: ROUNDS) limits the tshark runs, which are long on
# big captures; TSHARK=0 skips tshark. Times are wall clock with the file in
# the page cache, and CPU time (user + system); RSS is the peak resident set,
# all from /usr/bin/time.
set -euo pipefail

file=${1:?usage: bench/run.sh FILE}
rounds=${ROUNDS:-3}
tshark_rounds=${TSHARK_ROUNDS:-$rounds}
padlock_flags=${PADLOCK_FLAGS:-}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/padlock" ./cmd/padlock
go build -o "$tmp/readloop" ./bench/readloop
go build -o "$tmp/walk" ./bench/walk
go build -o "$tmp/check" ./bench/check

# ONE_WORKER=0 skips the run of padlock with --workers 1, WALK=0 bench/walk.
one_worker=${ONE_WORKER:-1}
use_walk=${WALK:-1}
use_tshark=0
if [ "${TSHARK:-1}" != 0 ] && command -v tshark >/dev/null; then
	use_tshark=1
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench/run.sh: needs /usr/bin/time (apt-get install time)" >&2
	exit 2
fi

# Warm the page cache so every contender reads from memory.
cat "$file" >/dev/null

# measure NAME CMD...: appends "wall_ms maxrss_kib cpu_ms" to $tmp/m.NAME
# (cpu: user + system time of the process and its children).
measure() {
	local name=$1
	shift
	local t0 t1 rss cpu
	t0=$(date +%s%N)
	/usr/bin/time -f "%M %U %S" -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/$name.err" || {
		echo "bench/run.sh: $name failed:" >&2
		cat "$tmp/$name.err" >&2
		exit 1
	}
	t1=$(date +%s%N)
	read -r rss u s < <(tail -1 "$tmp/rss")
	cpu=$(echo "($u + $s) * 1000" | bc -l | cut -d. -f1)
	echo "$(( (t1 - t0) / 1000000 )) $rss ${cpu:-0}" >>"$tmp/m.$name"
	printf '  %-8s %9.3f s wall  %9.3f s cpu  %6d MiB\n' "$name" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" \
		"$(echo "$u + $s" | bc -l)" "$(( rss / 1024 ))"
}

size=$(stat -c %s "$file")
echo "capture: $file ($(( size >> 20 )) MiB), $rounds rounds, padlock flags: ${padlock_flags:-none}"
for r in $(seq 1 "$rounds"); do
	echo "round $r"
	measure read "$tmp/readloop" "$file"
	[ "$use_walk" = 1 ] && measure walk "$tmp/walk" "$file"
	# shellcheck disable=SC2086
	measure padlock "$tmp/padlock" -r "$file" --format json $padlock_flags
	if [ "$one_worker" = 1 ]; then
		# shellcheck disable=SC2086
		measure padlock1 "$tmp/padlock" -r "$file" --format json $padlock_flags --workers 1
	fi
	if [ "$use_tshark" = 1 ] && [ "$r" -le "$tshark_rounds" ]; then
		measure tshark tshark -n -r "$file" -T fields -e tls.handshake.extensions_server_name \
			-e tls.handshake.ciphersuite -e tls.handshake.ja3 -Y tls.handshake
	fi
done

# median NAME COLUMN
median() {
	cut -d' ' -f"$2" "$tmp/m.$1" | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}
max() { cut -d' ' -f"$2" "$tmp/m.$1" | sort -n | tail -1; }

echo
echo "medians (wall and cpu ms, peak RSS MiB):"
show() {
	local w c
	w=$(median "$1" 1)
	c=$(median "$1" 3)
	printf '  %-8s %9.0f ms wall %9.0f ms cpu  %5d MiB  %7.1f MB/s\n' "$1" "$w" "$c" $(( $(max "$1" 2) / 1024 )) \
		"$(echo "$size / $w / 1000" | bc -l)"
}
show read
[ "$use_walk" = 1 ] && show walk
show padlock
[ "$one_worker" = 1 ] && show padlock1
[ "$use_tshark" = 1 ] && show tshark
read_ms=$(median read 1)
pad_ms=$(median padlock 1)
read_cpu=$(echo "r = $(median read 3); if (r < 10) r = 10; r" | bc)  # /usr/bin/time counts in 10 ms
pad_cpu=$(echo "r = $(median padlock 3); if (r < 10) r = 10; r" | bc)
echo "ratios (wall; cpu time in brackets, the fairer one on a busy machine):"
printf '  padlock / read      %7.2fx  (%.2fx)\n' "$(echo "$pad_ms / $read_ms" | bc -l)" "$(echo "$pad_cpu / $read_cpu" | bc -l)"
if [ "$use_walk" = 1 ]; then
	walk_ms=$(median walk 1)
	walk_cpu=$(echo "r = $(median walk 3); if (r < 10) r = 10; r" | bc)
	printf '  walk / read         %7.2fx  (%.2fx)   (gopacket reassembly and record headers, issue 6)\n' \
		"$(echo "$walk_ms / $read_ms" | bc -l)" "$(echo "$walk_cpu / $read_cpu" | bc -l)"
	printf '  padlock / walk      %7.2fx  (%.2fx)\n' "$(echo "$pad_ms / $walk_ms" | bc -l)" "$(echo "$pad_cpu / $walk_cpu" | bc -l)"
fi
if [ "$one_worker" = 1 ]; then
	printf '  padlock1 / padlock  %7.2fx  (%.2fx)   (one worker against the default, %d cores)\n' \
		"$(echo "$(median padlock1 1) / $pad_ms" | bc -l)" "$(echo "$(median padlock1 3) / $pad_cpu" | bc -l)" "$(nproc)"
fi
if [ "$use_tshark" = 1 ]; then
	ts_ms=$(median tshark 1)
	ts_cpu=$(median tshark 3)
	printf '  tshark / padlock    %7.2fx  (%.2fx)\n' "$(echo "$ts_ms / $pad_ms" | bc -l)" "$(echo "$ts_cpu / $pad_cpu" | bc -l)"
fi

if [ -f "$file.truth.json" ]; then
	echo "completeness (padlock vs $file.truth.json):"
	# shellcheck disable=SC2086
	"$tmp/padlock" -r "$file" --format json $padlock_flags | "$tmp/check" "$file.truth.json"
else
	echo "no $file.truth.json: completeness not checked"
fi
