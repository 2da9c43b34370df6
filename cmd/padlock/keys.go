package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/decrypt"
)

// keySources are every place TLS secrets come from, looked up in turn:
// Decryption Secrets Blocks met so far in the capture file, then --keylog,
// then SSLKEYLOGFILE. The files are re-read when a lookup misses and they
// have changed, so a key log a browser is still writing during a live
// capture works.
type keySources struct {
	files    []*decrypt.FileKeyLog
	embedded decrypt.KeyLog
	// secrets returns the pcapng Decryption Secrets Blocks read so far
	// (nil when the input has none).
	secrets func() [][]byte
	seen    int
	stderr  io.Writer
}

// Lookup implements decrypt.Keys.
func (k *keySources) Lookup(clientRandom []byte) (*decrypt.Secrets, bool) {
	return k.lookup(clientRandom, (*decrypt.FileKeyLog).Lookup)
}

// Refresh implements decrypt.Refresher: a connection missing a secret
// asks again, and key log files that grew are re-read.
func (k *keySources) Refresh(clientRandom []byte) (*decrypt.Secrets, bool) {
	return k.lookup(clientRandom, (*decrypt.FileKeyLog).Refresh)
}

func (k *keySources) lookup(clientRandom []byte, file func(*decrypt.FileKeyLog, []byte) (*decrypt.Secrets, bool)) (*decrypt.Secrets, bool) {
	if k.secrets != nil {
		blocks := k.secrets()
		for ; k.seen < len(blocks); k.seen++ {
			bad, _ := k.embedded.Read(bytes.NewReader(blocks[k.seen]), "pcapng decryption secrets block")
			k.warnBad(bad)
		}
	}
	if s, ok := k.embedded.Lookup(clientRandom); ok {
		return s, true
	}
	for _, f := range k.files {
		if s, ok := file(f, clientRandom); ok {
			return s, true
		}
	}
	return nil, false
}

func (k *keySources) warnBad(bad []*decrypt.LineError) {
	for i, e := range bad {
		if i == 3 {
			fmt.Fprintf(k.stderr, "padlock: warning: %d more unusable key log lines\n", len(bad)-i)
			break
		}
		fmt.Fprintf(k.stderr, "padlock: warning: %v\n", e)
	}
}

// openKeys sets up the key sources from --keylog and SSLKEYLOGFILE. It
// returns nil (no decryption) when neither is given and the input carries
// no secrets; a --keylog that cannot be read is an error, an unreadable
// SSLKEYLOGFILE a warning (it is often set for other programs).
func openKeys(o options, secrets func() [][]byte, stderr io.Writer) (*keySources, error) {
	k := &keySources{secrets: secrets, stderr: stderr}
	if o.keylog != "" {
		f, err := decrypt.OpenKeyLogFile(o.keylog)
		if err != nil {
			return nil, fmt.Errorf("--keylog: %w", err)
		}
		bad, _ := f.Bad()
		k.warnBad(bad)
		k.files = append(k.files, f)
	}
	if env := os.Getenv("SSLKEYLOGFILE"); env != "" && env != o.keylog {
		f, err := decrypt.OpenKeyLogFile(env)
		if err != nil {
			fmt.Fprintf(stderr, "padlock: warning: SSLKEYLOGFILE: %v\n", err)
		} else {
			k.files = append(k.files, f)
		}
	}
	if len(k.files) == 0 && secrets == nil {
		return nil, nil
	}
	return k, nil
}

// setKeys opens the key sources for src (nil for live capture).
func setKeys(o *options, src any, stderr io.Writer) bool {
	var secrets func() [][]byte
	if s, ok := src.(interface{ Secrets() [][]byte }); ok {
		secrets = s.Secrets
	}
	k, err := openKeys(*o, secrets, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "padlock: %v\n", err)
		return false
	}
	o.keys = k
	return true
}

// Empty reports whether there is no key material at all (yet): then
// connections carry no decryption object. A key log file counts even while
// it is empty: a browser may be about to write to it.
func (k *keySources) Empty() bool {
	if k.secrets != nil && len(k.secrets()) > k.seen {
		return false
	}
	return k.embedded.Len() == 0 && len(k.files) == 0
}

// embedSecrets puts the key logs in use (--keylog, SSLKEYLOGFILE) into the
// -w file as a Decryption Secrets Block, as editcap --inject-secrets
// does, so the saved capture decrypts on its own. Lines written to a key
// log after the start are not added.
func embedSecrets(save *capture.Saver, o options, stderr io.Writer) {
	if o.keys == nil {
		return
	}
	paths := []string{o.keylog}
	if env := os.Getenv("SSLKEYLOGFILE"); env != o.keylog {
		paths = append(paths, env)
	}
	for _, path := range paths {
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue // openKeys already said so
		}
		if err := save.WriteSecrets(b); err != nil {
			fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
			return
		}
	}
}
