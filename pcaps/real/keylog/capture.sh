#!/bin/sh
# Re-record the key-logged captures in pcaps/real/keylog/ on loopback: one
# OpenSSL s_server/s_client connection per cipher suite that package
# decrypt implements, each with the key log s_client wrote (-keylogfile).
#
# Needs root (tcpdump), tcpdump, openssl 3 and gnutls-bin (for the suites
# this OpenSSL lacks: RC4, 3DES, NULL, AES-256-CCM). Uses only 127.0.0.1
# and ports 8450-8480; every process is bounded by timeout(1). The server uses
# the generator's test PKI (pcaps/gen/certs): the RSA example.com leaf and
# "Padlock Test Intermediate CA".
#
# Usage: sh pcaps/real/keylog/capture.sh [OUTDIR]   (default: the script's directory)
#
# The output is NOT reproducible (fresh randoms, keys and timestamps every
# run); the committed files are the artifacts. README.md lists them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
certs="$here/../../gen/certs"
out=${1:-$here}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat "$certs/leaf-rsa.pem" "$certs/intermediate.pem" >"$work/chain.pem"
cp "$certs/leaf-rsa-key.pem" "$work/key.pem"
# s_server -WWW serves files from its working directory: a small page.
mkdir "$work/www"
printf 'hello from padlock\n' >"$work/www/hello.txt"

capture() { # PORT FILE
	timeout 30 tcpdump -i lo --immediate-mode -U -s 0 -w "$2" "tcp port $1 and host 127.0.0.1" 2>"$work/tcpdump.err" &
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
}
start_server() { # ARGS... (openssl s_server options)
	(cd "$work/www" && exec timeout 20 openssl s_server -cert "$work/chain.pem" -key "$work/key.pem" "$@") \
		>"$work/server.log" 2>&1 </dev/null &
	server_pid=$!
	sleep 0.7
}
stop_server() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
}

# one NAME PORT SERVER_OPTS CLIENT_OPTS -- one connection: GET /hello.txt,
# the server answers and closes (HTTP/1.0).
one() {
	name=$1 port=$2 sopts=$3 copts=$4
	echo "== $name.pcap" >&2
	rm -f "$out/$name.keylog"
	# shellcheck disable=SC2086 # the option strings are word lists
	start_server -accept "127.0.0.1:$port" -WWW -naccept 1 $sopts
	capture "$port" "$out/$name.pcap"
	# shellcheck disable=SC2086
	printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
		-servername example.com -keylogfile "$out/$name.keylog" -ign_eof -quiet $copts >/dev/null 2>&1 || true
	stop_capture
	stop_server
}

# TLS 1.3, one per suite (RFC 8446, Appendix B.4). CCM suites must be
# named to be enabled.
one tls13-aes128gcm 8450 "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256" "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256"
one tls13-aes256gcm 8451 "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384" "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384"
one tls13-ccm 8453 "-tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256" "-tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256"
one tls13-ccm8 8454 "-tls1_3 -ciphersuites TLS_AES_128_CCM_8_SHA256" "-tls1_3 -ciphersuites TLS_AES_128_CCM_8_SHA256"

# TLS 1.3 ChaCha20-Poly1305 with a KeyUpdate each way: s_client's "K"
# command (interactive mode, so no -quiet/-ign_eof) sends a KeyUpdate with
# update_requested, and the server answers with its own.
echo "== tls13-chacha20-keyupdate.pcap" >&2
name=tls13-chacha20-keyupdate
rm -f "$out/$name.keylog"
start_server -accept 127.0.0.1:8452 -WWW -naccept 1 -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
capture 8452 "$out/$name.pcap"
(sleep 0.5; echo K; sleep 0.5; printf 'GET /hello.txt HTTP/1.0\r\n\r\n'; sleep 1) |
	timeout 10 openssl s_client -connect 127.0.0.1:8452 -servername example.com -keylogfile "$out/$name.keylog" \
		-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 >/dev/null 2>&1 || true
stop_capture
stop_server

# TLS 1.2 AEAD suites: GCM (SHA-256 and SHA-384 PRF), ChaCha20 (RFC 7905
# nonce), CCM and CCM_8 (RSA key exchange: the only CCM suites an RSA
# certificate gets from OpenSSL).
one tls12-aes128gcm 8455 "-tls1_2" "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"
one tls12-aes256gcm-sha384 8456 "-tls1_2" "-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384"
one tls12-chacha20 8457 "-tls1_2" "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305"
one tls12-ccm 8458 "-tls1_2 -cipher AES128-CCM" "-tls1_2 -cipher AES128-CCM"
one tls12-ccm8 8459 "-tls1_2 -cipher AES128-CCM8" "-tls1_2 -cipher AES128-CCM8"

