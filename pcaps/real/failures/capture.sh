#!/bin/sh
# Record pcaps/real/failures/*.pcap: one loopback capture per failure class
# and per verdict rule that a real TLS stack (OpenSSL 3, GnuTLS) produces.
# README.md beside this script says how each was made and what padlock must
# report for it; cmd/padlock/failures_test.go asserts it.
#
# Needs root (tcpdump), tcpdump, openssl (3.x), gnutls-bin, curl, python3. Uses only
# 127.0.0.1 and ports 9440-9462; every process is bounded by timeout(1).
#
# Certificates: the test PKI in certs/ (committed). It is generated here with
# openssl when certs/root.pem is missing, with fixed validity dates, so
# re-recording keeps the same PKI and --ca-file certs/root.pem keeps working.
# Delete certs/ to make a new one (then update the goldens).
#
# Usage: sh pcaps/real/failures/capture.sh [OUTDIR]   (default: this directory)
#
# The captures are NOT reproducible (fresh randoms, keys and timestamps on
# every run); the committed files are the artifacts.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
certs="$here/certs"
out=${1:-$here}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- the PKI

# sign SERIAL NAME CN ISSUER EXTS START END [MD] -- certs/NAME.pem (unless
# it exists) with serial number SERIAL (hex) for key certs/NAME-key.pem
# (made if missing), issued by certs/ISSUER.pem ("self": self-signed),
# extensions section EXTS of the config below, validity START..END
# (YYYYMMDDHHMMSSZ).
sign() {
	serial=$1 name=$2 cn=$3 issuer=$4 exts=$5 start=$6 end=$7 md=${8:-sha256}
	[ -f "$certs/$name.pem" ] && return 0
	echo "$serial" >"$work/serial"
	key="$certs/$name-key.pem"
	[ -f "$key" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${BITS:-2048}" -out "$key" 2>/dev/null
	openssl req -new -key "$key" -subj "/O=Padlock Test/CN=$cn" -out "$work/$name.csr"
	if [ "$issuer" = self ]; then
		set -- -selfsign -keyfile "$key"
	else
		set -- -keyfile "$certs/$issuer-key.pem" -cert "$certs/$issuer.pem"
	fi
	openssl ca -batch -notext -config "$work/ca.cnf" "$@" -extensions "$exts" \
		-startdate "$start" -enddate "$end" -md "$md" -in "$work/$name.csr" -out "$certs/$name.pem" 2>"$work/ca.log" ||
		{ cat "$work/ca.log" >&2; exit 1; }
}

make_pki() {
	mkdir -p "$certs" "$work/new"
	: >"$work/index.txt"
	cat >"$work/ca.cnf" <<EOF
[ ca ]
default_ca = ca_default
[ ca_default ]
default_md = sha256
database = $work/index.txt
new_certs_dir = $work/new
serial = $work/serial
policy = policy_any
unique_subject = no
preserve = yes
email_in_dn = no
[ policy_any ]
organizationName = optional
commonName = supplied
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_self ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:example.com
subjectKeyIdentifier = hash
[ v3_client_only ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = DNS:example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
	ca_from=20190101000000Z ca_to=20490101000000Z
	sign 1000 root "Padlock Failures Root CA" self v3_ca $ca_from $ca_to
	sign 1001 intermediate "Padlock Failures Intermediate CA" root v3_ca $ca_from $ca_to
	sign 1002 other-root "Padlock Untrusted Root CA" self v3_ca $ca_from $ca_to
	sign 1003 leaf example.com intermediate v3_leaf 20260101000000Z 20360101000000Z
	for l in expired untrusted sha1 client-only not-yet-valid; do
		[ -f "$certs/leaf-$l-key.pem" ] || cp "$certs/leaf-key.pem" "$certs/leaf-$l-key.pem"
	done
	sign 1004 leaf-expired example.com intermediate v3_leaf 20200101000000Z 20210101000000Z
	sign 1005 leaf-untrusted example.com other-root v3_leaf 20260101000000Z 20360101000000Z
	sign 1006 leaf-self-signed example.com self v3_self 20260101000000Z 20360101000000Z
	BITS=1024 sign 1007 leaf-rsa1024 example.com intermediate v3_leaf 20260101000000Z 20360101000000Z
	sign 1008 leaf-sha1 example.com intermediate v3_leaf 20260101000000Z 20360101000000Z sha1
	sign 1009 leaf-client-only example.com intermediate v3_client_only 20260101000000Z 20360101000000Z
	sign 100A leaf-not-yet-valid example.com intermediate v3_leaf 20400101000000Z 20450101000000Z
}

# Makes only the certificates that are missing: an existing PKI stays.
make_pki

# issuers NAME ISSUER... -- $work/NAME-issuers.pem: the certificates the
# server sends after its own (s_server -cert sends one certificate only;
# the rest of the chain goes in -cert_chain).
issuers() {
	name=$1
	shift
	: >"$work/$name-issuers.pem"
	for c in "$@"; do cat "$certs/$c.pem" >>"$work/$name-issuers.pem"; done
}

# ---------------------------------------------------------------- capturing

# capture PORT FILE -- starts tcpdump on lo in the background and waits
# until it listens; stop_capture ends it once the packets are flushed.
# $CAPTURE_COUNT, when set, stops tcpdump after that many packets (-c).
capture() {
	timeout 30 tcpdump -i lo --immediate-mode -U -s 0 ${CAPTURE_COUNT:+-c "$CAPTURE_COUNT"} -w "$2" \
		"tcp port $1 and host 127.0.0.1" 2>"$work/tcpdump.err" &
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
	grep -v -e listening -e '^tcpdump: ' "$work/tcpdump.err" >&2 || true
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

# s_server PORT NAME ISSUER... [-- OPTIONS] -- openssl s_server on
# 127.0.0.1:PORT for one connection, sending certs/NAME.pem and its issuers.
s_server() {
	port=$1 name=$2
	shift 2
	issuers=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do issuers="$issuers $1"; shift; done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086
	issuers "$name" $issuers
	if [ -s "$work/$name-issuers.pem" ]; then
		set -- -cert_chain "$work/$name-issuers.pem" "$@"
	fi
	# -rev: answers each line reversed and, unlike the default mode, does
	# not quit when its stdin is at EOF.
	start_server openssl s_server -accept 127.0.0.1:"$port" -naccept 1 -rev \
		-cert "$certs/$name.pem" -key "$certs/$name-key.pem" "$@"
}

# s_client PORT OPTIONS... -- openssl s_client that trusts certs/root.pem
# only, refuses a certificate that does not verify (-verify_return_error:
# then it sends the alert), sends one line and closes with close_notify.
s_client() {
	port=$1
	shift
	(printf 'ping\n'; sleep 0.5) | timeout 10 openssl s_client -connect 127.0.0.1:"$port" \
		-CAfile "$certs/root.pem" -verify_return_error "$@" >"$work/client.log" 2>&1 || true
	grep -E -i 'verify error|alert|Cipher is|Protocol  *:|error' "$work/client.log" | sed 's/^/    client: /' >&2 || true
}

# want FILE -- whether to record FILE: all of them, or those named in
# $ONLY (ONLY="expired.pcap reset.pcap" sh capture.sh).
want() {
	[ -z "${ONLY:-}" ] && return 0
	case " $ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

# record FILE PORT -- the case's banner; waits (up to 5 s) until the server
# listens on PORT, then starts the capture.
record() {
	echo "== $1" >&2
	for _ in $(seq 50); do
		ss -Htln "sport = :$2" | grep -q . && break
		sleep 0.1
	done
	capture "$2" "$out/$1"
}
done_case() {
	stop_capture
	stop_server
}

sni="-servername example.com"
weak="-cipher DEFAULT:@SECLEVEL=0"

# 1. The client refuses an expired certificate: alert certificate_expired.
if want expired.pcap; then
	s_server 9440 leaf-expired intermediate -- -tls1_2
	record expired.pcap 9440
	s_client 9440 $sni -tls1_2
	done_case
fi

# 2. The chain ends at a root the client does not trust: alert unknown_ca.
if want unknown-ca.pcap; then
	s_server 9441 leaf-untrusted other-root -- -tls1_2
	record unknown-ca.pcap 9441
	s_client 9441 $sni -tls1_2
	done_case
fi

# 3. The certificate does not cover the name the client asked for.
if want name-mismatch.pcap; then
	s_server 9442 leaf intermediate -- -tls1_2
	record name-mismatch.pcap 9442
	s_client 9442 -servername wrong.example.net -verify_hostname wrong.example.net -tls1_2
	done_case
fi

# 4. A self-signed server certificate, refused.
if want self-signed.pcap; then
	s_server 9443 leaf-self-signed -- -tls1_2
	record self-signed.pcap 9443
	s_client 9443 $sni -tls1_2
	done_case
fi

# 5. The server sends its leaf without the intermediate, refused.
if want missing-intermediate.pcap; then
	s_server 9444 leaf -- -tls1_2
	record missing-intermediate.pcap 9444
	s_client 9444 $sni -tls1_2
	done_case
fi

# 6. A TLS 1.2+ server, a client that offers TLS 1.0 and 1.1 only:
# alert protocol_version.
if want version-refused.pcap; then
	s_server 9445 leaf intermediate -- -min_protocol TLSv1.2
	record version-refused.pcap 9445
	s_client 9445 $sni -min_protocol TLSv1 -max_protocol TLSv1.1 $weak
	done_case
fi

# 7. No cipher suite in common: alert handshake_failure.
if want no-shared-cipher.pcap; then
	s_server 9446 leaf intermediate -- -tls1_2 -cipher AES256-GCM-SHA384
	record no-shared-cipher.pcap 9446
	s_client 9446 $sni -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
	done_case
fi

# 8. An RSA 1024 leaf that a permissive client accepts: completes.
if want weak-rsa1024.pcap; then
	s_server 9447 leaf-rsa1024 intermediate -- -tls1_2 $weak
	record weak-rsa1024.pcap 9447
	s_client 9447 $sni -tls1_2 $weak
	done_case
fi

# 9. A SHA-1 signed leaf that a permissive client accepts: completes.
if want sha1-signature.pcap; then
	s_server 9448 leaf-sha1 intermediate -- -tls1_2 $weak
	record sha1-signature.pcap 9448
	s_client 9448 $sni -tls1_2 $weak
	done_case
fi

# 10. A TLS 1.0 connection that completes.
if want tls10.pcap; then
	s_server 9449 leaf intermediate -- -tls1 $weak
	record tls10.pcap 9449
	s_client 9449 $sni -tls1 $weak
	done_case
fi

# 11. A static-RSA key exchange (no forward secrecy) that completes.
if want static-rsa.pcap; then
	s_server 9450 leaf intermediate -- -tls1_2
	record static-rsa.pcap 9450
	s_client 9450 $sni -tls1_2 -cipher AES128-GCM-SHA256
	done_case
fi

# 12. TLS 1.2 without the extended master secret. OpenSSL 3.0's s_client
# and s_server cannot turn EMS off (no -no_ems); GnuTLS can
# (%NO_SESSION_HASH), so gnutls-cli is the client.
if want no-ems.pcap; then
	s_server 9451 leaf intermediate -- -tls1_2
	record no-ems.pcap 9451
	(printf 'ping\n'; sleep 0.5) | timeout 10 gnutls-cli --port 9451 --sni-hostname example.com \
		--verify-hostname example.com --x509cafile "$certs/root.pem" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH' \
		127.0.0.1 >"$work/client.log" 2>&1 || true
	grep -E -i 'Description|Session ID|error' "$work/client.log" | sed 's/^/    client: /' >&2 || true
	done_case
fi

# 13. The server resets the connection after the ClientHello arrives (a
# listener that reads the record header, then closes with SO_LINGER 0).
if want reset.pcap; then
	start_server python3 -c '
import socket, struct, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9452)); s.listen(1)
c, _ = s.accept()
c.recv(5)
time.sleep(0.1)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
'
	record reset.pcap 9452
	s_client 9452 $sni -tls1_2
	done_case
fi

# 14. A leaf whose extended key usage is clientAuth only, refused:
# alert unsupported_certificate.
if want wrong-usage.pcap; then
	s_server 9453 leaf-client-only intermediate -- -tls1_2
	record wrong-usage.pcap 9453
	s_client 9453 $sni -tls1_2
	done_case
fi

# 15. A leaf valid only from 2040, refused: OpenSSL 3.0 sends
# bad_certificate for "not yet valid" (not certificate_expired).
if want not-yet-valid.pcap; then
	s_server 9454 leaf-not-yet-valid intermediate -- -tls1_2
	record not-yet-valid.pcap 9454
	s_client 9454 $sni -tls1_2
	done_case
fi

# 16. GnuTLS as the client refusing the expired certificate: it sends
# bad_certificate, where OpenSSL sends certificate_expired.
if want gnutls-expired.pcap; then
	s_server 9455 leaf-expired intermediate -- -tls1_2
	record gnutls-expired.pcap 9455
	(printf 'ping\n'; sleep 0.5) | timeout 10 gnutls-cli --port 9455 --sni-hostname example.com \
		--verify-hostname example.com --x509cafile "$certs/root.pem" 127.0.0.1 >"$work/client.log" 2>&1 || true
	grep -E -i 'Status|error' "$work/client.log" | sed 's/^/    client: /' >&2 || true
	done_case
fi

# 17. curl (OpenSSL backend) asking for a name the certificate does not
# cover; TLS 1.2 at most, so the alert is in clear.
if want curl-name-mismatch.pcap; then
	s_server 9456 leaf intermediate -- -tls1_2
	record curl-name-mismatch.pcap 9456
	timeout 10 curl -sS --tls-max 1.2 --cacert "$certs/root.pem" --resolve wrong.example.net:9456:127.0.0.1 \
		https://wrong.example.net:9456/ 2>&1 | sed 's/^/    client: /' >&2 || true
	done_case
fi

# 17b. The same in TLS 1.3: curl's alert after the handshake is an
# application_data record of an alert's length (19 bytes).
if want curl-tls13-name-mismatch.pcap; then
	s_server 9462 leaf intermediate -- -tls1_3
	record curl-tls13-name-mismatch.pcap 9462
	timeout 10 curl -sS --tlsv1.3 --cacert "$certs/root.pem" --resolve wrong.example.net:9462:127.0.0.1 \
		https://wrong.example.net:9462/ 2>&1 | sed 's/^/    client: /' >&2 || true
	done_case
fi

# 18. The server closes (FIN) after the ClientHello arrives, without a word.
if want closed.pcap; then
	start_server python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9457)); s.listen(1)
