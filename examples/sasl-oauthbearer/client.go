package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/assentry/assentry/oauthbearer"
)

// outcome is how an authentication ended, as the client saw it.
type outcome struct {
	OK      bool
	Line    string               // the server's tagged answer
	Failure *oauthbearer.Failure // the RFC 7628 §3.2.2 failure the server sent, if any
}

// authenticate signs in on conn with the initial response ir, as an IMAP client with SASL-IR does: one
// AUTHENTICATE line, then, after a failure challenge, the %x01 that RFC 7628 §3.2.3 asks for.
func authenticate(conn net.Conn, ir *oauthbearer.InitialResponse) (*outcome, error) {
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("reading the greeting: %w", err)
	}
	if !strings.Contains(line, "AUTH=OAUTHBEARER") {
		return nil, fmt.Errorf("the server does not offer OAUTHBEARER: %q", strings.TrimSpace(line))
	}
	if _, err := io.WriteString(conn, "a1 AUTHENTICATE OAUTHBEARER "+base64.StdEncoding.EncodeToString(ir.Marshal())+"\r\n"); err != nil {
		return nil, err
	}
	// Untagged lines (none here, but a real server may send some) are skipped; a "+" line is a challenge, which in
	// OAUTHBEARER only a failure sends.
	out := &outcome{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("reading the answer: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "+ "):
			if out.Failure != nil {
				return nil, fmt.Errorf("a second challenge after the failure: %q", line)
			}
			b, err := base64.StdEncoding.DecodeString(line[2:])
			if err != nil {
				return nil, fmt.Errorf("the challenge is not base64: %q", line)
			}
			if out.Failure, err = oauthbearer.ParseFailure(b); err != nil {
				return nil, err
			}
			// RFC 7628 §3.2.3: the client answers a failure with a lone %x01.
			if _, err := io.WriteString(conn, base64.StdEncoding.EncodeToString([]byte{1})+"\r\n"); err != nil {
				return nil, err
			}
		// The tagged answer ends the exchange: OK, or NO/BAD with the reason.
		case strings.HasPrefix(line, "a1 "):
			out.Line = line
			out.OK = strings.HasPrefix(line, "a1 OK ")
			if out.OK && out.Failure != nil {
				return nil, fmt.Errorf("the server succeeded after sending a failure: %q", line)
			}
			return out, nil
		}
	}
}
