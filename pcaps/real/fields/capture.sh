#!/bin/bash
# Record the captures of pcaps/real/fields on loopback: OpenSSL 3 server and
# client in the handshakes the other captures lack, so that
# TestTsharkFields (cmd/padlock) compares more of tshark's fields with
# padlock's: DHE and PSK key exchange, CertificateRequest with CA names and
# client certificates (TLS 1.2 and 1.3), TLS 1.1, secp384r1 and ffdhe key
# shares, stapled OCSP (CertificateStatus and the TLS 1.3 entry extension),
# max_fragment_length, and a certificate chain with most extensions real
# certificates carry (richcert.go) plus SCTs in the TLS extension.
#
# Needs root (tcpdump), tcpdump, openssl 3, go. Uses 127.0.0.1, ports
# 8470-8482; every process is bounded by timeout(1). Each capture gets the
# client's key log beside it (X.keylog), which the test hands to both tools.
# Not reproducible (fresh randoms, keys, times): the files are the artifacts.
#
# Usage: bash pcaps/real/fields/capture.sh [OUTDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
C="$here/../../gen/certs"
out=${1:-$here}
mkdir -p "$out"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cat "$C/intermediate.pem" "$C/root.pem" >"$W/ca.pem"
(cd "$here" && go run richcert.go "$W")
touch "$W/ct.cnf"
printf 'enabled_logs = x\n[x]\nkey = MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfahLEimAoz2t01p3uMziiLOl/fHTDM0YDOhBRuiBARsV4UvxG2LdNgoIGLrtCzWE0J5APC2em4JlvR8EEEFMoA==\ndescription = x\n' >"$W/ct.cnf"
# An OCSP response for the RSA leaf (serial 1001), signed by the intermediate.
printf 'V\t350101000000Z\t\t1001\tunknown\t/O=Padlock Test/CN=example.com\n' >"$W/index.txt"
openssl ocsp -issuer "$C/intermediate.pem" -cert "$C/leaf-rsa.pem" -reqout "$W/req.der" -no_nonce >/dev/null 2>&1
openssl ocsp -index "$W/index.txt" -rsigner "$C/intermediate.pem" -rkey "$C/intermediate-key.pem" -CA "$C/intermediate.pem" \
	-reqin "$W/req.der" -respout "$W/ocsp.der" -ndays 30 >/dev/null 2>&1

