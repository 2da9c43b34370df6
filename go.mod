module github.com/padlock-tls/padlock

go 1.26.8

require (
	github.com/gopacket/gopacket v1.7.7 // indirect
	github.com/spf13/pflag v1.0.10 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/crypto v0.58.0 // indirect
)
