// Command padlock is a passive TLS dissector: it reads a capture, puts each
// TCP connection back together, and reports every TLS handshake in it.
package main

import (
	"os"
)

func main() {
	stop := startProfile()
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
