#!/usr/bin/env bash
# Regenerates dissect/testdata/msg-openssl30-*.bin: handshake message bodies
# (no 4-byte header) that OpenSSL 3.0 sent, one file per message, named
# msg-openssl30-<case>-<client|server>-<message>[-N].bin.
#
# Each case runs `openssl s_server` and `openssl s_client -msg` on 127.0.0.1;
# -msg prints every handshake message in cleartext, including those TLS
# encrypts (TLS 1.3 after the ServerHello, TLS 1.2 Finished), and this
# script cuts them out of s_client's output (">>>" sent by the client,
# "<<<" received from the server). The certificates, keys and OCSP
# responses are made fresh in a temporary directory, so the bytes differ on
# every run; the tests check structure, not these exact bytes.
#
# Usage: testdata/msg-openssl30-gen.sh   (from dissect/; needs openssl, python3)
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
q() { "$@" >/dev/null 2>&1; }

# A CA, an RSA and an ECDSA server certificate, a client certificate.
q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/C=US/O=Padlock Test/CN=Padlock Test CA"
q openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj "/CN=rsa.example.com"
printf "subjectAltName=DNS:rsa.example.com\nauthorityInfoAccess=OCSP;URI:http://ocsp.example.com\n" > rsa.cnf
q openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out rsa.pem -days 3650 -extfile rsa.cnf
q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr -subj "/CN=ec.example.com"
printf "subjectAltName=DNS:ec.example.com\n" > ec.cnf
q openssl x509 -req -in ec.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ec.pem -days 3650 -extfile ec.cnf
q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -out client.csr -subj "/CN=client"
q openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 3650

# OCSP responses for the RSA certificate: one status (good), and two
# statuses in one response (rsa good, ec revoked with keyCompromise).
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
printf "V\t351231000000Z\t\t%s\tunknown\t/CN=rsa.example.com\n" "$(serial rsa.pem)" > index.txt
printf "R\t351231000000Z\t250101000000Z,keyCompromise\t%s\tunknown\t/CN=ec.example.com\n" "$(serial ec.pem)" >> index.txt
q openssl ocsp -issuer ca.pem -cert rsa.pem -no_nonce -reqout req1.der
q openssl ocsp -index index.txt -CA ca.pem -rsigner ca.pem -rkey ca.key -reqin req1.der -respout ocsp1.der -ndays 7
q openssl ocsp -issuer ca.pem -cert rsa.pem -cert ec.pem -no_nonce -reqout req2.der
q openssl ocsp -index index.txt -CA ca.pem -rsigner ca.pem -rkey ca.key -reqin req2.der -respout ocsp2.der -ndays 7
cp ocsp1.der "$out/msg-openssl30-ocsp-single.der"
cp ocsp2.der "$out/msg-openssl30-ocsp-multi.der"

port=44330
# run CASE MODE "server args" "client args" [client stdin script]
# MODE all keeps every message but the hellos; MODE kx keeps only the
# messages a key exchange or client authentication changes
# (server_key_exchange, client_key_exchange, certificate_request,
# certificate_verify), the rest being the same as in the "all" cases.
run() {
	local name=$1 mode=$2 sargs=$3 cargs=$4 input=${5:-}
	port=$((port + 1))
	# shellcheck disable=SC2086
	openssl s_server -accept 127.0.0.1:$port -naccept 1 $sargs < <(sleep 4) >"srv-$name.log" 2>&1 &
	local spid=$!
	sleep 0.5
	# shellcheck disable=SC2086
	( printf "%b" "$input"; sleep 1.5 ) | timeout 6 openssl s_client -connect 127.0.0.1:$port -msg $cargs >"cli-$name.log" 2>&1 || true
	# A server whose client never got through would wait forever.
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	python3 - "$name" "$mode" "cli-$name.log" "$out" <<'PY'
import re, sys
name, mode, log, out = sys.argv[1:]
kx = {"ServerKeyExchange", "ClientKeyExchange", "CertificateRequest", "CertificateVerify"}
msgs, cur = [], None
for line in open(log, errors="replace"):
    m = re.match(r"(>>>|<<<) \S+ \S+, Handshake \[length ([0-9a-f]+)\], (\w+)", line)
    if m:
        cur = ["client" if m.group(1) == ">>>" else "server", m.group(3), bytearray()]
        msgs.append(cur)
        continue
    if cur is not None and line.startswith("    ") and re.fullmatch(r"[0-9a-f ]+", line.strip()):
        cur[2] += bytes.fromhex(line.strip())
        continue
    cur = None
snake = lambda s: re.sub(r"(?<!^)(?=[A-Z])", "_", s).lower()
seen = {}
for side, typ, b in msgs:
    if typ in ("ClientHello", "ServerHello") or mode == "kx" and typ not in kx:
        continue
    n = int.from_bytes(b[1:4], "big")
    assert len(b) == 4 + n, (name, typ, len(b), n)
    base = f"msg-openssl30-{name}-{side}-{snake(typ)}"
    seen[base] = seen.get(base, 0) + 1
    fn = base + (f"-{seen[base]}" if seen[base] > 1 else "") + ".bin"
    open(f"{out}/{fn}", "wb").write(bytes(b[4:]))
    print(fn)
PY
}