# TLS 1.2 CBC: MAC-then-encrypt (-no_etm) with HMAC-SHA1 and with
# HMAC-SHA384 (SHA-384 PRF), encrypt-then-MAC (RFC 7366, OpenSSL's
# default) with HMAC-SHA256.
one tls12-cbc-sha 8460 "-tls1_2" "-tls1_2 -no_etm -cipher ECDHE-RSA-AES128-SHA"
one tls12-cbc-sha384 8461 "-tls1_2" "-tls1_2 -no_etm -cipher ECDHE-RSA-AES256-SHA384"
one tls12-cbc-sha256-etm 8462 "-tls1_2" "-tls1_2 -cipher ECDHE-RSA-AES128-SHA256"

# TLS 1.1 (explicit IV) and TLS 1.0 (chained IV), MAC-then-encrypt and
# encrypt-then-MAC: both need security level 0 in OpenSSL 3.
one tls11-cbc-sha 8463 "-tls1_1 -cipher ALL@SECLEVEL=0" "-tls1_1 -no_etm -cipher ECDHE-RSA-AES128-SHA@SECLEVEL=0"
one tls10-cbc-sha 8464 "-tls1 -cipher ALL@SECLEVEL=0" "-tls1 -no_etm -cipher ECDHE-RSA-AES256-SHA@SECLEVEL=0"
one tls10-cbc-sha-etm 8465 "-tls1 -cipher ALL@SECLEVEL=0" "-tls1 -cipher ECDHE-RSA-AES128-SHA@SECLEVEL=0"

# TLS 1.3 0-RTT. Accepted: one server, two connections; the second resumes
# the first's ticket and sends a line as early data. Rejected: the second
# connection goes to a new server process, whose ticket key cannot open
# the ticket, so it does a full handshake and skips the early data.
# s_server cannot mix -early_data with -WWW: it prints what it gets and
# sends nothing (its stdin is held open by sleep). The clients are not
# -quiet and end by stdin EOF, so they send close_notify: OpenSSL drops
# a session from its cache after an unclean end, and 0-RTT with it.
early_server() { # PORT NACCEPT
	(sleep 8 | timeout 10 openssl s_server -cert "$work/chain.pem" -key "$work/key.pem" \
		-accept "127.0.0.1:$1" -naccept "$2" -tls1_3 -early_data) >"$work/server.log" 2>&1 &
	server_pid=$!
	sleep 0.7
}
early() { # NAME PORT RESTART
	name=$1 port=$2 restart=$3
	echo "== $name.pcap" >&2
	rm -f "$out/$name.keylog" "$work/sess.pem"
	printf 'early data from padlock\n' >"$work/early.txt"
	naccept=2
	[ "$restart" = yes ] && naccept=1
	early_server "$port" $naccept
	capture "$port" "$out/$name.pcap"
	(printf 'first connection\n'; sleep 1) | timeout 5 openssl s_client -connect "127.0.0.1:$port" \
		-servername example.com -keylogfile "$out/$name.keylog" -sess_out "$work/sess.pem" >/dev/null 2>&1 || true
	if [ "$restart" = yes ]; then
		sleep 0.3
		stop_server
		early_server "$port" 1
	fi
	sleep 1 | timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername example.com -keylogfile "$out/$name.keylog" \
		-sess_in "$work/sess.pem" -early_data "$work/early.txt" >/dev/null 2>&1 || true
	stop_capture
	stop_server
}
early tls13-0rtt-accepted 8466 no
early tls13-0rtt-rejected 8467 yes

# Handshake shapes: a HelloRetryRequest (the client's key share is for
# P-256, the server takes X25519 only); a client certificate (Certificate,
# CertificateVerify, Finished from the client under its handshake keys);
# TLS 1.2 session resumption (the second connection is abbreviated: the
# server's ChangeCipherSpec and Finished come first).
one tls13-hrr 8475 "-tls1_3 -groups X25519" "-tls1_3 -groups P-256:X25519"
one tls13-client-auth 8476 "-tls1_3 -Verify 1 -CAfile $certs/root.pem" \
	"-tls1_3 -cert $certs/leaf-ecdsa.pem -key $certs/leaf-ecdsa-key.pem -cert_chain $certs/intermediate.pem"
