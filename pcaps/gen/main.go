//go:debug cryptocustomrand=1

// Command gen writes padlock's synthetic sample captures: real Go crypto/tls
// handshakes between an in-process client and server, wrapped in TCP/IP
// packets built with gopacket. The output is byte-for-byte reproducible:
//
//	go run ./pcaps/gen -out pcaps
//
// See pcaps/README.md for the list of files.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	out := flag.String("out", "pcaps", "output directory")
	only := flag.String("only", "", "comma-separated file names to generate (default: all)")
	list := flag.Bool("list", false, "list the scenarios and exit")
	mk := flag.String("mkcerts", "", "write a fresh test PKI into this directory and exit (one-time; not reproducible)")
	flag.Parse()
	if *mk != "" {
		if err := mkcerts(*mk); err != nil {
			fatal(err)
		}
		return
	}
	if *list {
		for _, s := range scenarios {
			fmt.Printf("%-32s %s\n", s.file, s.desc)
		}
		return
	}
	var want map[string]bool
	if *only != "" {
		want = map[string]bool{}
		for _, f := range strings.Split(*only, ",") {
			want[f] = true
		}
	}
	files, err := generate(want)
	if err != nil {
		fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(*out, name), files[name], 0o644); err != nil {
			fatal(err)
		}
		fmt.Printf("%-32s %6d bytes\n", name, len(files[name]))
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

// generate builds the selected scenarios (all if want is nil) and returns
// file name -> content, side files (keylogs) included.
func generate(want map[string]bool) (map[string][]byte, error) {
	if err := ensureCustomRand(); err != nil {
		return nil, err
	}
	p := loadPKI()
	files := map[string][]byte{}
	for _, s := range scenarios {
		if want != nil && !want[s.file] {
			continue
		}
		c, err := s.make(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.file, err)
		}
		b, err := c.encode()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.file, err)
		}
		files[s.file] = b
		for name, content := range c.side {
			files[name] = content
		}
	}
	return files, nil
}