rsa="-cert rsa.pem -key rsa.key -cert_chain ca.pem"
ec="-cert ec.pem -key ec.key -cert_chain ca.pem"
auth="-Verify 1 -CAfile ca.pem"
client="-cert client.pem -key client.key -CAfile ca.pem"
legacy="-cipher ALL:@SECLEVEL=0"

# TLS 1.3: RSA chain with a stapled OCSP response, client certificate,
# tickets, and a KeyUpdate that asks for one back ("K").
run tls13 all "$rsa -status_file ocsp1.der $auth -alpn h2 -max_early_data 16384" "-status $client -alpn h2,http/1.1 -servername rsa.example.com" 'K\n'
# TLS 1.2 ECDHE-RSA with CertificateStatus, CertificateRequest, client
# certificate, CertificateVerify, NewSessionTicket.
run tls12-ecdhe-rsa all "$rsa -status_file ocsp1.der $auth" "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -status $client"
run tls12-ecdhe-ecdsa all "$ec" "-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384"
run tls12-dhe-rsa kx "$rsa" "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256"
run tls12-rsa all "$rsa $auth" "-tls1_2 -cipher AES128-GCM-SHA256 $client"
# TLS 1.0: no SignatureAndHashAlgorithm in ServerKeyExchange and
# CertificateVerify, no supported_signature_algorithms in CertificateRequest.
run tls10-dhe-rsa kx "$rsa $auth $legacy" "-tls1 -cipher DHE-RSA-AES128-SHA:@SECLEVEL=0 $client"
run tls10-ecdhe-rsa kx "$rsa $legacy" "-tls1 -cipher ECDHE-RSA-AES128-SHA:@SECLEVEL=0"
# PSK suites (RFC 4279, RFC 5489).
psk="-psk 1a2b3c4d5e6f -psk_hint padlock-hint"
cpsk="-psk 1a2b3c4d5e6f -psk_identity padlock-client"
run tls12-psk kx "$psk -nocert" "-tls1_2 -cipher PSK-AES128-GCM-SHA256 $cpsk"
run tls12-ecdhe-psk kx "$psk -nocert" "-tls1_2 -cipher ECDHE-PSK-AES128-CBC-SHA256 $cpsk"
run tls12-dhe-psk kx "$psk -nocert" "-tls1_2 -cipher DHE-PSK-AES128-GCM-SHA256 $cpsk"
run tls12-rsa-psk kx "$psk $rsa" "-tls1_2 -cipher RSA-PSK-AES128-GCM-SHA256 $cpsk"
# Anonymous (EC)DH: no signature.
run tls12-dh-anon kx "-nocert $legacy" "-tls1_2 -cipher ADH-AES128-GCM-SHA256:@SECLEVEL=0"
run tls12-ecdh-anon kx "-nocert $legacy" "-tls1_2 -cipher AECDH-AES128-SHA:@SECLEVEL=0"
# No SRP case: s_server -srpvfile crashes in OpenSSL 3.0.19; the SRP
# ServerKeyExchange in messages_test.go is written by hand.