echo "== tls12-resumption.pcap" >&2
name=tls12-resumption
rm -f "$out/$name.keylog" "$work/sess12.pem"
start_server -accept 127.0.0.1:8477 -WWW -naccept 2 -tls1_2
capture 8477 "$out/$name.pcap"
for opt in "-sess_out $work/sess12.pem" "-sess_in $work/sess12.pem"; do
	# shellcheck disable=SC2086
	printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect 127.0.0.1:8477 -servername example.com \
		-keylogfile "$out/$name.keylog" -tls1_2 -ign_eof -quiet $opt >/dev/null 2>&1 || true
done
stop_capture
stop_server

# TLS 1.2 renegotiation (RFC 5746): s_client's "R" command (interactive
# mode) renegotiates before the GET; OpenSSL 3 servers allow it only with
# -client_renegotiation. The second handshake runs encrypted under the
# first's keys, and the key log gets a second CLIENT_RANDOM line.
echo "== tls12-renegotiation.pcap" >&2
name=tls12-renegotiation
rm -f "$out/$name.keylog"
start_server -accept 127.0.0.1:8478 -WWW -naccept 1 -tls1_2 -client_renegotiation -no_resumption_on_reneg
capture 8478 "$out/$name.pcap"
(sleep 0.5; echo R; sleep 0.7; printf 'GET /hello.txt HTTP/1.0\r\n\r\n'; sleep 1) |
	timeout 10 openssl s_client -connect 127.0.0.1:8478 -servername example.com -keylogfile "$out/$name.keylog" \
		-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 >/dev/null 2>&1 || true
stop_capture
stop_server

# GnuTLS 3.7 for what OpenSSL 3 here cannot do. gnutls-cli writes the key
# log named by SSLKEYLOGFILE; gnutls-serv --http answers with its HTML
# session page. Both sides get the same priority string.
gnutls() { # NAME PORT PRIORITY
	name=$1 port=$2 prio=$3
	echo "== $name.pcap" >&2
	rm -f "$out/$name.keylog"
	timeout 20 gnutls-serv --http --port "$port" --x509certfile "$work/chain.pem" --x509keyfile "$work/key.pem" \
		--disable-client-cert --priority "$prio" >"$work/server.log" 2>&1 </dev/null &
	server_pid=$!
	sleep 0.7
	capture "$port" "$out/$name.pcap"
	printf 'GET / HTTP/1.0\r\nHost: example.com\r\n\r\n' | SSLKEYLOGFILE="$out/$name.keylog" timeout 10 \
		gnutls-cli --insecure --port "$port" --sni-hostname example.com --priority "$prio" 127.0.0.1 >/dev/null 2>&1 || true
	stop_capture
	stop_server
}
gnutls tls12-rc4-sha 8470 'NORMAL:-CIPHER-ALL:+ARCFOUR-128:-VERS-ALL:+VERS-TLS1.2'
gnutls tls12-3des-etm 8471 'NORMAL:-CIPHER-ALL:+3DES-CBC:-VERS-ALL:+VERS-TLS1.2'
gnutls tls12-aes256ccm 8472 'NORMAL:-CIPHER-ALL:+AES-256-CCM:+RSA:-VERS-ALL:+VERS-TLS1.2'
gnutls tls12-null-sha 8473 'NORMAL:-CIPHER-ALL:+NULL:-VERS-ALL:+VERS-TLS1.2'
gnutls tls10-rc4-md5 8474 'NORMAL:-CIPHER-ALL:+ARCFOUR-128:-MAC-ALL:+MD5:-KX-ALL:+RSA:-VERS-ALL:+VERS-TLS1.0'

# curl (OpenSSL backend here) writes SSLKEYLOGFILE like a browser; it
# offers h2 and http/1.1 and checks nothing (-k: the test PKI).
curl_one() { # NAME PORT SERVER_OPTS CURL_OPTS
	name=$1 port=$2 sopts=$3 copts=$4
	echo "== $name.pcap" >&2
	rm -f "$out/$name.keylog"
	# shellcheck disable=SC2086
	start_server -accept "127.0.0.1:$port" -WWW -naccept 1 $sopts
	capture "$port" "$out/$name.pcap"
	# shellcheck disable=SC2086
	SSLKEYLOGFILE="$out/$name.keylog" timeout 10 curl -sk --resolve "example.com:$port:127.0.0.1" $copts \
		"https://example.com:$port/hello.txt" >/dev/null 2>&1 || true
	stop_capture
	stop_server
}
curl_one curl-tls13 8479 "-tls1_3" "--tlsv1.3"
curl_one curl-tls12 8480 "-tls1_2" "--tlsv1.2 --tls-max 1.2"

ls -l "$out"/*.pcap >&2