c, _ = s.accept()
time.sleep(0.1)
c.recv(4096)
c.shutdown(socket.SHUT_WR)
time.sleep(0.5)
c.close()
'
	record closed.pcap 9457
	s_client 9457 $sni -tls1_2
	done_case
fi

# 19. The capture stops (tcpdump -c 4) after SYN, SYN/ACK, ACK and the
# ClientHello: the handshake's end is not in the file.
if want capture-ended.pcap; then
	s_server 9458 leaf intermediate -- -tls1_2
	CAPTURE_COUNT=4 record capture-ended.pcap 9458
	s_client 9458 $sni -tls1_2
	done_case
fi

# 20. TLS 1.3: the client refuses the expired certificate, but the
# certificate and the alert are encrypted.
if want tls13-expired.pcap; then
	s_server 9459 leaf-expired intermediate -- -tls1_3
	record tls13-expired.pcap 9459
	s_client 9459 $sni -tls1_3
	done_case
fi

# 21. The server serves example.com only and refuses other names with a
# fatal unrecognized_name alert (-servername_fatal).
if want unrecognized-name.pcap; then
	s_server 9460 leaf intermediate -- -tls1_2 -servername example.com -servername_fatal \
		-cert2 "$certs/leaf.pem" -key2 "$certs/leaf-key.pem"
	record unrecognized-name.pcap 9460
	s_client 9460 -servername www.example.org -tls1_2
	done_case
fi

# 22. The server requires a client certificate (-Verify 1) and the client
# has none: the server's alert comes after the client's Finished.
if want client-cert-required.pcap; then
	s_server 9461 leaf intermediate -- -tls1_2 -Verify 1 -verify_return_error
	record client-cert-required.pcap 9461
	s_client 9461 $sni -tls1_2
	done_case
fi

ls -l "$out"/*.pcap >&2
