// Command check compares padlock's NDJSON report of a bench/gen capture
// with the capture's ground truth:
//
//	padlock -r hs.pcap --format json | go run ./bench/check hs.pcap.truth.json
//
// It prints one line per count and exits 1 when padlock missed or invented
// anything.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

type truth struct {
	Connections  int            `json:"connections"`
	ClientHellos int            `json:"client_hellos"`
	Established  int            `json:"established"`
	Resumed      int            `json:"resumed"`
	HelloRetry   int            `json:"hello_retry"`
	Records      map[string]int `json:"records"`
}

// line is the part of a connection report the check reads.
type line struct {
	Type string `json:"type"`
	TLS  *struct {
		ClientHellos int  `json:"client_hellos"`
		Established  bool `json:"established"`
		Resumed      bool `json:"resumed"`
		HelloRetry   bool `json:"hello_retry"`
		Records      struct {
			Client int `json:"client"`
			Server int `json:"server"`
		} `json:"records"`
	} `json:"tls"`
	Errors []json.RawMessage `json:"errors"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: padlock -r FILE --format json | check FILE.truth.json")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	var want truth
	if err := json.Unmarshal(b, &want); err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	var got truth
	got.Records = map[string]int{}
	errs := 0
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			fmt.Fprintln(os.Stderr, "check: bad line:", err)
			os.Exit(1)
		}
		if l.Type != "connection" {
			continue
		}
		got.Connections++
		errs += len(l.Errors)
		if t := l.TLS; t != nil {
			got.ClientHellos += t.ClientHellos
			got.Established += btoi(t.Established)
			got.Resumed += btoi(t.Resumed)
			got.HelloRetry += btoi(t.HelloRetry)
			got.Records["client"] += t.Records.Client
			got.Records["server"] += t.Records.Server
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(1)
	}
	ok := true
	cmp := func(what string, g, w int) {
		mark := "ok"
		if g != w {
			mark, ok = "MISMATCH", false
		}
		fmt.Printf("  %-22s padlock %9d  truth %9d  %s\n", what, g, w, mark)
	}
	cmp("connections", got.Connections, want.Connections)
	cmp("client_hellos", got.ClientHellos, want.ClientHellos)
	cmp("established", got.Established, want.Established)
	cmp("resumed", got.Resumed, want.Resumed)
	cmp("hello_retry", got.HelloRetry, want.HelloRetry)
	cmp("records (client)", got.Records["client"], want.Records["client"])
	cmp("records (server)", got.Records["server"], want.Records["server"])
	fmt.Printf("  %-22s %d\n", "errors in reports", errs)
	if !ok {
		os.Exit(1)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
