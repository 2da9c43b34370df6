// Package decrypt opens the encrypted records of a TLS connection with the
// secrets an endpoint logged: an NSS key log (SSLKEYLOGFILE, --keylog FILE)
// or the TLS key logs a pcapng carries in Decryption Secrets Blocks
// (capture.Source.Secrets). It is pure: bytes and secrets in, plaintext
// or an *Error out, no I/O but reading the key log it is handed
// (FileKeyLog reads its file).
//
// # Key logs
//
// ParseKeyLog (or KeyLog.Read, for several inputs into one KeyLog) reads
// the NSS format: CLIENT_RANDOM, CLIENT_EARLY_TRAFFIC_SECRET,
// CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
// CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EARLY_EXPORTER_SECRET,
// EXPORTER_SECRET, OpenSSL's CLIENT/SERVER_TRAFFIC_SECRET_N; RSA lines are
// accepted and not used. Comments and blank lines are skipped; a bad line
// comes back as a *LineError (source and line number) and the other lines
// are kept. KeyLog.Merge joins logs (the first value wins). A KeyLog, a
// FileKeyLog (a file that may still grow: a lookup that misses re-reads it
// when its size or modification time changed) and anything else with
// Lookup(clientRandom) is a Keys; Join(keys...) asks several and merges
// their answers. A Conn missing a secret asks again through Refresh when
// its Keys is a Refresher (FileKeyLog, Join), so secrets logged after the
// handshake was seen still arrive. For padlock: Join(the --keylog FileKeyLog, a FileKeyLog
// of $SSLKEYLOGFILE, a KeyLog that each new capture.Source.Secrets()
// entry is Read into, named "pcapng DSB N").
//
// # Decrypting a connection
//
// Once the ServerHello is dissected:
//
//	c, err := decrypt.New(decrypt.Params{
//		Version:        negotiated,         // 0x0304 from supported_versions, else server_version
//		CipherSuite:    serverHello.Suite,
//		ClientRandom:   clientHello.Random,
//		ServerRandom:   serverHello.Random,
//		EncryptThenMAC: bothHellosHad(22),  // encrypt_then_mac (RFC 7366)
//		EarlyData:      clientHelloHas(42), // early_data
//	}, keys)
//
// err is an *Error: CodeNoKey ("no key for client random ..."),
// CodeMissingSecret (TLS 1.2 without CLIENT_RANDOM), CodeUnsupportedVersion,
// CodeUnsupportedSuite or CodeBadParams. Then every record of the
// connection, each direction in stream order, goes to
//
//	pt, err := c.Record(decrypt.Client /* or Server */, rec.Type, rec.Version, rec.Body)
//
// Records that are not encrypted (hellos, ChangeCipherSpec, a TLS 1.2
// direction before its ChangeCipherSpec) come back unchanged with
// pt.Decrypted false, so a caller may feed everything after the
// ServerHello; the two directions are independent, so client records that
// came before the ServerHello (0-RTT data) can be fed once New has run.
// A decrypted record gives its real content type (TLS 1.3: the inner
// type, padding stripped), a new plaintext slice, the keys that opened it
// (Epoch, Generation) and its sequence number. The plaintext of handshake
// records goes to the handshake defragmenter like plaintext records do;
// application data is for counting or, at most, showing.
//
// TLS 1.3 keys follow RFC 8446 per direction: 0-RTT keys (when the
// ClientHello offered early_data) until EndOfEarlyData, handshake keys
// until the direction's Finished, application keys after, the next
// generation after each KeyUpdate. When the expected keys do not open a
// record, the next keys are tried from sequence number 0: that follows a
// rejected 0-RTT attempt (the client goes straight to its handshake keys;
// Stats.EarlyRejected) and a capture that lost a Finished or KeyUpdate.
// Client records that neither the 0-RTT nor the handshake keys open
// before the handshake keys first work are rejected early data, skipped
// with CodeEarlyDataSkipped. TLS 1.2 and older: the key block from the
// master secret with the version's PRF; AES-GCM, AES-CCM(_8) and
// ChaCha20-Poly1305 (RFC 7905 nonce), AES and 3DES CBC with HMAC-SHA1,
// SHA-256 or SHA-384 (MAC-then-encrypt, or encrypt-then-MAC; TLS 1.0's
// chained IV), RC4-128 and NULL with HMAC-MD5/SHA-1/SHA-256.
//
// A TLS 1.2 renegotiation runs its handshake under the current keys: when
// the caller has dissected its (decrypted) ClientHello and ServerHello, it
// calls c.Renegotiate(Params{...the new hellos...}), and each direction
// moves to the new keys after its next ChangeCipherSpec.
//
// When reassembly reports a gap in a direction (lost bytes, so maybe
// lost records), call c.Gap(dir) before that direction's next record: the
// next records are then also tried at later sequence numbers (AEAD suites,
// TLS 1.1+ CBC), and pt.Lost says how many records went missing.
//
// A record that does not authenticate returns CodeAuthFailed ("client
// record 5 (sequence number 2): authentication failed with handshake
// keys") and no bytes; CodeRecordMalformed, CodeMissingSecret,
// CodeRenegotiation (TLS 1.2 keys from a renegotiation) and
// CodeEarlyDataSkipped are the others. Nothing panics on any input.
//
// # What a report can say
//
// Per connection, a decryption object: whether keys were found (the
// error code of New when not), Conn.Labels (which secrets the log had),
// Conn.Suite, and Conn.Stats (records decrypted and failed per direction,
// KeyUpdates, 0-RTT records decrypted, skipped, rejected), plus the first
// *Error per direction in the errors list (Dir and Record locate it; the
// caller maps the record to its frames). Messages dissected from
// decrypted records carry decrypted: true.
//
// A Conn is not safe for concurrent use; KeyLog and FileKeyLog are.
package decrypt
