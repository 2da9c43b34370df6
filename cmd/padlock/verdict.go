package main

import (
	"fmt"
	"io"
	"os"

	"github.com/padlock-tls/padlock/report"
)

// loadTrust reads --ca-file; without it the system's roots are used.
func loadTrust(o *options, stderr io.Writer) bool {
	if o.caFile == "" {
		return true
	}
	pem, err := os.ReadFile(o.caFile)
	if err == nil {
		o.trust, err = report.NewTrust(pem, o.caFile)
	}
	if err != nil {
		fmt.Fprintf(stderr, "padlock: --ca-file: %v\n", err)
		return false
	}
	return true
}

// configure applies the report flags to a builder.
func configure(b *report.Builder, o options) {
	b.JA4Plus = o.ja4plus
	b.Trust = o.trust
	b.MaxMessage, b.MaxCertificates = o.caps.maxMessage, o.caps.maxCerts
	if o.keys != nil {
		b.Keys = o.keys
	}
}
