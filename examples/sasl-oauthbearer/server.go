package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/assentry/assentry/oauthbearer"
)

// greeting is the server's first line: IMAP's, with the capabilities that matter here (RFC 9051 §7.1;
// SASL-IR, RFC 4959: the initial response on the AUTHENTICATE line).
const greeting = "* OK [CAPABILITY IMAP4rev2 AUTH=OAUTHBEARER SASL-IR] sasl-oauthbearer example ready"

// Limits of a connection: a line (a base64 client response with a JWT access token fits many times over), and
// how long the server waits for one.
const (
	maxLine     = 16 << 10
	idleTimeout = 2 * time.Minute
)

// server is the example's IMAP-like server: AUTHENTICATE OAUTHBEARER, CAPABILITY and LOGOUT, nothing else.
type server struct {
	auth *oauthbearer.Authenticator
	log  *slog.Logger
}

// serve accepts connections on ln until ctx ends.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go s.handle(ctx, conn)
	}
}

// session is one client connection.
type session struct {
	conn net.Conn
	r    *bufio.Reader
	log  *slog.Logger
}

func (c *session) send(line string) error {
	_, err := io.WriteString(c.conn, line+"\r\n")
	return err
}

// readLine reads one line without its CRLF, refusing a line longer than maxLine.
func (c *session) readLine() (string, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(idleTimeout))
	var b []byte
	for {
		frag, isPrefix, err := c.r.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, frag...)
		if len(b) > maxLine {
			return "", fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

func (s *server) handle(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	c := &session{conn: conn, r: bufio.NewReaderSize(conn, 4096), log: s.log.With("remote", conn.RemoteAddr().String())}
	if c.send(greeting) != nil {
		return
	}
	var user string // the authorization identity, once authenticated
	for {
		line, err := c.readLine()
		if err != nil {
			return
		}
		// An IMAP command line: tag, command, arguments (RFC 9051 §2.2.1), upper or lower case.
		tag, rest, _ := strings.Cut(line, " ")
		cmd, args, _ := strings.Cut(rest, " ")
		switch strings.ToUpper(cmd) {
		case "CAPABILITY":
			c.send("* CAPABILITY IMAP4rev2 AUTH=OAUTHBEARER SASL-IR")
			c.send(tag + " OK CAPABILITY completed")
		case "LOGOUT":
			c.send("* BYE logging out")
			c.send(tag + " OK LOGOUT completed")
			return
		case "AUTHENTICATE":
			if user != "" {
				c.send(tag + " BAD already authenticated")
				continue
			}
			if user, err = s.authenticate(ctx, c, tag, args); err != nil {
				return // the connection broke
			}
		default:
			c.send(tag + " BAD unknown command")
		}
	}
}

// authenticate runs AUTHENTICATE OAUTHBEARER [initial-response] (RFC 9051 §6.2.2, RFC 4959) and returns the
// authorization identity on success, "" on failure. An error means the connection is unusable.
func (s *server) authenticate(ctx context.Context, c *session, tag, args string) (string, error) {
	mech, ir, hasIR := strings.Cut(args, " ")
	if !strings.EqualFold(mech, oauthbearer.Mechanism) {
		return "", c.send(tag + " NO [CANNOT] unsupported mechanism; this server knows only OAUTHBEARER")
	}
	x := s.auth.NewExchange()
	var response string
	if hasIR {
		response = ir
	} else { // no initial response: an empty challenge asks for it (RFC 4959 §3)
		if err := c.send("+ "); err != nil {
			return "", err
		}
		line, err := c.readLine()
		if err != nil {
			return "", err
		}
		response = line
	}
	for {
		if response == "*" { // the client cancels (RFC 9051 §6.2.2)
			return "", c.send(tag + " BAD AUTHENTICATE cancelled")
		}
		msg, err := decodeResponse(response)
		if err != nil {
			return "", c.send(tag + " BAD " + err.Error())
		}
		challenge, done, err := x.Next(ctx, msg)
		if done {
			return s.finish(c, tag, x, err)
		}
		// A failure (RFC 7628 §3.2.2): the JSON goes out as a challenge, and the client answers with %x01.
		if err := c.send("+ " + base64.StdEncoding.EncodeToString(challenge)); err != nil {
			return "", err
		}
		if response, err = c.readLine(); err != nil {
			return "", err
		}
	}
}

// finish writes the tagged answer at the end of an exchange.
func (s *server) finish(c *session, tag string, x *oauthbearer.Exchange, err error) (string, error) {
	var se *oauthbearer.SyntaxError
	var f *oauthbearer.Failure
	switch {
	case err == nil:
		id := x.Identity()
		c.log.Info("authenticated", "authzid", id.Authzid, "client_id", id.Token.ClientID, "jti", id.Token.ID)
		return id.Authzid, c.send(tag + " OK [AUTHENTICATED] signed in as " + id.Authzid)
	case errors.As(err, &se):
		c.log.Warn("malformed OAUTHBEARER exchange", "err", err)
		return "", c.send(tag + " BAD " + se.Error())
	case errors.As(err, &f):
		// The reason is for the log only: the client had the status in the JSON.
		c.log.Warn("authentication refused", "status", f.Status, "reason", f.Reason)
		return "", c.send(tag + " NO [AUTHENTICATIONFAILED] " + f.Status)
	default:
		c.log.Error("cannot check the token", "err", err)
		return "", c.send(tag + " NO [UNAVAILABLE] the token cannot be checked now, try again later")
	}
}

// decodeResponse decodes a client response line: base64 (RFC 4648 §4, with padding), "=" for an empty one
// (RFC 4959 §3).
func decodeResponse(line string) ([]byte, error) {
	if line == "=" {
		return []byte{}, nil
	}
	b, err := base64.StdEncoding.Strict().DecodeString(line)
	if err != nil {
		return nil, errors.New("the response is not base64")
	}
	return b, nil
}
