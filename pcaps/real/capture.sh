#!/bin/sh
# Re-record the real captures in pcaps/real/ on loopback.
#
# Needs root (tcpdump), tcpdump, openssl, curl, gnutls-bin. Uses only
# 127.0.0.1 and ports 8443-8447; every process is bounded by timeout(1).
# The servers use the test PKI of the generator (pcaps/gen/certs): an
# example.com leaf signed by "Padlock Test Intermediate CA".
#
# Usage: sh pcaps/real/capture.sh [OUTDIR]   (default: the script's directory)
#
# The output is NOT reproducible (fresh randoms, keys and timestamps every
# run); the committed files are the artifacts.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
certs="$here/../gen/certs"
out=${1:-$here}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat "$certs/leaf-rsa.pem" "$certs/intermediate.pem" >"$work/chain.pem"
cp "$certs/leaf-rsa-key.pem" "$work/key.pem"

# capture IFACE PORT FILE -- starts tcpdump in the background, waits until it
# listens; stop_capture ends it after the packets are flushed.
capture() {
	timeout 30 tcpdump -i "$1" --immediate-mode -U -s 0 -w "$3" "tcp port $2 and host 127.0.0.1" 2>"$work/tcpdump.err" &
	tcpdump_pid=$!
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		grep -q listening "$work/tcpdump.err" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.3
}
stop_capture() {
	sleep 0.5
	kill -INT "$tcpdump_pid" 2>/dev/null || true
	wait "$tcpdump_pid" 2>/dev/null || true
	cat "$work/tcpdump.err" >&2
}

# start_server CMD... -- runs a server in the background for at most 20 s.
start_server() {
	timeout 20 "$@" >"$work/server.log" 2>&1 </dev/null &
	server_pid=$!
	sleep 0.7
}
stop_server() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
}

request='GET / HTTP/1.0\r\nHost: example.com\r\n\r\n'

# 1. OpenSSL server and client, TLS 1.3, SNI + ALPN.
echo "== openssl-tls13.pcap" >&2
start_server openssl s_server -accept 127.0.0.1:8443 -cert "$work/chain.pem" -key "$work/key.pem" \
	-tls1_3 -www -alpn http/1.1 -naccept 1
capture lo 8443 "$out/openssl-tls13.pcap"
printf "$request" | timeout 10 openssl s_client -connect 127.0.0.1:8443 -servername example.com \
	-alpn h2,http/1.1 -tls1_3 -ign_eof -quiet >/dev/null 2>&1 || true
stop_capture
stop_server

# 2. OpenSSL server and client, TLS 1.2 ECDHE-RSA AES-256-GCM.
echo "== openssl-tls12.pcap" >&2
start_server openssl s_server -accept 127.0.0.1:8444 -cert "$work/chain.pem" -key "$work/key.pem" \
	-tls1_2 -www -naccept 1
capture lo 8444 "$out/openssl-tls12.pcap"
printf "$request" | timeout 10 openssl s_client -connect 127.0.0.1:8444 -servername example.com \
	-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384 -ign_eof -quiet >/dev/null 2>&1 || true
stop_capture
stop_server

# 3. curl to an OpenSSL server, TLS 1.3, captured on "any": LINKTYPE_LINUX_SLL2.
echo "== curl-tls13-any.pcap" >&2
start_server openssl s_server -accept 127.0.0.1:8445 -cert "$work/chain.pem" -key "$work/key.pem" \
	-www -alpn http/1.1 -naccept 1
capture any 8445 "$out/curl-tls13-any.pcap"
timeout 10 curl -sk --http1.1 --resolve example.com:8445:127.0.0.1 https://example.com:8445/ >/dev/null || true
stop_capture
stop_server

# 4. GnuTLS server and client, TLS 1.2 only.
echo "== gnutls-tls12.pcap" >&2
start_server gnutls-serv --http --port 8446 --x509certfile "$work/chain.pem" --x509keyfile "$work/key.pem" \
	--disable-client-cert
capture lo 8446 "$out/gnutls-tls12.pcap"
printf "$request" | timeout 10 gnutls-cli --insecure --port 8446 --sni-hostname example.com \
	--priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' 127.0.0.1 >/dev/null 2>&1 || true
stop_capture
stop_server

# 5. GnuTLS server and client, default priorities (TLS 1.3).
echo "== gnutls-tls13.pcap" >&2
start_server gnutls-serv --http --port 8447 --x509certfile "$work/chain.pem" --x509keyfile "$work/key.pem" \
	--disable-client-cert
capture lo 8447 "$out/gnutls-tls13.pcap"
printf "$request" | timeout 10 gnutls-cli --insecure --port 8447 --sni-hostname example.com \
	--alpn h2 --alpn http/1.1 127.0.0.1 >/dev/null 2>&1 || true
stop_capture
stop_server

ls -l "$out"/*.pcap >&2