port=8469
# run NAME SERVER-ARGS... -- CLIENT-ARGS...
run() {
	name=$1
	shift
	port=$((port + 1))
	srv=()
	while [ "$1" != "--" ]; do
		srv+=("$1")
		shift
	done
	shift
	echo "== $name.pcap (port $port)" >&2
	timeout 10 tcpdump -i lo -U -s0 -w "$out/$name.pcap" "tcp port $port and host 127.0.0.1" 2>"$W/tcpdump.err" &
	tpid=$!
	sleep 0.5
	timeout 8 openssl s_server -accept 127.0.0.1:$port "${srv[@]}" -naccept 1 >"$W/server.log" 2>&1 </dev/null &
	spid=$!
	sleep 0.5
	(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | timeout 5 openssl s_client -connect 127.0.0.1:$port -keylogfile "$out/$name.keylog" "$@" >"$W/client.log" 2>&1 || true
	sleep 0.5
	kill $spid 2>/dev/null || true
	wait $spid 2>/dev/null || true
	sleep 0.3
	kill -INT $tpid 2>/dev/null || true
	wait $tpid 2>/dev/null || true
}
RSA="-cert $C/leaf-rsa.pem -cert_chain $C/intermediate.pem -key $C/leaf-rsa-key.pem"
EC="-cert $C/leaf-ecdsa.pem -cert_chain $C/intermediate.pem -key $C/leaf-ecdsa-key.pem"
CLI="-cert $C/leaf-ecdsa.pem -key $C/leaf-ecdsa-key.pem"
run dhe12 $RSA -www -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -- -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -servername example.com
run clientcert12 $RSA -www -tls1_2 -Verify 1 -CAfile "$W/ca.pem" -- -tls1_2 $CLI -servername example.com
run clientcert13 $RSA -www -tls1_3 -Verify 1 -CAfile "$W/ca.pem" -- -tls1_3 $CLI -servername example.com
run psk12 -nocert -psk 0102030405060708 -psk_hint padlock-hint -www -tls1_2 -cipher PSK-AES128-GCM-SHA256 -- \
	-tls1_2 -psk 0102030405060708 -psk_identity client-id -cipher PSK-AES128-GCM-SHA256
run ecdhe384 $EC -www -tls1_2 -groups secp384r1:prime256v1 -- -tls1_2 -groups secp384r1:secp521r1:prime256v1:ffdhe2048 -servername example.com -status
run tls11 $RSA -www -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -- -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -servername example.com
run tls13-ffdhe $RSA -www -tls1_3 -- -tls1_3 -status -groups ffdhe2048:x25519 -servername example.com -alpn h2,http/1.1
run ocsp12 $RSA -www -tls1_2 -status_file "$W/ocsp.der" -- -tls1_2 -status -servername example.com
run ocsp13 $RSA -www -tls1_3 -status_file "$W/ocsp.der" -- -tls1_3 -status -servername example.com
run maxfrag $RSA -www -tls1_2 -- -tls1_2 -maxfraglen 1024 -servername example.com -no_ticket
run richcert12 -cert "$W/chain.pem" -cert_chain "$W/ca.pem" -key "$W/key.pem" -serverinfo "$W/serverinfo.pem" -www -tls1_2 -- \
	-tls1_2 -servername example.com -ct -ctlogfile "$W/ct.cnf"

# grun NAME SERVER-ARGS... -- CLIENT-ARGS... -- the same with GnuTLS (key
# log from SSLKEYLOGFILE).
grun() {
	name=$1
	shift
	port=$((port + 1))
	srv=()
	while [ "$1" != "--" ]; do
		srv+=("$1")
		shift
	done
	shift
	echo "== $name.pcap (port $port)" >&2
	timeout 10 tcpdump -i lo -U -s0 -w "$out/$name.pcap" "tcp port $port and host 127.0.0.1" 2>"$W/tcpdump.err" &
	tpid=$!
	sleep 0.5
	timeout 8 gnutls-serv -p $port "${srv[@]}" >"$W/server.log" 2>&1 </dev/null &
	spid=$!
	sleep 0.8
	(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | SSLKEYLOGFILE="$out/$name.keylog" timeout 5 gnutls-cli -p $port 127.0.0.1 "$@" >"$W/client.log" 2>&1 || true
	sleep 0.5
	kill $spid 2>/dev/null || true
	wait $spid 2>/dev/null || true
	sleep 0.3
	kill -INT $tpid 2>/dev/null || true
	wait $tpid 2>/dev/null || true
}
cat "$C/leaf-rsa.pem" "$C/intermediate.pem" >"$W/chain-rsa.pem"
grun gnutls-heartbeat12 --x509certfile="$W/chain-rsa.pem" --x509keyfile="$C/leaf-rsa-key.pem" -b --http --priority=NORMAL:-VERS-TLS1.3 -- \
	--no-ca-verification -b --priority=NORMAL:-VERS-TLS1.3 --sni-hostname=example.com

# Go crypto/tls with Encrypted Client Hello (ech.go), port 8482.
echo "== ech13.pcap (port 8482)" >&2
timeout 15 tcpdump -i lo -U -s0 -w "$out/ech13.pcap" "tcp port 8482 and host 127.0.0.1" 2>"$W/tcpdump.err" &
tpid=$!
sleep 0.5
(cd "$here" && timeout 60 go run ech.go "$C" "$out/ech13.keylog") >&2 || true
sleep 0.5
kill -INT $tpid 2>/dev/null || true
wait $tpid 2>/dev/null || true
